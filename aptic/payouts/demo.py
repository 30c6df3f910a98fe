"""Demo payouts (after the usage builder): verified bank details for the providers that redeemed
vouchers, except one left without any (held in every run), entered before the year of use; monthly
runs paid for every past month of the year of use, one transfer rejected by the bank (its vouchers
paid again the month after), and last month's run waiting for its second signature. A second staff
member signs the approvals. Each month's run is prepared, approved, exported and paid in the first
days of the month after (aptic.demo.timeline)."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw
from schwifty import IBAN

from aptic.accounts import services as accounts
from aptic.accounts.models import Role
from aptic.core.errors import DomainError
from aptic.vouchers.models import Redemption

from . import services, steps
from .bank import bank_details_review, bank_details_submit
from .models import PayoutStatus, RunKind

BANKS = [("30004", "BNPAFRPP"), ("30003", "SOGEFRPP"), ("20041", "PSSTFRPP")]


def _admin(organisation):
    return organisation.memberships.filter(role="admin").select_related("user").first().user


def _rib(name: str, iban: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (600, 160), "white")
    draw = ImageDraw.Draw(image)
    draw.text((20, 30), "Relevé d'identité bancaire", fill="black")
    draw.text((20, 70), name[:60], fill="black")
    draw.text((20, 110), " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)), fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("rib.png", buffer.getvalue(), content_type="image/png")


def _second_staff(context, platform):
    email = "equipe.controle@demo.aptic.fr"
    at = context.calendar.platform_opened
    user = accounts.user_create(email=email, password=context.password, full_name="Julien Moreau", is_staff=True, at=at)
    accounts.membership_add(user=user, organisation=platform, role=Role.MEMBER, at=at)
    context.accounts.append((email, platform.get_kind_display(), platform.name))
    return user


def _bank_details(calendar, providers, staff) -> None:
    """Entered a month before the year of use, verified two days later."""
    entered = calendar.uses_start - datetime.timedelta(days=30)
    for rank, organisation in enumerate(providers[1:], start=1):  # the first one never entered any: held
        bank_code, bic = BANKS[rank % len(BANKS)]
        iban = str(IBAN.generate("FR", bank_code=bank_code, branch_code="00001", account_code=f"{rank:011d}"))
        admin = _admin(organisation)
        details = bank_details_submit(
            provider=organisation, user=admin, holder=organisation.name[:70], iban=iban, bic=bic,
            rib=_rib(organisation.name, iban), at=calendar.moment(entered + datetime.timedelta(days=rank % 10), 14),
        )  # fmt: skip
        bank_details_review(
            details=details, staff=staff, verify=True, at=calendar.moment(calendar._day(details.submitted_at.date(), 2))
        )


def _month_run(calendar, month, staff, checker, *, pay: bool):
    run = services.run_create(kind=RunKind.MONTHLY, month=month, user=staff, now=calendar.run_prepared(month))
    steps.prepare(run)  # here and now: the demo needs its result (the queued job then finds nothing to do)
    run.refresh_from_db()
    if not pay:
        return run  # waits for the second staff member's approval
    try:
        services.run_approve(run=run, user=checker, at=calendar.run_approved(month))
    except DomainError:
        services.run_cancel(
            run=run, user=staff, reason="Aucun remboursement à virer ce mois-là.", at=calendar.run_approved(month)
        )
        return None
    services.run_export(run=run, user=staff, at=calendar.run_approved(month))
    steps.export(run, at=calendar.run_approved(month) + datetime.timedelta(minutes=30))
    run.refresh_from_db()
    services.run_mark_paid(run=run, user=checker, at=calendar.run_paid(month))
    return run


def build(context) -> None:
    platform = context.organisations["platform"][0]
    staff = _admin(platform)
    checker = _second_staff(context, platform)
    provider_ids = sorted(set(Redemption.objects.values_list("provider_id", flat=True)))
    by_pk = {o.pk: o for o in context.organisations.get("providers", [])}
    providers = [by_pk[pk] for pk in provider_ids if pk in by_pk]
    if not providers:
        return
    calendar = context.calendar
    _bank_details(calendar, providers, staff)
    last = services.previous_month(calendar.today)
    months = []  # every month of the year of use before last month, paid
    month = calendar.uses_start.replace(day=1)
    while month < last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    rejected = False
    for month in months:
        run = _month_run(calendar, month, staff, checker, pay=True)
        if run is None or rejected:
            continue
        payout = run.payouts.filter(status=PayoutStatus.SENT).order_by("pk").first()
        if payout is not None:
            services.payout_reject(
                payout=payout,
                user=staff,
                reason="Compte clôturé (code banque AC04)",
                at=calendar.run_paid(month) + datetime.timedelta(days=2),  # the bank's return, before next run
            )
            rejected = True
    _month_run(calendar, last, staff, checker, pay=False)
