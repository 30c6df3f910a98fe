"""The demo dataset, as `make run` loads it: realistic, deterministic, and every account works."""

import datetime

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from aptic.accounts.models import Organisation, User
from aptic.core.errors import DomainError
from aptic.core.models import ReferenceDataset
from aptic.core.tests.helpers import empty_territories, text
from aptic.demo.builders.organisations import SHOWN
from aptic.demo.services import DEMO_PASSWORD, demo_build
from aptic.places.models import Place
from aptic.territories.services import territories_load
from aptic.vocabulary.services import vocabulary_load

SCALE = 0.02  # the same world as `make run`, with 2 % of its vouchers and redemptions
# Reference content shipped by migrations (questionnaire, charter) stays; everything the demo made goes.
KEPT = {
    "providers.qualificationtheme",
    "providers.questionnaire",
    "providers.question",
    "providers.answeroption",
    "providers.charterversion",
    "billing.offer",
}


def _delete_demo():
    tables = []
    for app in (
        "accounts", "places", "providers", "vocabulary", "vouchers", "ledger",
        "jobs", "billing", "printing", "distribution", "payouts", "reporting",
    ):  # fmt: skip
        for model in apps.get_app_config(app).get_models():
            if model._meta.label_lower in KEPT:
                continue
            tables.append(model._meta.db_table)
            tables += [f.remote_field.through._meta.db_table for f in model._meta.local_many_to_many]
    # In one transaction: foreign keys are checked at commit, when all the rows are gone.
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in connection.ops.sql_flush(no_style(), tables, allow_cascade=True):
            cursor.execute(statement)
    ReferenceDataset.objects.exclude(name="territories").delete()


