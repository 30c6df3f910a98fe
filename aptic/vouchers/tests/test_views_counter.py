"""The counter, from the phone of a provider's admin or member: check, redeem, every refusal in
French next to its code, all or none, never a write when refused."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.core.tests.helpers import text
from aptic.places.models import Offer, Place
from aptic.territories.models import Departement
from aptic.vocabulary.models import PlaceTypology, ServiceCategory
from aptic.vouchers import codes as voucher_codes
from aptic.vouchers.lifecycle import vouchers_stop
from aptic.vouchers.links import voucher_url
from aptic.vouchers.models import Redemption, Voucher

from .conftest import make_labelled, snapshot
from .test_views_support import codes_of, counter_url, issue, unknown_code

pytestmark = pytest.mark.django_db


def post(client, counter, codes, action="verifier", offer=None, place=None, **extra):
    organisation, _, counter_place, workshop, _ = counter
    data = {
        "lieu": (place or counter_place).pk,
        "service": (offer or workshop).pk,
        "code": codes,
        "action": action,
        **extra,
    }
    return client.post(counter_url(organisation), data)


@pytest.fixture
def logged(client, counter):
    client.force_login(counter[1])
    return client


def test_anonymous_goes_to_login(client, counter):
    response = client.get(counter_url(counter[0]))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_a_funder_cannot_open_the_counter(client, funder, funder_admin, counter):
    client.force_login(funder_admin)
    response = client.get(counter_url(funder))
    assert response.status_code == 403
    assert "pas ouvert à votre type d'organisation" in text(response)
    # Nor another organisation's counter.
    assert client.get(counter_url(counter[0])).status_code == 403


def test_a_provider_not_labelled_is_told_why(client):
    organisation = OrganisationFactory(kind="provider", name="Pas encore labellisée")
    client.force_login(MembershipFactory(organisation=organisation, role="member").user)
    response = client.get(counter_url(organisation))
    html = text(response)
    assert response.status_code == 200
    assert "ne peut pas encore accepter de chèques #APTIC" in html
    assert reverse("providers:dashboard", kwargs={"org_slug": organisation.slug}) in html
    assert 'name="code"' not in html
    # Posting anyway spends nothing.
    assert client.post(counter_url(organisation), {"code": "x", "action": "encaisser"}).status_code == 200
    assert Redemption.objects.count() == 0


def test_a_labelled_provider_without_payable_service_is_told_what_to_do(client, counter):
    organisation, admin, place, *_ = counter
    Offer.objects.filter(place=place).update(accepts_aptic=False)
    client.force_login(admin)
    html = text(client.get(counter_url(organisation)))
    assert "Aucun service ne peut être payé en chèques" in html
    assert reverse("places:mine", kwargs={"org_slug": organisation.slug}) in html


def test_the_page_lists_places_and_payable_services_with_their_price(logged, counter):
    organisation, _, place, workshop, short = counter
    Offer.objects.create(
        place=place, category=workshop.category, title="Gratuit", price_cents=0, duration_minutes=30, format="group"
    )
    Offer.objects.create(
        place=place,
        category=workshop.category,
        title="Retiré",
        price_cents=500,
        duration_minutes=30,
        format="group",
        is_active=False,
    )
    response = logged.get(counter_url(organisation))
    html = text(response)
    assert response.status_code == 200
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "<h1>Encaisser des chèques</h1>" in html
    assert f'<optgroup label="{place.name}">' in html
    assert "Atelier smartphone — 25 €" in html and "Aide ponctuelle — 10 €" in html
    assert "Gratuit" not in html and "Retiré" not in html
    # One place: chosen already. One code field, labelled, and the buttons.
    assert re.search(rf'<option value="{place.pk}" selected>', html)
    assert html.count('name="code"') == 1 and '<label for="code-1">Code du chèque 1</label>' in html
    assert "Ajouter un chèque" in html and ">Vérifier</button>" in html and ">Encaisser</button>" in html
    assert "/static/vouchers/counter.js" in html
    assert re.search(r'name="cle" value="web-[\w-]+"', html)


def test_check_spends_nothing_and_says_what_a_redemption_would_give(logged, counter, funder):
    order = issue(funder)
    typed = [voucher_codes.display(c).lower() for c in codes_of(order, 2)]
    before = snapshot()
    response = post(logged, counter, typed)
    html = text(response)
    assert response.status_code == 200
    assert "2 chèques valables." in html and "Rien n'a été encaissé." in html
    assert "Service à 25 € : 20 € en chèques" in html and "reste à payer par le bénéficiaire : 5 €" in html
    assert html.count("✓</span> Valable : 10 €") == 2
    assert f'chèque n° <span class="serial">{order.serial(1)}</span>' in html
    assert snapshot() == before


def test_check_warns_when_too_many_vouchers_are_handed_over(logged, counter, funder):
    html = text(post(logged, counter, codes_of(issue(funder), 4)))
    assert "Trop de chèques : 3 suffisent pour ce service" in html


def test_check_shows_each_codes_problem_next_to_it(logged, counter, funder):
    order = issue(funder)
    good, used = codes_of(order, 2)
    post(logged, counter, [used], action="encaisser", offer=counter[4])
    before = snapshot()
    response = post(logged, counter, [good, "K7QM-3XH9-PZ2W-8RTX", unknown_code(), used])
    html = text(response)
    assert response.status_code == 200
    assert "1 chèque valable sur 4" in html
    rows = re.findall(r'<p class="code-result" id="code-(\d)-resultat">(.*?)</p>', html, re.S)
    assert [n for n, _ in rows] == ["1", "2", "3", "4"]
    assert "Valable" in rows[0][1]
    assert "erreur de saisie" in rows[1][1]
    assert "ne correspond à aucun chèque" in rows[2][1]
    assert "déjà été utilisé" in rows[3][1]
    assert html.count('aria-invalid="true"') == 3
    assert snapshot() == before


def test_redeem_three_vouchers_for_a_25_euro_workshop_and_show_the_receipt(logged, counter, funder):
    organisation, admin, place, workshop, _ = counter
    order = issue(funder)
    chosen = codes_of(order, 3)
    key = re.search(r'name="cle" value="([^"]+)"', text(logged.get(counter_url(organisation)))).group(1)
    response = post(logged, counter, chosen, action="encaisser", cle=key)
    redemption = Redemption.objects.get()
    assert response.status_code == 302
    assert response.url == f"{counter_url(organisation)}?recu={redemption.pk}&lieu={place.pk}&service={workshop.pk}"
    assert (redemption.price_cents, redemption.covered_cents, redemption.remainder_cents) == (2500, 3000, 0)
    assert redemption.created_by == admin and redemption.idempotency_key == key
    assert set(Voucher.objects.filter(code__in=chosen).values_list("status", flat=True)) == {"redeemed"}
    page = logged.get(response.url)
    html = text(page)
    assert "Encaissement enregistré : n° " in html
    receipt = html[html.index('class="receipt"') : html.index("</section>")]
    assert 'role="alert"' in html[html.index('<section class="receipt"') :][:80]
    for fact in ["Atelier smartphone", "25 €", "30 €", "Reste à payer par le bénéficiaire", "0 €"]:
        assert fact in receipt, fact
    for sequence in (1, 2, 3):
        assert order.serial(sequence) in receipt
    # The form is ready for the next person, with the same place and service and a new key.
    assert re.search(rf'<option value="{workshop.pk}" selected>', html)
    assert redemption.idempotency_key not in html


def test_two_vouchers_and_a_top_up(logged, counter, funder):
    response = post(logged, counter, codes_of(issue(funder), 2), action="encaisser")
    html = text(logged.get(response.url))
    receipt = html[html.index('class="receipt"') : html.index("</section>")]
    assert "20 €" in receipt and '<strong class="receipt-remainder">5 €</strong>' in receipt


def test_a_member_can_redeem(client, counter, funder):
    member = MembershipFactory(organisation=counter[0], role="member").user
    client.force_login(member)
    response = post(client, counter, codes_of(issue(funder), 1), action="encaisser", offer=counter[4])
    assert response.status_code == 302
    assert Redemption.objects.get().created_by == member


def test_codes_pasted_together_typed_in_groups_or_scanned_as_urls(logged, counter, funder):
    order = issue(funder)
    a, b, c, d = codes_of(order, 4)
    grouped = " ".join(voucher_codes.display(c).split("-"))  # "K7QM 3XH9 PZ2W 8RTC"
    fields = [f"{a}\n{voucher_codes.display(b)}", grouped, voucher_url(d)]
    response = post(logged, counter, fields)
    html = text(response)
    assert "4 chèques valables" in html, html
    assert html.count('name="code"') == 4
    assert "Trop de chèques : 3 suffisent" in html


def test_add_a_field_without_javascript_looks_nothing_up(logged, counter, funder):
    order = issue(funder)
    response = post(logged, counter, codes_of(order, 1), action="ajouter")
    html = text(response)
    assert response.status_code == 200
    assert html.count('name="code"') == 2
    assert re.search(r'id="code-2"[^>]*autofocus', html)
    assert "Valable" not in html
    assert re.search(rf'<option value="{counter[3].pk}" selected>', html)
    # Before choosing the service: no error yet, a field more is not a submission.
    response = logged.post(counter_url(counter[0]), {"lieu": "", "service": "", "code": ["abc"], "action": "ajouter"})
    html = text(response)
    assert response.status_code == 200 and "Choisissez" not in html and 'value="abc"' in html


def test_a_double_tap_on_encaisser_records_one_redemption(logged, counter, funder):
    chosen = codes_of(issue(funder), 2)
    first = post(logged, counter, chosen, action="encaisser", cle="web-cle-du-formulaire")
    again = post(logged, counter, chosen, action="encaisser", cle="web-cle-du-formulaire")
    assert first.status_code == again.status_code == 302 and first.url == again.url
    assert Redemption.objects.count() == 1
    assert "avait déjà été enregistré" in text(logged.get(again.url))


def test_a_used_form_resubmitted_with_other_codes_gets_a_new_key(logged, counter, funder):
    order = issue(funder)
    post(logged, counter, codes_of(order, 1), action="encaisser", cle="web-ancienne", offer=counter[4])
    before = snapshot()
    response = post(logged, counter, codes_of(order, 1, start=1), action="encaisser", cle="web-ancienne")
    html = text(response)
    assert response.status_code == 400
    assert "déjà servi à un encaissement" in html
    assert 'value="web-ancienne"' not in html
    assert snapshot() == before


def test_service_and_codes_are_required(logged, counter):
    organisation = counter[0]
    response = logged.post(
        counter_url(organisation), {"lieu": "", "service": "", "code": ["", ""], "action": "verifier"}
    )
    html = text(response)
    assert response.status_code == 400
    assert "Choisissez le service rendu." in html
    assert "Saisissez ou scannez au moins un code de chèque." in html


def test_a_service_of_another_place_or_provider_is_refused(logged, counter, funder):
    organisation, _, place, workshop, _ = counter
    second = Place.objects.create(
        provider=organisation, name="Annexe", address="2 rue", commune=place.commune, latitude=45.4, longitude=4.4
    )
    elsewhere = Offer.objects.create(
        place=second, category=workshop.category, title="Annexe atelier", price_cents=1000, duration_minutes=60,
        format="group",
    )  # fmt: skip
    other = OrganisationFactory(kind="provider")
    foreign_place = Place.objects.create(
        provider=other, name="Ailleurs", address="3 rue", commune=place.commune, latitude=45.4, longitude=4.4
    )
    foreign = Offer.objects.create(
        place=foreign_place, category=workshop.category, title="Étranger", price_cents=1000, duration_minutes=60,
        format="group",
    )  # fmt: skip
    codes = codes_of(issue(funder), 1)
    before = snapshot()
    mismatch = post(logged, counter, codes, action="encaisser", offer=elsewhere, place=place)
    assert mismatch.status_code == 400 and "n'est pas proposé dans ce lieu" in text(mismatch)
    assert post(logged, counter, codes, action="encaisser", offer=foreign).status_code == 400
    assert post(logged, counter, codes, action="encaisser", place=foreign_place).status_code == 400
    assert snapshot() == before


def test_another_providers_receipt_is_404(client, counter, funder):
    client.force_login(counter[1])
    redemption_url = post(client, counter, codes_of(issue(funder), 1), action="encaisser", offer=counter[4]).url
    other = OrganisationFactory(kind="provider", name="Autre structure")
    other_admin = MembershipFactory(organisation=other, role="admin").user
    make_labelled(other, other_admin)
    Place.objects.create(
        provider=other, name="Autre lieu", address="1 rue", commune=counter[2].commune, latitude=45.4, longitude=4.4
    )
    Offer.objects.create(
        place=Place.objects.get(name="Autre lieu"), category=counter[3].category, title="Atelier", price_cents=1000,
        duration_minutes=60, format="group",
    )  # fmt: skip
    client.force_login(other_admin)
    receipt = redemption_url.split("?", 1)[1].split("&")[0]
    assert client.get(f"{counter_url(other)}?{receipt}").status_code == 404
    assert client.get(f"{counter_url(other)}?recu=abc").status_code == 404


# Every refusal: shown next to its code, in French, and nothing written.


@pytest.fixture
def refusals(counter, funder, funder_admin):
    organisation, admin, place, workshop, short = counter
    today = timezone.localdate()
    departement = Departement.objects.create(code="69", name="Rhône", region=place.commune.region)
    usual = issue(funder)
    used = codes_of(usual, 1, start=10)[0]  # spent by the test, through the counter
    stopped = codes_of(usual, 1, start=11)
    vouchers_stop(vouchers=Voucher.objects.filter(code__in=stopped), actor=funder_admin, reason="Carnet volé")
    expired = issue(
        funder,
        quantity=10,
        valid_from=today - datetime.timedelta(days=400),
        valid_until=today - datetime.timedelta(days=60),
        grace_until=today - datetime.timedelta(days=30),
    )
    return {
        "usual": usual,
        "used": used,
        "stopped": stopped[0],
        "expired": codes_of(expired, 1)[0],
        "not_active": codes_of(issue(funder, quantity=10, activation="on_distribution"), 1)[0],
        "territory": codes_of(issue(funder, quantity=10, rule_departements=[departement]), 1)[0],
        "typology": codes_of(
            issue(
                funder, quantity=10, rule_typologies=[PlaceTypology.objects.exclude(standard_value="FABLAB").first()]
            ),
            1,
        )[0],
        "category": codes_of(
            issue(
                funder,
                quantity=10,
                rule_categories=[ServiceCategory.objects.exclude(pk=workshop.category_id).first()],
            ),
            1,
        )[0],
        "capped": codes_of(issue(funder, quantity=10, max_vouchers_per_act=1), 2),
    }


@pytest.mark.parametrize(
    "case,message",
    [
        ("typo", "Ce code comporte une erreur de saisie : vérifiez chaque caractère."),
        ("bad_characters", "Ce code contient des caractères qui n'existent pas sur un chèque : !"),
        ("short", "Un code de chèque compte 16 caractères ; celui-ci en a 7."),
        ("unknown", "Ce code ne correspond à aucun chèque."),
        ("used", "Ce chèque a déjà été utilisé."),
        ("stopped", "Ce chèque a été mis en opposition (perte ou vol)."),
        ("expired", "Ce chèque a expiré le "),
        ("not_active", "Ce chèque n'est pas encore activé"),
        ("territory", "Ce chèque n'est pas utilisable dans la commune de Saint-Étienne."),
        ("typology", "Ce chèque n'est pas utilisable dans ce type de lieu."),
        ("category", "Ce chèque ne peut pas payer un service « "),
        ("capped", "Au plus 1 chèque de ce commanditaire par service rendu."),
        ("twice", "Ce code est saisi plusieurs fois."),
    ],
)
def test_every_refusal_is_shown_next_to_its_code_and_nothing_is_written(logged, counter, refusals, case, message):
    good = codes_of(refusals["usual"], 1)[0]
    post(logged, counter, [refusals["used"]], action="encaisser", offer=counter[4])
    bad = {
        "typo": ["K7QM-3XH9-PZ2W-8RTX"],
        "bad_characters": ["K7QM-3XH9-PZ2W-8RT!"],
        "short": ["K7QM-3XH"],
        "unknown": [unknown_code()],
        "twice": [good],
        "capped": refusals["capped"],
    }.get(case) or [refusals[case]]
    before = snapshot()
    response = post(logged, counter, [good, *bad], action="encaisser")
    html = text(response)
    assert response.status_code == 400
    assert "Rien n'a été encaissé." in html
    assert "aucun n'a été encaissé" in html
    results = re.findall(r'<p class="code-result" id="code-(\d+)-resultat">(.*?)</p>', html, re.S)
    assert any(message in problem for _, problem in results[1:]), results
    assert 'role="alert"' in html
    assert snapshot() == before


def test_too_many_vouchers_for_the_price_is_refused_with_the_number_needed(logged, counter, funder):
    codes = codes_of(issue(funder), 4)
    before = snapshot()
    response = post(logged, counter, codes, action="encaisser")
    html = text(response)
    assert response.status_code == 400
    assert "Trop de chèques : 3 suffisent pour ce service à 25 € (la monnaie n'est pas rendue)." in html
    assert snapshot() == before


def test_a_provider_that_stops_being_labelled_cannot_redeem(logged, counter, funder):
    codes = codes_of(issue(funder), 1)
    organisation = counter[0]
    organisation.provider.subscription.cancelled_on = timezone.localdate() - datetime.timedelta(days=1)
    organisation.provider.subscription.save()
    before = snapshot()
    response = post(logged, counter, codes, action="encaisser")
    assert "ne peut pas encore accepter de chèques" in text(response)
    assert snapshot() == before
