"""'Mes encaissements': the provider's redemptions, filtered by month and place; cancellation within
24 hours with a reason; another provider's redemption is a 404."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.core.tests.helpers import text
from aptic.places.models import Place
from aptic.vouchers.models import Voucher, VoucherStatus
from aptic.vouchers.redemption import redemption_create

from .conftest import make_labelled, snapshot
from .test_views_support import codes_of, issue

pytestmark = pytest.mark.django_db


def list_url(organisation, **query):
    url = reverse("vouchers:redemptions", kwargs={"org_slug": organisation.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def detail_url(redemption):
    return reverse("vouchers:redemption", kwargs={"org_slug": redemption.provider.slug, "pk": redemption.pk})


def redeem(counter, codes, offer=None, place=None, at=None):
    organisation, admin, counter_place, workshop, _ = counter
    return redemption_create(
        provider=organisation,
        place=place or counter_place,
        offer=offer or workshop,
        codes=codes,
        user=admin,
        at=at,
    ).redemption


@pytest.fixture
def logged(client, counter):
    client.force_login(counter[1])
    return client


def test_the_list_shows_each_redemption_with_its_amounts_and_state(logged, counter, funder):
    order = issue(funder)
    recent = redeem(counter, codes_of(order, 2))
    old = redeem(counter, codes_of(order, 1, start=2), offer=counter[4], at=timezone.now() - datetime.timedelta(days=3))
    response = logged.get(list_url(counter[0]))
    html = text(response)
    assert response.status_code == 200
    assert "<h1>Mes encaissements</h1>" in html
    assert 'class="table-wrap" role="region" tabindex="0" aria-labelledby="cap-encaissements"' in html
    assert "<caption" in html
    assert "2 encaissements</strong>" in html and "3 chèques, 30 € en chèques" in html
    assert html.index(f"encaissement n° {recent.pk}") < html.index(f"encaissement n° {old.pk}")
    assert "Atelier smartphone" in html and "Aide ponctuelle" in html and "5 €" in html
    # Cancelling: offered for the recent one only (the older one is past 24 hours).
    assert html.count(">Annuler<span") == 1
    assert f'{detail_url(recent)}#annuler"' in html and f'{detail_url(old)}#annuler"' not in html


def test_filter_by_month_and_place(logged, counter, funder):
    organisation, _, place, workshop, _ = counter
    order = issue(funder)
    second = Place.objects.create(
        provider=organisation, name="Annexe", address="2 rue", commune=place.commune, latitude=45.4, longitude=4.4
    )
    second_offer = workshop.__class__.objects.create(
        place=second, category=workshop.category, title="Atelier annexe", price_cents=1000, duration_minutes=60,
        format="group",
    )  # fmt: skip
    now = timezone.localtime()
    last_month = (now.replace(day=1) - datetime.timedelta(days=1)).replace(hour=12)
    this_month = redeem(counter, codes_of(order, 1), offer=counter[4])
    previous = redeem(counter, codes_of(order, 1, start=1), offer=counter[4], at=last_month)
    annex = redeem(counter, codes_of(order, 1, start=2), offer=second_offer, place=second)
    html = text(logged.get(list_url(organisation, mois=f"{last_month:%Y-%m}")))
    assert f"encaissement n° {previous.pk}" in html
    assert f"encaissement n° {this_month.pk}" not in html and f"encaissement n° {annex.pk}" not in html
    html = text(logged.get(list_url(organisation, mois=f"{now:%Y-%m}", lieu=second.pk)))
    assert f"encaissement n° {annex.pk}" in html and f"encaissement n° {this_month.pk}" not in html
    assert "1 encaissement</strong>" in html and "à Annexe" in html
    # The month filter lists the months with redemptions, in French, under a proper empty choice (a
    # month input showed "--------- ----"); the summary and caption name the month the same way.
    assert 'type="month"' not in html and '<option value="">Tous les mois</option>' in html
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
              "novembre", "décembre"]  # fmt: skip
    this_label = f"{months[now.month - 1]} {now.year}"
    last_label = f"{months[last_month.month - 1]} {last_month.year}"
    assert f'<option value="{now:%Y-%m}" selected>{this_label}</option>' in html
    assert f'<option value="{last_month:%Y-%m}">{last_label}</option>' in html
    assert f"1 encaissement</strong> en {this_label} à Annexe : 1 chèque," in html
    bad = logged.get(list_url(organisation, mois="novembre"))
    assert bad.status_code == 400 and "Indiquez un mois au format AAAA-MM" in text(bad)
    foreign = OrganisationFactory(kind="provider")
    foreign_place = Place.objects.create(
        provider=foreign, name="Ailleurs", address="1 rue", commune=place.commune, latitude=45.4, longitude=4.4
    )
    assert logged.get(list_url(organisation, lieu=foreign_place.pk)).status_code == 400


def test_cancel_within_24_hours_with_a_reason(logged, counter, funder):
    order = issue(funder)
    chosen = codes_of(order, 2)
    redemption = redeem(counter, chosen)
    page = text(logged.get(detail_url(redemption)))
    assert "Reçu de l'encaissement n° " in page and "Annuler cet encaissement" in page
    missing = logged.post(detail_url(redemption), {"motif": "  "})
    assert missing.status_code == 400 and "Indiquez le motif de l'annulation." in text(missing)
    assert Voucher.objects.filter(code__in=chosen, status=VoucherStatus.REDEEMED).count() == 2
    response = logged.post(detail_url(redemption), {"motif": "Atelier annulé"}, follow=True)
    html = text(response)
    assert f"L'encaissement n° {redemption.pk} est annulé" in html
    assert "Annulé</strong> le" in html and "Atelier annulé" in html
    assert "Annuler cet encaissement" not in html
    redemption.refresh_from_db()
    assert redemption.cancelled_at and redemption.cancel_reason == "Atelier annulé"
    assert set(Voucher.objects.filter(code__in=chosen).values_list("status", flat=True)) == {"active"}
    # Twice: refused, nothing changes.
    before = snapshot()
    again = logged.post(detail_url(redemption), {"motif": "Encore"})
    assert again.status_code == 400 and "déjà annulée" in text(again)
    assert snapshot() == before


def test_a_member_can_cancel(client, counter, funder):
    redemption = redeem(counter, codes_of(issue(funder), 1), offer=counter[4])
    client.force_login(MembershipFactory(organisation=counter[0], role="member").user)
    assert client.post(detail_url(redemption), {"motif": "Erreur de service"}).status_code == 302
    redemption.refresh_from_db()
    assert redemption.cancelled_at is not None


def test_no_cancel_after_24_hours(logged, counter, funder):
    at = timezone.now() - datetime.timedelta(hours=24, minutes=1)
    redemption = redeem(counter, codes_of(issue(funder), 1), offer=counter[4], at=at)
    page = text(logged.get(detail_url(redemption)))
    assert "Annuler cet encaissement" not in page and "ne peut plus être annulé" in page
    before = snapshot()
    response = logged.post(detail_url(redemption), {"motif": "Trop tard"})
    assert response.status_code == 400
    assert "Une utilisation ne peut être annulée que dans les 24 heures." in text(response)
    assert snapshot() == before


def test_another_providers_redemption_is_404(client, counter, funder):
    redemption = redeem(counter, codes_of(issue(funder), 1), offer=counter[4])
    other = OrganisationFactory(kind="provider", name="Autre structure")
    other_admin = MembershipFactory(organisation=other, role="admin").user
    make_labelled(other, other_admin)
    client.force_login(other_admin)
    url = reverse("vouchers:redemption", kwargs={"org_slug": other.slug, "pk": redemption.pk})
    before = snapshot()
    assert client.get(url).status_code == 404
    assert client.post(url, {"motif": "Malveillance"}).status_code == 404
    assert snapshot() == before
    html = text(client.get(list_url(other)))
    assert "Aucun encaissement" in html and f"n° {redemption.pk}" not in html
    # And through the other's own slug: not a member.
    assert client.get(detail_url(redemption)).status_code == 403


def test_funders_cannot_open_the_redemptions(client, funder, funder_admin):
    client.force_login(funder_admin)
    assert client.get(list_url(funder)).status_code == 403