# Built as if on a day three weeks ago: a date taken from the clock instead of the demo's calendar
# then stands out, three weeks after the build moment (ADR 0037).
BUILT_ON = timezone.localdate() - datetime.timedelta(days=21)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Territories, vocabulary and demo, committed once for this module; the demo part removed after."""
    with django_db_blocker.unblock():
        loaded = territories_load().loaded
        vocabulary_load()
        context = demo_build(scale=SCALE, today=BUILT_ON)
        yield context
        _delete_demo()
        if loaded:
            empty_territories()


@pytest.mark.django_db
def test_funders_of_each_kind_distributors_and_about_forty_providers(demo):
    funders = Organisation.objects.filter(kind="funder")
    assert set(funders.values_list("legal_category", flat=True)) >= {"departement", "ccas", "company"}
    assert Organisation.objects.filter(kind="distributor").count() >= 2
    providers = Organisation.objects.filter(kind="provider")
    assert 35 <= providers.count() <= 45
    departements = set(Place.objects.values_list("commune__departement_id", flat=True))
    assert departements == {"33", "42"}
    assert all(p.places.exists() for p in providers)
    assert Place.objects.filter(typologies__isnull=False).distinct().count() == Place.objects.count()
    assert all(o.memberships.filter(role="admin").exists() for o in Organisation.objects.all())


@pytest.mark.django_db
def test_demo_is_deterministic_and_loaded_once(demo):
    names = list(Organisation.objects.order_by("pk").values_list("name", "commune_id"))
    places = list(Place.objects.order_by("pk").values_list("name", "latitude", "longitude"))
    assert demo_build(scale=SCALE, today=BUILT_ON) is None  # already there
    _delete_demo()
    vocabulary_load()
    demo_build(scale=SCALE, today=BUILT_ON)
    assert list(Organisation.objects.order_by("pk").values_list("name", "commune_id")) == names
    assert list(Place.objects.order_by("pk").values_list("name", "latitude", "longitude")) == places


@pytest.mark.django_db
@pytest.mark.parametrize("email", SHOWN)
def test_each_demo_account_logs_in_and_sees_its_own_space(client, demo, email):
    from axes.utils import reset

    reset()
    response = client.post(reverse("accounts:login"), {"username": email, "password": DEMO_PASSWORD}, follow=True)
    assert response.status_code == 200
    user = User.objects.get(email=email)
    membership = user.memberships.select_related("organisation").get()
    assert membership.organisation.name in text(response)
    space = client.get(reverse("accounts:organisation", kwargs={"org_slug": membership.organisation.slug}), follow=True)
    assert space.status_code == 200 and membership.organisation.name in text(space)
    others = Organisation.objects.exclude(pk=membership.organisation_id)[:3]
    for other in others:
        url = reverse("accounts:organisation", kwargs={"org_slug": other.slug})
        response = client.get(url)
        if user.is_staff:  # a password alone: the second factor first (ADR 0019), then staff may look
            assert response.status_code == 302 and "/double-authentification/" in response["Location"]
        else:
            assert response.status_code == 403


@pytest.mark.django_db
def test_every_demo_account_can_log_in_with_the_printed_password(client, demo):
    from axes.utils import reset

    users = list(User.objects.all())
    assert len(users) == len(demo.accounts) >= 50
    for user in users:
        reset()
        response = client.post(reverse("accounts:login"), {"username": user.email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, user.email
        client.logout()


@pytest.mark.django_db
def test_provider_admin_sees_its_places(client, demo):
    user = User.objects.get(email="structure.1@demo.aptic.fr")
    organisation = user.memberships.get().organisation
    client.force_login(user)
    html = text(client.get(reverse("places:mine", kwargs={"org_slug": organisation.slug})))
    for place in organisation.places.all():
        assert place.name in html


@pytest.mark.django_db
@override_settings(EMBEDDED=False)
def test_demo_refuses_to_load_in_production():
    with pytest.raises(DomainError, match="mode embarqué"):
        demo_build(scale=SCALE)


@pytest.mark.django_db
def test_setup_embedded_prints_the_demo_accounts_and_loads_nothing_twice(demo, capsys):
    call_command("setup_embedded")
    out = capsys.readouterr().out
    assert "Territoires déjà à jour" in out and "Vocabulaire déjà à jour." in out
    assert "Données de démonstration déjà présentes." in out
    assert DEMO_PASSWORD in out
    for email in SHOWN:
        assert email in out
    from aptic.accounts.demo import demo_totp_secret

    assert demo_totp_secret() in out and "make demo-code" in out


@pytest.mark.django_db
def test_the_demo_staff_opens_the_back_office_with_the_printed_code(client, demo, capsys):
    """ADR 0019: the printed key (or `manage.py demo_code`) gives the second factor of the demo team."""
    import re

    from axes.utils import reset

    reset()
    response = client.post(reverse("accounts:login"), {"username": "equipe@demo.aptic.fr", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    gate = client.get("/back-office/")
    assert gate.status_code == 302 and gate["Location"].startswith(reverse("accounts:two_factor_verify"))
    call_command("demo_code")
    code = re.search(r"Code du moment : (\d{6})", capsys.readouterr().out).group(1)
    response = client.post(reverse("accounts:two_factor_verify"), {"code": code, "next": "/back-office/"})
    assert response.status_code == 302 and response["Location"] == "/back-office/"
    assert client.get("/back-office/").status_code == 200
    assert all(user.totpdevice_set.filter(confirmed=True).exists() for user in User.objects.filter(is_staff=True))


@pytest.mark.django_db
def test_a_demo_built_by_older_code_is_reported(demo, capsys):
    ReferenceDataset.objects.filter(name="demo").update(checksum="2026:organisations")
    call_command("seed_demo")
    assert "make clean" in capsys.readouterr().out


@pytest.mark.django_db
def test_vouchers_in_every_state_and_months_of_redemptions_with_consistent_books(demo, capsys):
    from aptic.vouchers.models import Redemption, Voucher

    states = set(Voucher.objects.values_list("status", flat=True))
    assert {"issued", "active", "redeemed", "expired", "stopped"} <= states
    dates = list(Redemption.objects.order_by("created_at").values_list("created_at", flat=True))
    assert len(dates) >= 20 and (dates[-1] - dates[0]).days >= 150
    assert Redemption.objects.filter(cancelled_at__isnull=False).exists()
    # Found in review: cancellations an hour after redemptions of the last hour, a time yet to come.
    assert not Redemption.objects.filter(cancelled_at__gt=timezone.now()).exists()
    call_command("check_ledger")
    assert "Grand livre cohérent." in capsys.readouterr().out


@pytest.mark.django_db
def test_public_catalogue_map_and_open_data_work_on_the_demo(client, demo):
    import csv
    import io
    import json

    from aptic.providers.selectors import labelled_providers

    labelled = labelled_providers()
    assert labelled.count() >= 20 and Organisation.objects.filter(provider__status="pending").exists()
    assert Organisation.objects.filter(provider__status="rejected").exists()
    public = Place.objects.filter(provider_id__in=labelled.values("pk"), is_published=True)
    page = client.get(reverse("directory:catalogue"), {"commune": "Bordeaux", "rayon": 30})
    assert page.status_code == 200 and any(p.name in text(page) for p in public)

    def body(response):
        return b"".join(response.streaming_content) if response.streaming else response.content

    geojson = json.loads(body(client.get(reverse("directory:geojson"))))
    assert len(geojson["features"]) == public.count()
    rows = list(csv.DictReader(io.StringIO(body(client.get("/opendata/lieux.csv")).decode())))
    assert len(rows) == public.count()


@pytest.mark.django_db
def test_no_published_place_e_mail_is_a_login_address(client, demo):
    """The lieux files and the data·inclusion export publish each place's e-mail: never a demo
    account's login (it was the provider's, whose admin logs in with it)."""
    import csv
    import io
    import json

    def body(response):
        assert response.status_code == 200
        return b"".join(response.streaming_content) if response.streaming else response.content

    rows = csv.DictReader(io.StringIO(body(client.get(reverse("opendata:places_csv"))).decode()))
    published = {address.strip().lower() for row in rows for address in row["courriels"].split("|") if address}
    services = json.loads(body(client.get(reverse("opendata:datainclusion_services"))))
    published |= {service["courriel"].lower() for service in services if service["courriel"]}
    assert len(published) >= 20  # every demo place has its own address
    logins = {email.lower() for email in User.objects.values_list("email", flat=True)}
    assert not published & logins
    assert not published & {e.lower() for e in Organisation.objects.values_list("email", flat=True) if e}


@pytest.mark.django_db
def test_quality_questionnaires_vary_by_theme_and_territory(demo):
    """Answers drawn per theme, not all-best or all-worst: the training needs of the Gironde and of
    the Loire differ, and so do a territory's themes."""
    from aptic.diagnostic.needs import training_needs
    from aptic.providers.models import Submission

    percents = {}
    for scores in Submission.objects.values_list("theme_scores", flat=True):
        for code, entry in scores.items():
            percents.setdefault(code, set()).add(entry["percent"])
    assert len(percents) == 5 and all(len(values) >= 4 for values in percents.values())
    gironde, loire = training_needs("departement", "33"), training_needs("departement", "42")
    assert gironde.is_published and loire.is_published
    for needs in (gironde, loire):
        assert len({theme.below_share for theme in needs.themes}) >= 3, needs.themes
    assert gironde.themes[0].code != loire.themes[0].code


