"""Quote forms hold the business's ranges and formats (issue #12): a face value, a quantity and
options in sane ranges with their own messages; the public request counts only what it sends,
shows every mistake at once, reads the commune as the autocomplete writes it."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from aptic.billing.models import Quote, QuoteOption, QuoteRequest
from aptic.core.tests.factories import CommuneFactory
from aptic.core.tests.helpers import text

from .conftest import quote_form
from .test_end_to_end import request_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(quote_request, staff):
    from aptic.billing import services

    return services.quote_create_from_request(request=quote_request(), actor=staff)


def save_quote(client, quote, offers, **changes):
    form = quote_form(offers, action="save", **changes)
    return client.post(reverse("billing:staff_quote", kwargs={"pk": quote.pk}), form)


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("face_value", "99999999999", "La valeur faciale d'un chèque est d'au plus 200 €."),
        ("face_value", "0,50", "La valeur faciale d'un chèque est d'au moins 1 €."),
        ("face_value", "10,555", "au plus deux chiffres après la virgule"),
        ("quantity", "99999999999", "Une commande compte au plus 5\u202f000\u202f000 chèques."),
        ("quantity", "1000.5", "Indiquez un nombre entier de chèques"),
        ("network_delivery", "99999999999", "Le prix d'une option est d'au plus 500\u202f000 € HT"),
        ("network_delivery", "0", "Le prix d'une option est d'au moins 0,01 € HT"),
    ],
)
def test_staff_quote_amounts_stay_in_range(client, staff, draft, offers, field, typed, message):
    before = draft.total_cents
    client.force_login(staff)
    response = save_quote(client, draft, offers, **{field: typed})
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert "gratuit" not in page
    draft.refresh_from_db()
    assert draft.total_cents == before and not QuoteOption.objects.filter(quote=draft).exists()


def test_a_quote_is_valid_one_year_at_most(client, staff, draft, offers):
    """Found in review: a quote could be saved valid until 31/12/9999."""
    client.force_login(staff)
    last = timezone.localdate() + datetime.timedelta(days=365)
    for typed in ("9999-12-31", (last + datetime.timedelta(days=1)).isoformat()):
        response = save_quote(client, draft, offers, valid_until=typed)
        assert response.status_code == 400
        assert f"Un devis est valable un an au plus : choisissez le {last:%d/%m/%Y} au plus tard." in text(response)
    assert save_quote(client, draft, offers, valid_until=last.isoformat()).status_code == 302
    draft.refresh_from_db()
    assert draft.valid_until == last


def test_in_range_quote_is_saved_and_dotted_thousands_still_read(client, staff, draft, offers):
    client.force_login(staff)
    response = save_quote(client, draft, offers, quantity="2.000", face_value="200", network_delivery="1 500,50")
    assert response.status_code == 302, text(response)
    quote = Quote.objects.get(pk=draft.pk)
    assert (quote.quantity, quote.face_value_cents) == (2000, 20000)
    assert quote.options.get().amount_cents == 150050


def test_the_database_refuses_a_face_value_out_of_range(draft):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Quote.objects.filter(pk=draft.pk).update(face_value_cents=99999999)


@override_settings(APTIC_QUOTE_REQUEST_LIMIT=2)
def test_typing_mistakes_do_not_count_against_the_limit(client, offers):
    CommuneFactory()
    for _ in range(6):
        assert request_quote(client, offers, siret="123").status_code == 400
    assert request_quote(client, offers).status_code == 302
    assert request_quote(client, offers).status_code == 302
    assert request_quote(client, offers).status_code == 429
    assert QuoteRequest.objects.count() == 2


def test_every_mistake_shows_at_once(client, offers):
    CommuneFactory()
    response = request_quote(client, offers, siret="12345", phone="abc", quantity="1000.5", email="x")
    assert response.status_code == 400
    page = text(response)
    assert "ni un SIREN (9 chiffres) ni un SIRET (14 chiffres) valide" in page
    assert "Le numéro de téléphone « abc » n'est pas valide." in page
    assert "Indiquez un nombre entier de chèques" in page
    assert "Saisissez une adresse e-mail valide" in page
    assert not QuoteRequest.objects.exists()


def test_phone_is_stored_as_the_standard_writes_it(client, offers):
    CommuneFactory()
    assert request_quote(client, offers, phone="04 77 00 00 00").status_code == 302
    assert QuoteRequest.objects.get().phone == "+33477000000"


@pytest.mark.parametrize("typed", ["Mérignac (33700)", "merignac 33700", "MERIGNAC (33700)", " Mérignac  33700 "])
def test_commune_as_the_autocomplete_writes_it_or_as_typed(client, offers, typed):
    CommuneFactory(insee_code="33281", name="Mérignac", postal_codes="33700")
    CommuneFactory(insee_code="16216", name="Mérignac", postal_codes="16200")
    response = request_quote(client, offers, commune=typed)
    assert response.status_code == 302, text(response)
    assert QuoteRequest.objects.get().commune_id == "33281"


@pytest.mark.parametrize("typed", ["٣٣", "５０", "2\u202f000"])
def test_quantities_take_the_digits_0_to_9(client, typed):
    """Found in review: the public form read "٣٣" as 33 (item 3: ASCII digits only)."""
    response = client.post(reverse("billing:quote_request"), {"quantity": typed})
    page = text(response)
    if typed.startswith("2"):
        assert "Écrivez ce nombre avec les chiffres de 0 à 9." not in page
    else:
        assert "Écrivez ce nombre avec les chiffres de 0 à 9." in page
