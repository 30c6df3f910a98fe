"""Ratings: given from the page of a spent voucher, once per service; the place page shows the
average and the latest comments; staff hide and show; addresses in comments wait for staff."""

import pytest
from django.urls import reverse

from aptic.core.errors import DomainError
from aptic.core.tests.helpers import text
from aptic.directory.selectors import rating_of
from aptic.vouchers.models import Rating, RatingStatus
from aptic.vouchers.ratings import needs_moderation, rating_create, rating_hide, rating_show
from aptic.vouchers.redemption import redemption_cancel, redemption_create

from .conftest import snapshot
from .test_views_support import codes_of, issue, public_url, voucher_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def spent(counter, funder):
    """Two redemptions at the counter's place: three vouchers for the workshop, one for the short help."""
    organisation, admin, place, workshop, short = counter
    order = issue(funder)
    workshop_codes = codes_of(order, 3)
    short_code = codes_of(order, 1, start=3)[0]
    first = redemption_create(
        provider=organisation, place=place, offer=workshop, codes=workshop_codes, user=admin
    ).redemption
    second = redemption_create(
        provider=organisation, place=place, offer=short, codes=[short_code], user=admin
    ).redemption
    return {"workshop": workshop_codes, "short": short_code, "first": first, "second": second, "order": order}


def rate(client, code, note, comment=""):
    return client.post(public_url(code), {"note": note, "commentaire": comment})


def place_page(client, place):
    return text(client.get(reverse("directory:detail", kwargs={"pk": place.pk})))


def test_the_holder_rates_the_service_once(client, counter, spent):
    code = spent["workshop"][0]
    html = text(client.get(public_url(code)))
    assert "<legend>Votre note <span" in html and "5 — Très satisfait" in html and "Votre commentaire" in html
    response = rate(client, code, 4, "Très bon atelier, merci à l'animatrice.")
    assert response.status_code == 302 and response.url == public_url(code)
    rating = Rating.objects.get()
    assert (rating.score, rating.status, rating.voucher.code) == (4, RatingStatus.PUBLISHED, code)
    assert (rating.place, rating.offer, rating.redemption) == (counter[2], counter[3], spent["first"])
    html = text(client.get(public_url(code)))
    assert "Merci pour votre avis !" in html and "Ce service a été noté 4 sur 5." in html
    assert "Envoyer mon avis" not in html
    # Once: the same voucher again, or another voucher of the same service, changes nothing.
    before = snapshot()
    assert rate(client, code, 1).status_code == 302
    assert rate(client, spent["workshop"][1], 1).status_code == 302
    assert "Ce service a été noté 4 sur 5." in text(client.get(public_url(spent["workshop"][2])))
    assert snapshot() == before
    with pytest.raises(DomainError, match="déjà été noté"):
        rating_create(voucher=voucher_of(spent["workshop"][1]), score=2)
    # A voucher of another service may rate that one.
    assert rate(client, spent["short"], 2).status_code == 302
    assert Rating.objects.count() == 2