@pytest.mark.django_db
def test_a_demo_funder_follows_its_orders_from_printing_to_use(client, demo):
    """The funder space (issue #5, item 9): each order's stage and its vouchers counted at each step."""
    from aptic.funders.selectors import funder_orders_progress
    from aptic.vouchers.models import Order, Voucher

    order = Order.objects.filter(vouchers__status="redeemed").select_related("funder").first()
    funder = order.funder
    admin = funder.memberships.filter(role="admin").first().user
    client.force_login(admin)
    page = client.get(reverse("funders:orders", kwargs={"org_slug": funder.slug}))
    assert page.status_code == 200
    rows = {row.order.pk: row for row in funder_orders_progress(funder)}
    row = rows[order.pk]
    redeemed = Voucher.objects.filter(order=order, status__in=["redeemed", "reimbursed"]).count()
    assert row.redeemed == redeemed > 0 and row.stage in ("in_use", "expired")
    assert row.printed >= row.shipped >= row.distributed > 0
    body = text(page)
    assert f"Commande n° {order.pk}" in body and row.stage_label in body
    other = Organisation.objects.filter(kind="funder").exclude(pk=funder.pk).first()
    assert client.get(reverse("funders:orders", kwargs={"org_slug": other.slug})).status_code == 403


# The demo's calendar (ADR 0024): every date follows from the one before; each network in its territory.


