"""The export in the data·inclusion schema (ADR 0053): every structure and service parses with the
schema's own pydantic models (PyPI `data-inclusion-schema`), and the mapping table holds only values
of its closed lists."""

import csv
import datetime
from types import SimpleNamespace

import pytest
from data_inclusion.schema import v1
from django.urls import reverse

from aptic.opendata import datainclusion, standard
from aptic.places.models import OfferFormat
from aptic.vocabulary.models import AccessMode, PlaceTypology, Public, ServiceCategory, SupportMode
from aptic.vocabulary.services import DATA_DIR, TYPOLOGIES_FILE

from . import factories

pytestmark = pytest.mark.django_db

# Strict: the schema's warnings (a name ending with a full stop…) count as errors.
STRICT = {"ignore_warnings": False}


def _get(client, name: str) -> list[dict]:
    response = client.get(reverse(f"opendata:{name}"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


def _parsed(client) -> SimpleNamespace:
    """Both files, each object parsed by the schema's model; a failure names the object."""
    structures, services = _get(client, "datainclusion_structures"), _get(client, "datainclusion_services")
    for obj in structures:
        assert set(obj) == set(v1.Structure.model_fields), obj["id"]
        v1.Structure.model_validate(obj, context=STRICT)
    for obj in services:
        assert set(obj) == set(v1.Service.model_fields), obj["id"]
        v1.Service.model_validate(obj, context=STRICT)
    return SimpleNamespace(
        structures={s["id"]: s for s in structures},
        services={s["id"]: s for s in services},
    )


def _offer(place, category: str, price_cents: int, format: str, title: str, publics=()):
    offer = factories.offer(place, category, price_cents, title=title)
    offer.format = format
    offer.save()
    offer.publics.set(Public.objects.filter(standard_value__in=publics))
    return offer


@pytest.fixture
def network():
    organisation = factories.provider(name="Association Les Connectés")
    mediatheque = factories.place(
        organisation,
        "Médiathèque Tarentaize",
        booking_url="https://rdv.exemple.fr/tarentaize",
        access_modes=AccessMode.objects.filter(standard_value__in=["Se présenter", "Prendre un RDV en ligne"]),
        support_modes=SupportMode.objects.filter(standard_value__in=["Accompagnement individuel", "À distance"]),
    )
    _offer(mediatheque, "Aide aux démarches administratives", 0, OfferFormat.INDIVIDUAL, "Permanence administrative")
    _offer(mediatheque, "Loisirs et créations numériques", 1500, OfferFormat.GROUP, "Atelier photo", ["Jeunes"])
    _offer(mediatheque, "Loisirs et créations numériques", 2500, OfferFormat.GROUP, "Atelier vidéo")
    inactive = _offer(mediatheque, "Utilisation sécurisée du numérique", 1000, OfferFormat.INDIVIDUAL, "Arnaques")
    inactive.is_active = False
    inactive.save()
    # A second place of the same provider, a France Services for professionals only, no public welcome.
    back_office = factories.place(
        organisation,
        "Plateforme d'orientation",
        typologies=PlaceTypology.objects.filter(standard_value="RFS"),
        publics=[],
        service_categories=ServiceCategory.objects.filter(
            standard_value="Acquisition de matériel informatique à prix solidaire"
        ),
        access_modes=AccessMode.objects.filter(
            standard_value__in=["Ce lieu n'accueille pas de public", "Envoyer un mail avec une fiche de prescription"]
        ),
        support_modes=SupportMode.objects.filter(standard_value="Dans un atelier collectif"),
        phone="",
    )
    other = factories.provider(name="Fablab du Pilat", insee_code="42017")
    fablab = factories.place(other, "Fablab", insee_code="42017", email="", typologies=[], publics=[])
    unlabelled = factories.provider(name="Structure en attente", labelled=False)
    factories.place(unlabelled, "Lieu en attente")
    hidden = factories.place(other, "Lieu masqué", is_published=False)
    return SimpleNamespace(
        organisation=organisation, mediatheque=mediatheque, back_office=back_office, other=other, fablab=fablab,
        hidden=hidden,
    )  # fmt: skip


def _service_id(place, category: str) -> str:
    return f"aptic--lieu-{place.pk}--{ServiceCategory.objects.get(standard_value=category).code}"


def test_every_structure_and_service_parses_with_the_schema_models(client, network):
    files = _parsed(client)

    assert set(files.structures) == {
        f"aptic--structure-{network.organisation.pk}",
        f"aptic--structure-{network.other.pk}",
    }
    # One service per category a published place declares or has an active offer in: never the
    # inactive offer's category, never the unlabelled provider's or the hidden place's.
    assert set(files.services) == {
        _service_id(network.mediatheque, "Aide aux démarches administratives"),
        _service_id(network.mediatheque, "Loisirs et créations numériques"),
        _service_id(network.back_office, "Acquisition de matériel informatique à prix solidaire"),
        _service_id(network.fablab, "Aide aux démarches administratives"),
    }
    assert {s["structure_id"] for s in files.services.values()} <= set(files.structures)


def test_structures_carry_the_provider_and_its_networks(client, network):
    structure = _parsed(client).structures[f"aptic--structure-{network.organisation.pk}"]

    assert structure["nom"] == "Association Les Connectés"
    assert structure["siret"] == network.organisation.siret
    assert structure["source"] == "aptic"
    # BIB and EPN for the médiathèque (a library has no network there), RFS for the other place.
    assert structure["reseaux_porteurs"] == ["espaces-publics-numeriques", "france-service"]
    fablab = _parsed(client).structures[f"aptic--structure-{network.other.pk}"]
    assert fablab["reseaux_porteurs"] is None


def test_services_carry_the_place_the_offers_and_the_mapping(client, network, settings):
    settings.SITE_URL = "https://aptic.exemple.fr"
    services = _parsed(client).services

    leisure = services[_service_id(network.mediatheque, "Loisirs et créations numériques")]
    assert leisure["thematiques"] == [
        "numerique--maitriser-les-fondamentaux-du-numerique",
        "remobilisation--activites-sportives-et-culturelles",
    ]
    assert leisure["type"] == "atelier"  # every offer of it is a group workshop
    assert (leisure["frais"], leisure["frais_precisions"]) == (
        "payant",
        "de 15 € à 25 € TTC selon le service ; payable en chèques #APTIC.",
    )
    assert "Atelier photo : 15 € TTC, 1 h, atelier collectif, payable en chèques #APTIC." in leisure["description"]
    assert leisure["publics"] == ["jeunes", "seniors"]  # the offer's and the place's
    assert leisure["modes_accueil"] == ["a-distance", "en-presentiel"]
    assert leisure["modes_mobilisation"] == ["se-presenter", "utiliser-lien-mobilisation"]
    assert leisure["mobilisable_par"] == ["usagers"]
    assert leisure["lien_mobilisation"] == "https://rdv.exemple.fr/tarentaize"
    assert leisure["lien_source"] == f"https://aptic.exemple.fr/lieux/{network.mediatheque.pk}/"
    assert (leisure["code_insee"], leisure["commune"], leisure["telephone"]) == (
        "42218",
        "Saint-Étienne",
        "+33477430977",
    )
    assert leisure["horaires_accueil"] == "Tu-Sa 10:00-18:00"
    assert leisure["contact_nom_prenom"] is None

    free = services[_service_id(network.mediatheque, "Aide aux démarches administratives")]
    assert (free["frais"], free["frais_precisions"], free["type"]) == ("gratuit", None, "accompagnement")

    equipment = services[_service_id(network.back_office, "Acquisition de matériel informatique à prix solidaire")]
    assert equipment["type"] == "aide-materielle"
    assert equipment["frais"] is None  # declared without an offer: its fees are not known
    assert equipment["publics"] == ["tous-publics"]
    assert equipment["modes_accueil"] is None  # a workshop, but the place welcomes no public
    assert (equipment["modes_mobilisation"], equipment["mobilisable_par"]) == (
        ["envoyer-un-courriel"],
        ["professionnels"],
    )

    fablab = services[_service_id(network.fablab, "Aide aux démarches administratives")]
    # "Téléphoner" is declared and a phone published; no e-mail, so no mode needing one.
    assert fablab["modes_mobilisation"] == ["se-presenter", "telephoner"]


def test_a_contact_mode_without_its_contact_is_left_out(client, network):
    network.mediatheque.booking_url = ""
    network.mediatheque.save()

    leisure = _parsed(client).services[_service_id(network.mediatheque, "Loisirs et créations numériques")]

    assert leisure["modes_mobilisation"] == ["se-presenter"]
    assert leisure["lien_mobilisation"] is None


def test_dates_are_never_in_the_future_for_a_reader_on_utc(client, network):
    files = _parsed(client)
    today = datetime.datetime.now(datetime.UTC).date().isoformat()

    assert all(obj["date_maj"] <= today for obj in [*files.structures.values(), *files.services.values()])


def test_an_empty_platform_gives_empty_lists(client):
    assert _get(client, "datainclusion_structures") == []
    assert _get(client, "datainclusion_services") == []


def test_the_files_are_public_cacheable_and_read_only(client, network):
    url = reverse("opendata:datainclusion_services")
    assert "public" in client.get(url)["Cache-Control"]
    assert client.post(url).status_code == 405


# --- The mapping table -----------------------------------------------------------------------


def _enum(model) -> set[str]:
    return {member.value for member in model}


def test_the_mapping_covers_the_standard_and_holds_only_schema_values():
    categories = datainclusion.CATEGORIES
    assert set(categories) == standard.enumeration("services")  # the 9 categories, no more
    assert {t for c in categories.values() for t in c.thematiques} <= _enum(v1.Thematique)
    assert {c.type for c in categories.values()} | {datainclusion.WORKSHOP} <= _enum(v1.TypeService)

    assert set(datainclusion.PUBLICS) == standard.enumeration("publics_specifiquement_adresses")
    assert {*datainclusion.PUBLICS.values(), datainclusion.ALL_PUBLICS} <= _enum(v1.Public)

    access = datainclusion.ACCESS_MODES
    assert {*access, datainclusion.NO_PUBLIC_WELCOME} == standard.enumeration("modalites_acces")
    assert {mode for mode, _, _ in access.values()} <= _enum(v1.ModeMobilisation)
    assert {who for _, who, _ in access.values()} <= _enum(v1.PersonneMobilisatrice)
    assert {needs for _, _, needs in access.values()} - {None} <= set(v1.Service.model_fields)

    assert set(datainclusion.SUPPORT_MODES) == standard.enumeration("modalites_accompagnement")
    assert {*datainclusion.SUPPORT_MODES.values(), *datainclusion.FORMATS.values()} <= _enum(v1.ModeAccueil)
    assert set(datainclusion.FORMATS) == set(OfferFormat.values)
    assert {datainclusion.FREE, datainclusion.PAID} == _enum(v1.Frais)

    with open(DATA_DIR / TYPOLOGIES_FILE, encoding="utf-8", newline="") as handle:
        typologies = {row["code"] for row in csv.DictReader(handle)}
    assert set(datainclusion.TYPOLOGIES) <= typologies
    assert set(datainclusion.TYPOLOGIES.values()) <= _enum(v1.ReseauPorteur)