def test_one_rating_per_redemption_is_a_database_rule(spent):
    from django.db import IntegrityError, transaction

    rating_create(voucher=voucher_of(spent["workshop"][0]), score=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(
            redemption=spent["first"],
            voucher=voucher_of(spent["workshop"][1]),
            place=spent["first"].place,
            offer=spent["first"].offer,
            score=1,
        )


def test_only_a_spent_voucher_rates(client, counter, spent, funder):
    fresh = codes_of(spent["order"], 1, start=10)[0]
    html = text(client.get(public_url(fresh)))
    assert "Votre avis" not in html
    before = snapshot()
    assert rate(client, fresh, 5).status_code == 302
    assert snapshot() == before
    with pytest.raises(DomainError, match="pas encore payé de service"):
        rating_create(voucher=voucher_of(fresh), score=5)
    # Nor a voucher whose redemption was cancelled (it is usable again).
    redemption_cancel(redemption=spent["second"], user=counter[1], reason="Erreur")
    with pytest.raises(DomainError, match="pas encore payé de service"):
        rating_create(voucher=voucher_of(spent["short"]), score=5)


@pytest.mark.parametrize(
    "note,comment,message",
    [
        ("", "", "Choisissez une note de 1 à 5."),
        ("0", "", "Choisissez une note de 1 à 5."),
        ("6", "", "Choisissez une note de 1 à 5."),
        ("cinq", "", "Choisissez une note de 1 à 5."),
        ("4", "x" * 1001, "Le commentaire est trop long : 1000 caractères au plus."),
    ],
)
def test_bad_ratings_are_refused_in_french(client, spent, note, comment, message):
    code = spent["workshop"][0]
    before = snapshot()
    response = rate(client, code, note, comment)
    html = text(response)
    assert response.status_code == 400
    assert "Votre avis n'a pas été enregistré" in html and message in html
    assert snapshot() == before


def test_service_checks_score_and_comment(spent):
    voucher = voucher_of(spent["workshop"][0])
    for score in (0, 6, "5", True, 4.5):
        with pytest.raises(DomainError, match="note de 1 à 5"):
            rating_create(voucher=voucher, score=score)
    with pytest.raises(DomainError, match="trop long"):
        rating_create(voucher=voucher, score=3, comment="é" * 1001)
    assert rating_create(voucher=voucher, score=3, comment="  " + "é" * 1000 + "  ").comment == "é" * 1000


def test_average_count_and_comments_on_the_place_page(client, counter, spent, funder):
    place = counter[2]
    assert "Pas encore de note." in place_page(client, place)
    rate(client, spent["workshop"][0], 5, "Patient et clair.")
    rate(client, spent["short"], 2)
    html = place_page(client, place)
    assert "3,5 sur 5</strong>" in html and "(2 avis)" in html
    assert "Derniers commentaires" in html and "Patient et clair." in html
    assert "5 sur 5</strong> · Atelier smartphone" in html
    assert rating_of(place).count == 2 and rating_of(place).average == 3.5


def test_moderation_hides_and_shows(client, counter, spent, funder_admin):
    place = counter[2]
    rate(client, spent["workshop"][0], 1, "Nul, n'y allez pas.")
    rate(client, spent["short"], 4, "Bien.")
    rating = Rating.objects.get(score=1)
    with pytest.raises(DomainError, match="Indiquez pourquoi cet avis est masqué."):
        rating_hide(rating=rating, actor=funder_admin, reason=" ")
    rating_hide(rating=rating, actor=funder_admin, reason="Propos injurieux")
    rating.refresh_from_db()
    assert (rating.status, rating.moderation_reason, rating.moderated_by) == (
        "hidden",
        "Propos injurieux",
        funder_admin,
    )
    html = place_page(client, place)
    assert "4,0 sur 5</strong>" in html and "(1 avis)" in html
    assert "n'y allez pas" not in html and "Bien." in html
    rating_show(rating=rating, actor=funder_admin, reason="Relu : critique légitime")
    html = place_page(client, place)
    assert "2,5 sur 5</strong>" in html and "n'y allez pas" in html


def test_a_comment_with_an_address_is_held(client, counter, spent):
    place = counter[2]
    response = rate(client, spent["workshop"][0], 5, "Super ! Voir https://promo.example/offre")
    assert response.status_code == 302
    assert "votre commentaire sera publié après relecture" in text(client.get(response.url))
    rating = Rating.objects.get()
    assert rating.status == RatingStatus.HELD and "adresse web ou e-mail" in rating.moderation_reason
    html = place_page(client, place)
    assert "5,0 sur 5</strong>" in html and "(1 avis)" in html  # the score counts
    assert "promo.example" not in html and "Derniers commentaires" not in html
    rating_show(rating=rating, actor=counter[1], reason="Lien inoffensif")
    assert "promo.example" in place_page(client, place)


@pytest.mark.parametrize(
    "comment",
    [
        "voir http://exemple.org",
        "WWW.ARNAQUE.NET",
        "mon site : monatelier.fr/contact",
        "écrivez-moi à jean.dupont@exemple.fr",
        "jean.dupont (at) exemple.com",
    ],
)
def test_addresses_are_held(comment):
    assert needs_moderation(comment)


@pytest.mark.parametrize(
    "comment",
    ["", "Très bien, merci !", "Atelier de 2 h, 3 personnes. Bien expliqué.", "J'ai appris à envoyer un e-mail."],
)
def test_plain_comments_are_published(comment):
    assert not needs_moderation(comment)


def test_a_cancelled_redemptions_rating_no_longer_counts(client, counter, spent):
    rate(client, spent["short"], 1)
    assert rating_of(counter[2]).count == 1
    redemption_cancel(redemption=spent["second"], user=counter[1], reason="Service non rendu")
    assert rating_of(counter[2]) is None