@pytest.mark.django_db
def test_credit_notes_follow_the_invoice_they_credit_and_precede_the_one_they_are_deducted_from(demo):
    from aptic.billing.models import CreditApplication, CreditNote, Invoice

    applications = list(CreditApplication.objects.select_related("credit_note", "invoice"))
    assert applications  # last campaign's expiry credit, deducted from this campaign's invoice
    for application in applications:
        note, invoice = application.credit_note, application.invoice
        assert note.issued_on <= invoice.issued_on, (note.number, note.issued_on, invoice.number, invoice.issued_on)
    for invoice in Invoice.objects.select_related("order"):
        assert invoice.order.issued_at.date() <= invoice.issued_on, invoice.number
    for note in CreditNote.objects.select_related("invoice", "order"):
        credited = note.invoice or Invoice.objects.filter(order=note.order).first()
        assert credited is not None and note.issued_on >= credited.issued_on, note.number
    # Numbers in the order of the dates: each document issued on its day, one after the other.
    for model in (Invoice, CreditNote):
        by_number = list(model.objects.order_by("number").values_list("issued_on", flat=True))
        assert by_number == sorted(by_number), model.__name__


@pytest.mark.django_db
def test_each_payout_run_is_paid_early_in_the_month_after_its_own(demo):
    import datetime

    from aptic.payouts.models import PayoutRun

    runs = list(PayoutRun.objects.filter(kind="monthly").exclude(status="cancelled").order_by("period_start"))
    paid = [run for run in runs if run.status == "paid"]
    assert len(paid) >= 2 and runs[-1].status == "draft"
    for run, following in zip(runs, runs[1:], strict=False):
        if run.status != "paid":
            continue
        assert run.period_end < run.created_at.date() <= run.approved_at.date() <= run.paid_at.date()
        assert run.exported_at <= run.paid_at < following.created_at, run.reference
        assert run.paid_at.date() - run.period_end < datetime.timedelta(days=20), run.reference
    assert len({run.paid_at.date() for run in paid}) == len(paid)


@pytest.mark.django_db
def test_every_print_file_is_a_real_pdf_of_its_size(demo):
    import io

    import pypdf

    from aptic.printing.models import PrintFile

    files = list(PrintFile.objects.all())
    assert files
    for record in files:
        assert record.size_bytes > 0 and record.file, record.filename
        with record.file.open("rb") as handle:
            data = handle.read()
        assert len(data) == record.size_bytes
        assert len(pypdf.PdfReader(io.BytesIO(data)).pages) == record.pages


def _territory_of(order):
    """Where an order's vouchers are meant to be used: its rules, or else its funder's département."""
    communes = set(order.rule_communes.values_list("pk", flat=True))
    departements = set(order.rule_departements.values_list("pk", flat=True))
    if not communes and not departements:
        departements = {order.funder.commune.departement_id}
    return communes, departements


@pytest.mark.django_db
def test_each_funder_ships_to_distributors_of_its_territory(demo):
    from aptic.distribution.models import Shipment

    shipments = list(Shipment.objects.select_related("order__funder__commune", "recipient__commune"))
    assert any(s.recipient.kind == "distributor" for s in shipments)
    for shipment in shipments:
        communes, departements = _territory_of(shipment.order)
        commune = shipment.recipient.commune
        assert commune.pk in communes or commune.departement_id in departements, (
            shipment.order.funder.name,
            shipment.recipient.name,
            commune.name,
        )


