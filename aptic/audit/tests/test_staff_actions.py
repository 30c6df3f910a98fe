"""Every staff action writes one line of the audit journal naming who acted (issue #12: 4 of 9 actions
tried recorded no one). The actions are done as staff do them: through the staff pages and the back
office, by a staff member verified by the second factor."""

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aptic.audit.models import AuditAction, AuditEvent
from aptic.billing.models import QuoteStatus
from aptic.core.tests.factories import UserFactory
from aptic.opendata.tests.helpers import EXAMPLE
from aptic.payouts.models import BankDetails, PayoutRun, RunStatus
from aptic.vouchers.models import Voucher, VoucherStatus


def _events(action) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def _one(action, actor, target=None) -> AuditEvent:
    events = _events(action)
    assert len(events) == 1, (action, events)
    event = events[0]
    assert event.actor == actor, action
    assert event.actor_label.endswith(f"<{actor.email}>") or event.actor_label == actor.email
    assert event.action_label == AuditAction(action).label
    if target is not None:
        assert (event.target_type.model_class(), event.target_id) == (type(target), str(target.pk))
    return event


def test_each_staff_action_records_who_did_it(client, pay, quote_request, sent_quote, staff, run_jobs):
    # 1. A quote request closed.
    request = quote_request()
    client.force_login(staff)
    url = reverse("billing:staff_request", kwargs={"pk": request.pk})
    assert client.post(url, {"reason": "Demande en double"}).status_code == 302
    event = _one(AuditAction.QUOTE_REQUEST_CLOSED, staff, request)
    assert event.details == {"reason": "Demande en double"}

    # 2. A quote's acceptance link renewed, 3. the quote cancelled.
    quote = sent_quote()
    url = reverse("billing:staff_quote", kwargs={"pk": quote.pk})
    client.force_login(pay.staff)
    assert client.post(url, {"action": "renew"}).status_code == 302
    _one(AuditAction.QUOTE_LINK_RENEWED, pay.staff, quote)
    assert client.post(url, {"action": "cancel"}).status_code == 302
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.CANCELLED
    _one(AuditAction.QUOTE_CANCELLED, pay.staff, quote)

    # 4. Places imported from a file of the national standard.
    client.force_login(staff)
    response = client.post(reverse("opendata:import"), {"file": SimpleUploadedFile("reseau.csv", EXAMPLE.read_bytes())})
    assert response.status_code == 200
    event = _one(AuditAction.PLACES_IMPORTED, staff)
    assert event.details["file"] == "reseau.csv" and event.details["places_created"] == 1
    # A check without import writes nothing.
    client.post(
        reverse("opendata:import"), {"file": SimpleUploadedFile("b.csv", EXAMPLE.read_bytes()), "dry_run": "on"}
    )
    assert len(_events(AuditAction.PLACES_IMPORTED)) == 1

    # 5. Bank details verified.
    provider = pay.provider("Fablab Alpha", verified=False)
    details = BankDetails.objects.get(provider=provider, is_current=True)
    client.force_login(pay.staff2)
    url = reverse("payouts:staff_bank_detail", kwargs={"pk": details.pk})
    assert client.post(url, {"decision": "verify"}).status_code == 302
    event = _one(AuditAction.BANK_DETAILS_REVIEWED, pay.staff2, details)
    assert event.organisation == provider and event.details["verified"] is True

    # 6-9. A payout run prepared, approved by a second member, exported, marked paid.
    pay.redeem(provider, 2)
    client.force_login(pay.staff)
    with run_jobs():
        client.post(reverse("payouts:staff_runs"), {"kind": "monthly", "month": pay.month.isoformat()})
    run = PayoutRun.objects.get()
    assert _one(AuditAction.RUN_CREATED, pay.staff, run).details == {"kind": "Mensuel"}  # not "monthly"
    url = reverse("payouts:staff_run", kwargs={"pk": run.pk})
    client.force_login(pay.staff2)
    client.post(url, {"action": "approve"})
    _one(AuditAction.RUN_APPROVED, pay.staff2, run)
    client.force_login(pay.staff)
    with run_jobs():
        client.post(url, {"action": "export"})
    _one(AuditAction.RUN_EXPORTED, pay.staff, run)
    client.force_login(pay.staff2)
    client.post(url, {"action": "paid"})
    run.refresh_from_db()
    assert run.status == RunStatus.PAID
    _one(AuditAction.RUN_PAID, pay.staff2, run)

    # 10-11. A voucher stopped, then the stop lifted, in the back office.
    admin = UserFactory(is_staff=True, is_superuser=True, full_name="Alex Back-Office")
    client.force_login(admin)
    voucher = Voucher.objects.filter(order=pay.order, status=VoucherStatus.ACTIVE).order_by("-sequence").first()
    changelist = reverse("admin:vouchers_voucher_changelist")
    for action, reason in (("stop", "Carnet volé"), ("lift", "Carnet retrouvé")):
        data = {"action": action, ACTION_CHECKBOX_NAME: [str(voucher.pk)], "apply": "1", "reason": reason}
        assert client.post(changelist, data).status_code in (200, 302)
    event = _one(AuditAction.VOUCHER_STOPPED, admin, pay.order)
    assert event.organisation == pay.funder
    assert event.details == {"reason": "Carnet volé", "count": 1, "vouchers": [pay.order.serial(voucher.sequence)]}
    _one(AuditAction.VOUCHER_STOP_LIFTED, admin, pay.order)

    # Nothing a staff member did is anonymous.
    staff_ids = {staff.pk, pay.staff.pk, pay.staff2.pk, admin.pk}
    named = AuditEvent.objects.filter(actor_id__in=staff_ids)
    assert named.count() >= 11
    assert not AuditEvent.objects.filter(action__in=[e.action for e in named], actor=None).exists()


def test_a_refused_action_writes_nothing(client, pay):
    """The journal is written in the action's transaction: an action refused leaves no line."""
    provider = pay.provider("Fablab Beta", verified=False)
    details = BankDetails.objects.get(provider=provider, is_current=True)
    client.force_login(pay.staff)
    before = AuditEvent.objects.count()
    # A refusal without its reason is refused.
    response = client.post(reverse("payouts:staff_bank_detail", kwargs={"pk": details.pk}), {"decision": "reject"})
    assert response.status_code == 400
    assert AuditEvent.objects.count() == before
