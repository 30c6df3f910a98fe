"""The public eligibility request: a structure and an invitation for its contact, or a French refusal
and nothing written."""

import pytest
from django.core import mail
from django.urls import reverse

from aptic.accounts.models import Invitation, Organisation
from aptic.core.errors import DomainError
from aptic.core.tests.helpers import text
from aptic.providers import services
from aptic.providers.models import Provider, ProviderEvent
from aptic.vocabulary.models import PlaceTypology

URL = reverse("providers:apply")
SIRET = "73282932000074"


def written():
    return (
        Organisation.objects.count(),
        Provider.objects.count(),
        ProviderEvent.objects.count(),
        Invitation.objects.count(),
    )


def post(client, data, capture):
    with capture(execute=True):
        return client.post(URL, data)


def test_the_form_is_public_and_accessible(client, vocabulary):
    page = client.get(URL)
    html = text(page)
    assert page.status_code == 200
    assert '<label for="id_siret">' in html and "<legend>La structure</legend>" in html
    assert "<div hidden>" in html  # the honeypot is hidden from people and assistive technologies


def test_a_request_creates_a_pending_structure_and_invites_its_contact(
    client, data, django_capture_on_commit_callbacks
):
    response = post(client, data, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    provider = Provider.objects.select_related("organisation").get()
    assert provider.status == "pending"
    assert provider.organisation.kind == "provider" and provider.organisation.siret == SIRET
    assert provider.organisation.legal_category == "commune"
    assert provider.events.get().to_status == "pending"
    invitation = Invitation.objects.get()
    assert invitation.role == "admin" and invitation.email == "rania.bertrand@exemple.fr"
    assert invitation.invited_by is None
    assert len(mail.outbox) == 1 and "Médiathèque du Forez" in mail.outbox[0].subject
    assert "rania.bertrand@exemple.fr" in text(client.get(response.url))


@pytest.mark.parametrize(
    "siret,message",
    [
        ("73282932000075", "n'est pas valide"),  # wrong Luhn key
        ("ABCDEFGHIJKLMN", "n'est pas valide"),
        ("7328293200007", "n'est pas valide"),  # 13 digits
        ("", "Indiquez le numéro SIRET de la structure (14 chiffres)."),
        ("7" * 1000, "n'est pas valide"),
        ("7328293200007\x00", "Le caractère nul n’est pas autorisé."),
    ],
)
def test_a_wrong_siret_is_refused_in_french(client, data, siret, message, django_capture_on_commit_callbacks):
    before = written()
    response = post(client, {**data, "siret": siret}, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert message in text(response)
    assert "<title>Erreur : " in text(response)
    assert written() == before and mail.outbox == []


def test_a_second_request_with_the_same_siret_says_what_to_do(client, data, django_capture_on_commit_callbacks):
    post(client, data, django_capture_on_commit_callbacks)
    before, sent = written(), len(mail.outbox)
    response = post(
        client,
        {**data, "siret": "732 829 320 00074", "name": "Autre nom", "email": "autre@exemple.fr"},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 400
    html = text(response)
    assert "Une structure avec le SIRET 73282932000074 est déjà inscrite sur #APTIC" in html
    assert "demandez à son administrateur de vous inviter" in html
    assert written() == before and len(mail.outbox) == sent


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("commune", "Nulle-Part-sur-Mer", "Aucune commune ne correspond à « Nulle-Part-sur-Mer »."),
        ("commune", "", "Indiquez une commune."),
        ("website", "http://spam.example", "Votre demande n'a pas pu être envoyée."),
        ("email", "pas une adresse", "Saisissez une adresse e-mail valide"),
        ("phone", "12", "Le numéro de téléphone « 12 » n'est pas valide."),
        ("typology", "999999", "Choisissez une typologie dans la liste."),
        ("typology", str(10**30), "Choisissez une typologie dans la liste."),
        ("typology", "abc", "Choisissez une typologie dans la liste."),
        ("legal_category", "empire", "Choisissez une catégorie dans la liste."),
        ("name", "", "Ce champ est obligatoire."),
        ("name", "x" * 201, "au plus 200 caractères"),
        ("contact_name", "   ", "Ce champ est obligatoire."),
    ],
)
def test_bad_input_gets_a_french_message_and_writes_nothing(
    client, data, field, value, message, django_capture_on_commit_callbacks
):
    before = written()
    response = post(client, {**data, field: value}, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert message in text(response)
    assert written() == before and mail.outbox == []


def test_markup_in_the_name_is_shown_as_text(client, data, django_capture_on_commit_callbacks):
    response = post(client, {**data, "name": "<script>alert(1)</script>"}, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert "<script>alert(1)</script>" not in client.get(response.url).content.decode()


def test_the_service_writes_nothing_when_the_invitation_cannot_be_made(commune, vocabulary):
    with pytest.raises(DomainError) as error:
        services.provider_apply(
            siret=SIRET,
            name="Fablab",
            address="1 rue Haute",
            commune=commune,
            typology=None,
            legal_category="association",
            contact_name="Jules Petit",
            email="pas-une-adresse",
            phone="0477123456",
        )
    assert error.value.field == "email"
    assert not Organisation.objects.exists() and not Invitation.objects.exists()


def test_the_service_refuses_an_inactive_typology_and_an_unknown_legal_category(commune, vocabulary):
    typology = PlaceTypology.objects.get(code="fablab")
    typology.is_active = False
    typology.save()
    arguments = {
        "siret": SIRET,
        "name": "Fablab",
        "address": "1 rue Haute",
        "commune": commune,
        "contact_name": "Jules Petit",
        "email": "jules@exemple.fr",
        "phone": "0477123456",
    }
    with pytest.raises(DomainError, match="n'est plus proposée"):
        services.provider_apply(typology=typology, legal_category="association", **arguments)
    with pytest.raises(DomainError, match="catégorie juridique"):
        services.provider_apply(typology=None, legal_category="empire", **arguments)
    assert not Organisation.objects.exists()


def test_the_field_refused_by_the_service_gets_the_focus(client, data, django_capture_on_commit_callbacks):
    post(client, data, django_capture_on_commit_callbacks)
    response = post(client, {**data, "email": "autre@exemple.fr"}, django_capture_on_commit_callbacks)
    html = text(response)
    assert 'name="siret"' in html and html.count("autofocus") == 1
    assert "autofocus" in html.split('name="siret"')[1].split(">")[0]


@pytest.mark.parametrize(
    "fields,field",
    [({"email": "pas-une-adresse"}, "email"), ({"phone": "0" * 21}, "phone")],
)
def test_provider_create_turns_model_validation_into_a_french_domain_error(commune, fields, field):
    """Other doors (the open-data import) call provider_create with raw values: no crash, nothing written."""
    with pytest.raises(DomainError) as error:
        services.provider_create(name="Fablab", siret=SIRET, commune=commune, **fields)
    assert error.value.field == field
    assert not Organisation.objects.exists() and not Provider.objects.exists()