@pytest.mark.django_db
def test_dates_of_the_funder_journey_follow_each_other(demo):
    """Invoice, payment, shipment, handout, redemption: each after the one before."""
    from django.db.models import Min

    from aptic.billing.models import Invoice, Payment
    from aptic.distribution.models import Handout, Shipment
    from aptic.vouchers.models import RedemptionLine

    shipments = list(Shipment.objects.select_related("order"))
    assert shipments
    for shipment in shipments:
        invoice = Invoice.objects.filter(order=shipment.order).first()
        assert invoice is not None and invoice.issued_on <= shipment.shipped_on
        payment = Payment.objects.filter(invoice=invoice).first()
        if payment is not None:
            assert payment.received_on <= shipment.shipped_on
        first_handout = Handout.objects.filter(shipped__shipment=shipment).aggregate(d=Min("handed_out_on"))["d"]
        if first_handout is not None and shipment.kind == "delivery":
            assert first_handout > shipment.shipped_on
    handouts = list(Handout.objects.select_related("shipped__booklet"))
    assert handouts
    for handout in handouts:
        booklet = handout.shipped.booklet
        first_use = RedemptionLine.objects.filter(
            voucher__order_id=booklet.order_id,
            voucher__sequence__gte=booklet.first_sequence,
            voucher__sequence__lt=booklet.first_sequence + booklet.size,
        ).aggregate(d=Min("redemption__created_at"))["d"]
        assert first_use is None or handout.handed_out_on <= first_use.date(), (str(booklet), handout.handed_out_on)


@pytest.mark.django_db
def test_names_say_de_as_french_does(demo):
    import re

    from aptic.demo.names import of_place

    assert [of_place(n) for n in ("Artigues-près-Bordeaux", "Le Teich", "Les Églisottes", "La Teste", "Pessac")] == [
        "d'Artigues-près-Bordeaux",
        "du Teich",
        "des Églisottes",
        "de la Teste",
        "de Pessac",
    ]
    wrong = re.compile(r"\bde (Le|Les|La|L') |\bde [AEIOUYÉÈÊÂÎÔaeiouyéèêâîô]")
    names = [*Organisation.objects.values_list("name", flat=True), *Place.objects.values_list("name", flat=True)]
    assert [n for n in names if wrong.search(n)] == []
    assert any(" d'" in n or " du " in n for n in names)  # the demo has such communes


# Every row on the calendar (ADR 0037): nothing dated after the build moment, each step after the one before.

# Dates that name a deadline, not an event: they lie ahead by nature.
DEADLINES = {
    "vouchers.order.valid_until",
    "vouchers.order.grace_until",
    "billing.quote.valid_until",
    "billing.invoice.due_on",
    "providers.subscription.trial_until",
    "providers.subscription.covered_until",
    "providers.sponsorship.ends_on",
    "accounts.invitation.expires_at",
}
# Not a day of the demo's story but of this database: written after the build by what the tests do
# with the demo (logging in) or by the job worker running the demo's queued jobs at commit; when
# the reference content was loaded or shipped by migrations (territories, charter, questionnaire),
# a setting's row made at its first reading, and the ledger's accounts, opened lazily by code at
# their first posting (the books' dates are the transactions'). Left as they are (ADR 0037).
NOT_THE_DEMOS = {
    "accounts.user.last_login",
    "jobs.job.started_at",
    "jobs.job.finished_at",
    "core.referencedataset.loaded_at",
    "providers.charterversion.created_at",
    "providers.questionnaire.created_at",
    "places.offersettings.updated_at",
    "ledger.account.created_at",
}


@pytest.mark.django_db
def test_no_row_of_any_model_is_dated_after_the_build_moment(demo):
    from django.db import models

    calendar = demo.calendar
    late = []
    for model in apps.get_models():
        if not model.__module__.startswith("aptic."):
            continue
        for field in model._meta.concrete_fields:
            name = f"{model._meta.label_lower}.{field.name}"
            if not isinstance(field, models.DateField) or name in DEADLINES | NOT_THE_DEMOS:
                continue
            limit = calendar.now if isinstance(field, models.DateTimeField) else calendar.today
            count = model.objects.filter(**{f"{field.name}__gt": limit}).count()
            if count:
                late.append((name, count))
    assert late == [], f"built as on {calendar.today}, {calendar.now:%d/%m/%Y %H:%M}: {late}"


