"""The funder's dashboard and the staff's national one (issue #14 items 2, 4, 8; ADR 0038): the
figures agree with counts made directly on vouchers and redemptions, one funder never sees
another's, bad filters answer a French 400, and the team's drill-downs are journaled."""

import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from aptic.audit.models import AuditAction, AuditEvent
from aptic.core.tests.factories import CommuneFactory, MembershipFactory, OrganisationFactory
from aptic.distribution.shipments import booklet_hand_out
from aptic.places.models import Offer, Place
from aptic.reporting.tests.test_usage import refresh_settled, spend, voucher
from aptic.vocabulary.models import ServiceCategory
from aptic.vouchers.models import RedemptionLine, VoucherStatus
from aptic.vouchers.redemption import redemption_create
from aptic.vouchers.tests.test_views_support import issue

pytestmark = pytest.mark.django_db


def url(funder):
    return reverse("funders:dashboard", kwargs={"org_slug": funder.slug})


@pytest.fixture
def elsewhere(world):
    """A second place of the same provider, in Firminy, with a service of another category."""
    commune = CommuneFactory(insee_code="42095", name="Firminy", population=16000)
    place = Place.objects.create(
        provider=world["provider"],
        name="Médiathèque de Firminy",
        address="2 rue Test",
        commune=commune,
        latitude=commune.latitude,
        longitude=commune.longitude,
    )
    place.typologies.set([world["typology"]])
    category = ServiceCategory.objects.exclude(pk=world["category"].pk).order_by("position", "pk").first()
    offer = Offer.objects.create(
        place=place,
        category=category,
        title="Démarches en ligne",
        price_cents=1000,
        duration_minutes=60,
        format="individual",
    )
    return {"place": place, "offer": offer, "category": category, "commune": commune}


def use_at(world, place, offer, order, *sequences):
    return redemption_create(
        provider=world["provider"],
        place=place,
        offer=offer,
        codes=[voucher(order, s).code for s in sequences],
        user=world["cashier"],
    ).redemption


def figures(response) -> dict:
    return {f.key: f.value for f in response.context["report"].figures}


def sql_used(funder, **where) -> int:
    """The vouchers of funder used (not cancelled), counted on the redemption lines themselves."""
    return RedemptionLine.objects.filter(
        voucher__order__funder=funder,
        voucher__status=VoucherStatus.REDEEMED,
        is_cancelled=False,
        **where,
    ).count()


def test_filtered_by_a_category_and_a_commune_the_figures_agree_with_a_count_in_sql(
    client, world, elsewhere, funder, funder_member
):
    order = world["order"]
    spend(world, 1, 2)  # Saint-Étienne, the workshop (25 €: 5 € paid on top)
    spend(world, 3)  # Saint-Étienne again, 15 € on top
    use_at(world, elsewhere["place"], elsewhere["offer"], order, 4)  # Firminy, another category
    refresh_settled()
    spend(world, 5, 6)  # after the refresh: in the live tail
    client.force_login(funder_member)
    query = {"commune": world["commune"].pk, "categorie": world["category"].pk}
    response = client.get(url(funder), query)
    assert response.status_code == 200
    got = figures(response)
    here = {"redemption__place__commune": world["commune"], "redemption__offer__category": world["category"]}
    assert got["used"] == sql_used(funder, **here) == 5
    assert got["used_cents"] == 5 * order.face_value_cents
    lines = RedemptionLine.objects.filter(voucher__order__funder=funder, **here)
    redemptions = {line.redemption for line in lines.select_related("redemption")}
    assert got["services"] == len(redemptions) == 3
    assert got["on_top_cents"] == sum(r.remainder_cents for r in redemptions) == 500 + 1500 + 500
    # Handouts have no place: the place filters leave them (booklet 1, 10 vouchers) as they are.
    assert got["handed_out"] == 10 and got["shipped"] == 30 and got["bought"] == 40
    assert got["rate_handed_out"] == Decimal("0.5000") and got["rate_bought"] == Decimal("0.1250")
    assert got["median_days"] == 5
    # Without filters, Firminy counts too; filtered on Firminy's commune, only it.
    assert figures(client.get(url(funder)))["used"] == sql_used(funder) == 6
    firminy = figures(client.get(url(funder), {"commune": elsewhere["commune"].pk}))
    assert firminy["used"] == sql_used(funder, redemption__place__commune=elsewhere["commune"]) == 1
    # The page says it the French way, with its tables and their captions.
    html = response.content.decode()
    assert '<dd class="figure-value">50,0\u202f%</dd>' in html  # one decimal, as every percentage
    assert "<caption" in html and "Par catégorie de service" in html
    categories = response.context["report"].breakdown("categories").rows
    assert categories == ((world["category"].label, 5, 5 * order.face_value_cents, 3),)