def _day(value):
    return timezone.localtime(value).date() if isinstance(value, datetime.datetime) else value


@pytest.mark.django_db
def test_each_voucher_events_follow_each_other_and_its_booklet(demo):
    """Per voucher: events in time order, none before its order was created and issued; activated and
    used only once its booklet was shipped and handed out (when it was)."""
    from aptic.distribution.models import Handout, ShippedBooklet
    from aptic.vouchers.models import Order, VoucherEvent

    orders = Order.objects.in_bulk()
    shipped = {
        (s["booklet__order_id"], s["booklet__number"]): s["shipment__shipped_on"]
        for s in ShippedBooklet.objects.values("booklet__order_id", "booklet__number", "shipment__shipped_on")
    }
    handed = {
        (h["shipped__booklet__order_id"], h["shipped__booklet__number"]): h["handed_out_on"]
        for h in Handout.objects.values("shipped__booklet__order_id", "shipped__booklet__number", "handed_out_on")
    }
    events = VoucherEvent.objects.values_list(
        "voucher_id", "voucher__order_id", "voucher__sequence", "to_status", "created_at"
    ).order_by("voucher_id", "pk")
    previous, kinds = {}, set()
    for voucher, order_id, sequence, to_status, at in events:
        kinds.add(to_status)
        order = orders[order_id]
        assert order.created_at <= order.issued_at <= at, (voucher, to_status)
        assert previous.get(voucher, at) <= at, (voucher, to_status)
        previous[voucher] = at
        booklet = (order_id, (sequence - 1) // order.booklet_size + 1)
        if to_status in ("active", "redeemed"):
            assert shipped.get(booklet, _day(at)) <= _day(at), (voucher, to_status, shipped.get(booklet))
            assert handed.get(booklet, _day(at)) <= _day(at), (voucher, to_status, handed.get(booklet))
    assert {"active", "redeemed", "stopped", "expired", "reimbursed"} <= kinds


@pytest.mark.django_db
def test_each_order_is_created_invoiced_paid_released_shipped_handed_out_then_used(demo):
    from django.db.models import Min

    from aptic.billing.models import Invoice, Payment
    from aptic.distribution.models import Handout, Shipment
    from aptic.printing.models import PrintRelease
    from aptic.vouchers.models import Order, RedemptionLine

    checked = 0
    for order in Order.objects.filter(print_release__isnull=False):
        release = PrintRelease.objects.get(order=order)
        invoice = Invoice.objects.filter(order=order).order_by("issued_on").first()
        chain = [_day(order.created_at), _day(order.issued_at), invoice.issued_on]
        payment = Payment.objects.filter(invoice=invoice).aggregate(d=Min("received_on"))["d"]
        if release.reason == "paid":
            chain.append(payment)
        chain.append(_day(release.released_at))
        first_shipment = Shipment.objects.filter(order=order, shipped_on__isnull=False).aggregate(d=Min("shipped_on"))
        handout = Handout.objects.filter(shipped__booklet__order=order).aggregate(d=Min("handed_out_on"))["d"]
        use = RedemptionLine.objects.filter(voucher__order=order).aggregate(d=Min("redemption__created_at"))["d"]
        chain += [d for d in (first_shipment["d"], handout, use and _day(use)) if d is not None]
        assert chain == sorted(chain), (order.label, chain)
        checked += 1
    assert checked >= 4  # this campaign's three orders and last campaign's


@pytest.mark.django_db
def test_each_provider_asks_then_answers_then_is_decided_then_signs_the_charter(demo):
    """The product's journey (PRODUCT.md): eligibility request → questionnaire → staff decision →
    charter (once qualified) → subscription, each dated after the one before."""
    from aptic.providers.models import Provider

    checked = 0
    for provider in Provider.objects.select_related("subscription").prefetch_related(
        "submissions", "charter_acceptances", "kit_shipments"
    ):
        chain = [provider.requested_at]
        for submission in provider.submissions.all():
            chain.append(submission.submitted_at)
            if submission.reviewed_at:
                chain.append(submission.reviewed_at)
        chain += [a.accepted_at for a in provider.charter_acceptances.all()]
        assert chain == sorted(chain), (provider.organisation.name, chain)
        subscription = getattr(provider, "subscription", None)
        if subscription is not None:
            assert _day(chain[-1]) <= subscription.started_on, provider.organisation.name
            for kit in provider.kit_shipments.all():
                assert subscription.started_on <= kit.shipped_on, provider.organisation.name
        checked += len(chain) > 3
    assert checked >= 20


@pytest.mark.django_db
def test_ledger_postings_are_dated_with_the_movement_they_record(demo):
    from aptic.billing.models import CreditNote, Invoice, Payment
    from aptic.ledger.models import Transaction
    from aptic.payouts.models import Payout
    from aptic.vouchers.models import Order, Redemption

    def on(model, reference, attribute):
        return {f"{reference}:{getattr(o, 'number', o.pk)}": getattr(o, attribute) for o in model.objects.all()}

    when = {
        **on(Invoice, "invoice", "issued_on"),
        **on(CreditNote, "credit_note", "issued_on"),
        **{f"payment:{p.invoice.number}": p.received_on for p in Payment.objects.select_related("invoice")},
        **{f"redemption:{r.pk}": r.created_at for r in Redemption.objects.all()},
        **{f"fund:order:{p.invoice.order_id}": p.received_on for p in Payment.objects.select_related("invoice")},
        **{f"payout:{p.pk}": p.run.exported_at for p in Payout.objects.select_related("run")},
        **{f"order:{o.pk}": o.issued_at for o in Order.objects.filter(issued_at__isnull=False)},
    }
    kinds = set()
    for posted in Transaction.objects.exclude(kind__in=["expiry", "redemption_cancel", "payout_reversal"]):
        expected = when[posted.reference]
        if isinstance(expected, datetime.datetime):
            assert abs(posted.created_at - expected) < datetime.timedelta(hours=1), (posted.reference, posted.kind)
        else:
            assert _day(posted.created_at) == expected, (posted.reference, posted.kind)
        kinds.add(posted.kind)
    assert {"issuance", "invoice", "payment", "redemption", "payout", "territorial_fund"} <= kinds
    for posted in Transaction.objects.filter(kind="expiry"):
        order = Order.objects.get(pk=posted.reference.split(":")[1])
        assert _day(posted.created_at) == order.grace_until + datetime.timedelta(days=1)


def _on(demo, now):
    """The demo's context as if built at `now` (same world, same orders), for one builder's step."""
    import dataclasses

    from aptic.demo.timeline import DemoCalendar

    return dataclasses.replace(demo, calendar=DemoCalendar(demo.calendar.today, now=now))


def _current_orders(demo):
    return [demo.orders[key] for key in ("gironde", "ccas", "company") if key in demo.orders]


@pytest.mark.django_db
def test_no_use_is_stamped_at_a_build_moment_before_the_day_s_visits(demo):
    """Built at 3 a.m., the build day's visits (9 a.m. to 6 p.m.) have not happened: none is made,
    rather than stamped at the build moment."""
    from aptic.demo.builders import usage
    from aptic.demo.timeline import at

    today = demo.calendar.today
    early = _on(demo, at(today, 3, 2))
    assert usage.uses_make(early, _current_orders(demo), today, today, 40) == []
    made = usage.uses_make(_on(demo, at(today, 19, 30)), _current_orders(demo), today, today, 40)
    assert made and all(r.created_at < at(today, 19, 30) for r in made)


@pytest.mark.django_db
def test_uses_taken_back_within_the_hour_and_before_the_build_moment(demo):
    from aptic.demo.builders import usage
    from aptic.demo.timeline import at

    today = demo.calendar.today
    made = usage.uses_make(_on(demo, at(today, 19, 30)), _current_orders(demo), today, today, 40)
    made.sort(key=lambda r: r.created_at)
    assert len(made) >= 3
    now = made[-1].created_at + datetime.timedelta(minutes=20)  # the latest use is 20 minutes old
    usage.uses_take_back(_on(demo, now), made)
    for redemption in made:
        redemption.refresh_from_db()
    taken = [r for r in made if r.cancelled_at]
    assert len(taken) == 3 and made[-1] not in taken
    for redemption in taken:
        assert redemption.created_at < redemption.cancelled_at <= redemption.created_at + datetime.timedelta(hours=1)
        assert redemption.cancelled_at < now


@pytest.mark.django_db
def test_no_use_on_a_public_holiday(demo):
    from aptic.demo.builders import usage
    from aptic.places.hours import is_public_holiday
    from aptic.vouchers.models import Redemption

    days = {timezone.localtime(at).date() for at in Redemption.objects.values_list("created_at", flat=True)}
    assert days and not [day for day in days if is_public_holiday(day)]
    # Asked for uses on a public holiday (a weekday the places would otherwise be open): none.
    holiday = next(
        day
        for day in (demo.calendar.today - datetime.timedelta(days=n) for n in range(1, 366))
        if is_public_holiday(day) and day.weekday() < 5 and day.month != 8
    )
    assert usage.uses_make(demo, [*_current_orders(demo), demo.orders["expired"]], holiday, holiday, 40) == []


@pytest.mark.django_db
def test_last_campaign_s_vouchers_are_used_soon_after_their_first_handouts(demo):
    from django.db.models import Min

    from aptic.distribution.models import Handout
    from aptic.vouchers.models import RedemptionLine

    order = demo.orders["expired"]
    handed = Handout.objects.filter(shipped__booklet__order=order).aggregate(d=Min("handed_out_on"))["d"]
    used = RedemptionLine.objects.filter(voucher__order=order).aggregate(d=Min("redemption__created_at"))["d"]
    assert handed < timezone.localtime(used).date() <= handed + datetime.timedelta(days=21)


@pytest.mark.django_db
def test_demo_places_have_distinct_names_without_numbers(demo):
    import re

    from aptic.accounts.models import Organisation

    names = list(Place.objects.values_list("name", flat=True))
    assert len(names) == len(set(names))
    numbered = [
        n for n in names + list(Organisation.objects.values_list("name", flat=True)) if re.search(r"\(\d+\)", n)
    ]
    assert numbered == []


@pytest.mark.django_db
def test_demo_reference_places_imported_twice_counted_once_with_covered_and_uncovered_categories(demo):
    """The cartography's places (ADR 0050): imported a week after the opening, then a month ago with
    changes; the demo providers' places it also lists count once; each demo département has every
    one of the 9 categories somewhere, and EPCIs without some of them."""
    from collections import defaultdict

    from aptic.places.models import ReferenceImport, ReferencePlace
    from aptic.places.selectors import REFERENCE, known_places
    from aptic.territories.models import Commune
    from aptic.vocabulary.models import ServiceCategory

    first, again = ReferenceImport.objects.order_by("created_at")
    assert first.status == again.status == "done" and first.created > 200
    assert again.created and again.updated and again.retired and first.created_at < again.created_at
    assert ReferencePlace.objects.filter(retired_at=again.created_at).count() == again.retired
    known = known_places()
    references = [place for place in known if place.kind == REFERENCE]
    assert first.twins > 0 and len(references) == ReferencePlace.objects.filter(retired_at=None).count() - again.twins
    epci_of = dict(Commune.objects.filter(departement_id__in=["33", "42"]).values_list("insee_code", "epci_id"))
    departement_of = dict(
        Commune.objects.filter(departement_id__in=["33", "42"]).values_list("insee_code", "departement_id")
    )
    by_departement, by_epci = defaultdict(set), defaultdict(set)
    for place in known:
        if place.commune_id in epci_of:
            by_departement[departement_of[place.commune_id]] |= place.category_ids
            by_epci[epci_of[place.commune_id]] |= place.category_ids
    categories = set(ServiceCategory.objects.values_list("pk", flat=True))
    assert len(categories) == 9
    for departement in ("33", "42"):
        assert by_departement[departement] == categories, departement
        epcis = set(Commune.objects.filter(departement_id=departement).values_list("epci_id", flat=True))
        assert any(by_epci[epci] != categories for epci in epcis), departement  # somewhere a category is missing