def test_two_funders_using_the_same_place_never_see_each_others_numbers(client, world, funder, funder_admin):
    other = OrganisationFactory(kind="funder", name="Autre département")
    other_admin = MembershipFactory(organisation=other, role="admin").user
    theirs = issue(other, quantity=10, label="Leur commande")
    spend(world, 1)
    use_at(world, world["place"], world["offer"], theirs, 1, 2, 3)
    for _ in range(2):  # from the live tail, then from the rollups
        client.force_login(funder_admin)
        mine = client.get(url(funder))
        assert figures(mine)["used"] == 1
        assert "Leur commande" not in mine.content.decode()
        client.force_login(other_admin)
        assert figures(client.get(url(other)))["used"] == 3
        # Their order's id in my filters is refused, not counted.
        client.force_login(funder_admin)
        refused = client.get(url(funder), {"commande": theirs.pk})
        assert refused.status_code == 400 and "report" not in refused.context
        refresh_settled()
    # Their distributor never handled my vouchers: not a choice of mine.
    client.force_login(other_admin)
    assert client.get(url(other), {"aiguilleur": world["distributor"].pk}).status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        {"commande": "999999"},
        {"commune": "75056"},
        {"categorie": "²"},
        {"aiguilleur": str(10**30)},
        {"periode": "dates", "du": "2026-05-01", "au": "2026-04-01"},
        {"periode": "dates", "du": "0001-01-01", "au": "2026-04-01"},
        {"periode": "siecle"},
        {"q": "x" * 10_000},
    ],
)
def test_bad_filters_answer_a_french_400_with_the_form(client, world, funder, funder_member, query):
    client.force_login(funder_member)
    response = client.get(url(funder), query)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="errorlist nonfield" role="alert"' in html and 'name="periode"' in html
    message = response.context["filters_error"]
    assert re.search(r"(n'est pas|n'existe pas|n'a reçu|doit|trop longue|comprise)", message)
    assert escape(message) in html
    assert "report" not in response.context


def test_members_and_admins_see_it_other_kinds_and_strangers_do_not(
    client, world, funder, funder_admin, funder_member, provider_admin, staff
):
    for user in (funder_admin, funder_member):
        client.force_login(user)
        assert client.get(url(funder)).status_code == 200
    distributor_member = world["distributor"].memberships.get().user
    client.force_login(distributor_member)
    other_space = reverse("funders:dashboard", kwargs={"org_slug": world["distributor"].slug})
    assert client.get(other_space).status_code == 403
    for user in (distributor_member, provider_admin, staff):
        client.force_login(user)
        assert client.get(url(funder)).status_code == 403
    client.logout()
    assert client.get(url(funder)).status_code == 302


def test_the_funder_space_opens_on_its_dashboard_and_keeps_its_identity_card(client, funder, funder_member):
    client.force_login(funder_member)
    home = client.get(reverse("accounts:organisation", kwargs={"org_slug": funder.slug}))
    assert home.status_code == 302 and home["Location"] == url(funder)
    page = client.get(url(funder)).content.decode()
    card = reverse("accounts:organisation_card", kwargs={"org_slug": funder.slug})
    assert f'href="{card}"' in page
    shown = client.get(card)
    assert shown.status_code == 200 and "<h2>Votre organisation</h2>" in shown.content.decode()


def test_filters_stay_in_the_url_and_a_period_narrows_the_uses(client, world, funder, funder_member):
    spend(world, 1)
    client.force_login(funder_member)
    today = timezone.localdate()
    before = today - datetime.timedelta(days=40)
    past = {"periode": "dates", "du": before.isoformat(), "au": (today - datetime.timedelta(days=20)).isoformat()}
    response = client.get(url(funder), past)
    assert figures(response)["used"] == 0
    html = response.content.decode()
    assert f'value="{before.isoformat()}"' in html  # the form shows the view it displays
    assert '<option value="dates" selected>' in html
    assert figures(client.get(url(funder), {"periode": "mois"}))["used"] == 1


def test_staff_national_dashboard_drills_down_into_a_funder_and_journals_it(client, world, funder, staff):
    spend(world, 1, 2)
    other = OrganisationFactory(kind="funder", name="Autre département")
    type(funder).objects.filter(pk=world["distributor"].pk).update(commune=world["commune"])
    client.force_login(staff)
    national = client.get(reverse("funders:staff_dashboard"), {"periode": "annee"})
    assert national.status_code == 200
    report = national.context["report"]
    rows = {row[0]: row for row in report.breakdown("commanditaires").rows}
    assert rows[funder.name][1:3] == (10, 2) and rows[funder.name][3] == Decimal("0.2000")
    # A département's rate: the vouchers its distributors handed out, and how many of them were used.
    departements = {row[0]: row for row in report.breakdown("departements").rows}
    row = departements[str(world["commune"].departement)]
    assert row[1:3] == (10, 2) and row[3] == Decimal("0.2000") and row[4] == 2
    drill = reverse("funders:staff_funder_dashboard", kwargs={"pk": funder.pk})
    assert f'href="{drill}?periode=annee"' in national.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.DASHBOARD_VIEWED).exists()
    response = client.get(drill, {"periode": "annee"})
    assert response.status_code == 200 and figures(response)["used"] == 2
    assert "lecture seule" in response.content.decode()
    (event,) = AuditEvent.objects.filter(action=AuditAction.DASHBOARD_VIEWED)
    assert (event.actor, event.organisation, event.target_label) == (staff, funder, str(funder))
    assert event.details["filters"].startswith("Période : Cette année")
    # Not a funder, or not there: nothing to read, nothing journaled.
    assert client.get(reverse("funders:staff_funder_dashboard", kwargs={"pk": world["provider"].pk})).status_code == 404
    assert client.get(reverse("funders:staff_funder_dashboard", kwargs={"pk": other.pk + 1000})).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.DASHBOARD_VIEWED).count() == 1
    # The drilled-down view as the funder's own files, each download journaled too.
    assert 'href="?periode=annee&amp;format=xlsx"' in response.content.decode()
    sheet = client.get(drill, {"periode": "annee", "format": "xlsx"})
    assert sheet.status_code == 200 and sheet["Content-Disposition"].startswith(
        f'attachment; filename="tableau-de-bord-{funder.slug}-'
    )
    book = openpyxl.load_workbook(io.BytesIO(sheet.content), read_only=True)
    assert ("Chèques utilisés", 2) in [tuple(row[:2]) for row in book.worksheets[1].iter_rows(values_only=True)]
    assert client.get(drill, {"periode": "annee", "format": "pdf"}).content.startswith(b"%PDF")
    assert client.get(drill, {"periode": "annee", "format": "docx"}).status_code == 400
    assert AuditEvent.objects.filter(action=AuditAction.DASHBOARD_VIEWED).count() == 3


def test_staff_pages_are_closed_to_funders(client, funder, funder_admin):
    client.force_login(funder_admin)
    assert client.get(reverse("funders:staff_dashboard")).status_code == 403
    drill = reverse("funders:staff_funder_dashboard", kwargs={"pk": funder.pk})
    assert client.get(drill).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.DASHBOARD_VIEWED).exists()


def test_every_chart_has_its_table_and_its_summary_and_the_page_loads_chartjs(client, world, funder, funder_member):
    spend(world, 1, 2)
    client.force_login(funder_member)
    html = client.get(url(funder)).content.decode()
    assert '<script src="/static/vendor/chart.js/chart.umd.min.js" defer></script>' in html
    assert '<script src="/static/reporting/charts.js" defer></script>' in html
    charts = re.findall(r'<div class="report-chart"([^>]*)>', html)
    assert len(charts) >= 8
    for attributes in charts:
        table = re.search(r'data-table="([^"]+)"', attributes).group(1)
        summary = re.search(r'data-summary="([^"]+)"', attributes).group(1)
        column = int(re.search(r'data-column="(\d+)"', attributes).group(1))
        assert f'<table id="{table}">' in html and column >= 1
        sentence = re.search(rf'<p class="report-summary" id="{summary}">([^<]+)</p>', html).group(1)
        assert sentence.endswith(".") and len(sentence) > 20
        assert attributes.endswith(" hidden")  # shown by charts.js once drawn; without it, the table


def hand_out(world, number, *, category="senior", days_ago=0, organisation=None):
    booklet_hand_out(
        organisation=organisation or world["distributor"],
        order_id=world["order"].pk,
        number=number,
        category=category,
        user=(organisation or world["distributor"]).memberships.first().user,
        day=timezone.localdate() - datetime.timedelta(days=days_ago),
    )


def test_on_a_short_period_the_usage_rate_follows_the_vouchers_handed_out_in_it(client, world, funder, funder_member):
    """Ten uses of vouchers handed out before the period and one of a voucher handed out in it: the
    rate is 1 of 10, not 11 uses over 10 handouts (110 %)."""
    hand_out(world, 2, days_ago=1)
    for first in (1, 4, 7, 10):  # booklet 1, handed out 5 days ago (at most 3 vouchers a 25 € service)
        spend(world, *range(first, min(first + 3, 11)))
    spend(world, 11)  # booklet 2, handed out yesterday
    client.force_login(funder_member)
    today = timezone.localdate()
    query = {"periode": "dates", "du": (today - datetime.timedelta(days=2)).isoformat(), "au": today.isoformat()}
    response = client.get(url(funder), query)
    got = figures(response)
    assert (got["handed_out"], got["used"]) == (10, 11)
    assert got["rate_handed_out"] == Decimal("0.1000")
    report = response.context["report"]
    for key in ("publics", "aiguilleurs"):
        rates = [row[3] for row in report.breakdown(key).rows if row[3] is not None]
        assert rates and max(rates) <= 1
    publics = {row[0]: row for row in report.breakdown("publics").rows}
    assert publics["Senior"][1:4] == (10, 11, publics["Senior"][3]) and publics["Senior"][3] == Decimal("0.1000")
    assert report.breakdown("publics").summary.startswith("Le meilleur taux d'utilisation par public : Senior, 10")
    assert "sur 10 chèques remis" in report.breakdown("publics").summary
    html = response.content.decode()
    assert "utilisés depuis, à ce jour" in html  # the page states what the rate means
    # Since the start, every voucher handed out (20) and used (11).
    assert figures(client.get(url(funder)))["rate_handed_out"] == Decimal("0.55")


def test_the_top_places_share_is_over_every_use_not_the_top_ten(client, world, funder, funder_member):
    hand_out(world, 2)
    spend(world, 1, 2)  # the counter's place: 2 uses
    for n in range(11):  # eleven more places, one use each
        place = Place.objects.create(
            provider=world["provider"],
            name=f"Lieu {n:02d}",
            address="1 rue Test",
            commune=world["commune"],
            latitude=world["commune"].latitude,
            longitude=world["commune"].longitude,
        )
        offer = Offer.objects.create(
            place=place,
            category=world["category"],
            title="Atelier",
            price_cents=1000,
            duration_minutes=60,
            format="individual",
        )
        use_at(world, place, offer, world["order"], 3 + n)
    client.force_login(funder_member)
    places = client.get(url(funder)).context["report"].breakdown("lieux")
    assert len(places.rows) == 10
    assert places.summary == f"{world['place'].name} rassemble 15,4\u202f% des chèques utilisés (2 sur 13)."


def test_sent_to_print_counts_the_released_orders_even_without_print_files(client, world, funder, funder_member):
    client.force_login(funder_member)
    response = client.get(url(funder))
    printed = response.context["report"].figure("printed")
    assert printed.value == 40 and printed.label == "Chèques envoyés à l'impression"
    assert figures(response)["shipped"] == 30


def test_breakdowns_of_where_vouchers_were_used_have_no_empty_not_stated_row(client, world, funder, funder_member):
    spend(world, 1)
    client.force_login(funder_member)
    report = client.get(url(funder)).context["report"]
    for key in ("categories", "lieux", "communes", "epci", "typologies", "publics", "aiguilleurs"):
        rows = report.breakdown(key).rows
        assert rows and all(any(cell for cell in row[1:]) for row in rows), key


@pytest.mark.parametrize("query", [{"categorie": "1"}, {"commune": "42218"}, {"commande": "1"}])
def test_the_national_page_refuses_a_filter_it_does_not_offer_with_that_message(client, world, staff, query):
    client.force_login(staff)
    response = client.get(reverse("funders:staff_dashboard"), query)
    assert response.status_code == 400
    html = response.content.decode()
    assert escape("Ce filtre n'est pas proposé sur cette page.") in html
    assert escape("n'existe pas") not in html


def test_the_funder_page_still_says_which_filter_value_is_wrong(client, world, funder, funder_member):
    client.force_login(funder_member)
    response = client.get(url(funder), {"commune": "33281"})
    assert response.status_code == 400
    assert escape("Cette commune n'est pas dans le territoire de ce tableau de bord.") in response.content.decode()


def test_the_weekly_series_has_no_future_week_and_starts_at_the_first_activity(client, world, funder, funder_member):
    spend(world, 1)
    client.force_login(funder_member)
    today = timezone.localdate()
    query = {"periode": "dates", "du": "2000-01-01", "au": today.replace(month=12, day=31).isoformat()}
    report = client.get(url(funder), query).context["report"]
    weeks = [row[0] for row in report.breakdown("semaines").rows]
    assert max(weeks) <= today and len(weeks) <= 3  # shipped 10 days ago: two or three weeks
    assert len(report.breakdown("mois").rows) <= 2
    assert ("Période", f"Du 01/01/2000 au {today.strftime('%d/%m/%Y')}") in report.filters


def test_the_national_funders_table_stays_open_for_its_links(client, world, funder, staff):
    spend(world, 1)
    client.force_login(staff)
    html = client.get(reverse("funders:staff_dashboard")).content.decode()
    section = html[html.index('id="detail-commanditaires"') :]
    assert '<details class="report-data" open data-keep-open>' in section[: section.index("</details>")]
    charts = (Path(__file__).parents[2] / "reporting/static/reporting/charts.js").read_text()
    assert 'details.hasAttribute("data-keep-open")' in charts


def test_the_funder_menu_has_the_exports_and_the_orders_box_fits_a_phone(client, world, funder, funder_member):
    client.force_login(funder_member)
    html = client.get(url(funder)).content.decode()
    exports = reverse("reporting:exports", kwargs={"org_slug": funder.slug})
    assert f'href="{exports}"' in html and ">Exports<" in html
    css = (Path(__file__).parents[2] / "reporting/static/reporting/report.css").read_text()
    assert "max-height: 12rem" not in css
    assert ".filters-orders .checkbox { display: flex;" in css


@pytest.mark.django_db
def test_an_order_not_yet_delivered_says_why_the_dashboard_is_empty(client, vocabulary, funder, funder_member):
    """A new funder (quote accepted, order issued, nothing shipped) reads why it has no figures
    (found in review: the demo's Ville de Mérignac had a dashboard of zeros and no word)."""
    issue(funder, quantity=40)
    client.force_login(funder_member)
    page = client.get(url(funder)).content.decode()
    assert "pas encore expédiés ni remis" in page
