"""The export of places in the national standard: what is published, how, and that it validates."""

import csv
import datetime
import io
import json
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aptic.core.tests.factories import MembershipFactory
from aptic.opendata import selectors, standard
from aptic.providers.models import Provider, Subscription
from aptic.vocabulary.models import ServiceCategory

from . import factories
from .helpers import frictionless_errors, validate_csv, validate_json_objects

pytestmark = pytest.mark.django_db


def _download(client, name: str):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert response.streaming
    return response, b"".join(response.streaming_content)


def _csv_rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))


@pytest.fixture
def network():
    organisation = factories.provider(name="Association Les Connectés")
    mediatheque = factories.place(organisation, "Médiathèque Tarentaize")
    factories.offer(mediatheque, "Aide aux démarches administratives", 0)
    factories.offer(mediatheque, "Loisirs et créations numériques", 1500)
    factories.offer(mediatheque, "Utilisation sécurisée du numérique", 1000, is_active=False)
    bus = factories.place(
        organisation,
        "Bus numérique du Pilat",
        is_mobile=True,
        address="",
        opening_hours="",
        phone="",
        typologies=[],
        service_categories=[],
    )
    return SimpleNamespace(organisation=organisation, mediatheque=mediatheque, bus=bus)


def test_the_csv_export_follows_the_standard_and_validates(client, network):
    response, body = _download(client, "opendata:places_csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="lieux-mediation-numerique-aptic-')
    report = validate_csv(body)
    assert report.valid, frictionless_errors(report)
    assert body.decode("utf-8").splitlines()[0] == ",".join(standard.columns())
    rows = {row["id"]: row for row in _csv_rows(body)}
    assert set(rows) == {f"aptic-lieu-{network.mediatheque.pk}", f"aptic-lieu-{network.bus.pk}"}

    mediatheque = rows[f"aptic-lieu-{network.mediatheque.pk}"]
    assert mediatheque["pivot"] == network.organisation.siret
    assert mediatheque["nom"] == "Médiathèque Tarentaize"
    assert (mediatheque["commune"], mediatheque["code_postal"], mediatheque["code_insee"]) == (
        "Saint-Étienne",
        "42000",
        "42218",
    )
    assert (mediatheque["latitude"], mediatheque["longitude"]) == ("45.4241", "4.36647")
    assert mediatheque["typologie"] == "BIB|EPN"
    assert mediatheque["telephone"] == "+33477430977"
    assert mediatheque["source"] == "#APTIC"
    assert mediatheque["itinerance"] == "Fixe"
    assert mediatheque["structure_parente"] == "Association Les Connectés"
    assert mediatheque["date_maj"] == timezone.localdate().isoformat()
    # Declared categories and those of active offers, in the standard's order; the inactive offer is left out.
    assert mediatheque["services"] == "Aide aux démarches administratives|Loisirs et créations numériques"
    assert mediatheque["frais_a_charge"] == "Gratuit|Payant"
    assert mediatheque["modalites_acces"] == "Se présenter|Téléphoner"
    assert mediatheque["formations_labels"] == ""  # never exported (see the schema's known defect)

    bus = rows[f"aptic-lieu-{network.bus.pk}"]
    assert bus["itinerance"] == "Itinérant"
    assert bus["adresse"] == "Saint-Étienne"  # required by the standard: the commune stands in
    assert bus["services"] == bus["frais_a_charge"] == bus["typologie"] == ""


def test_the_json_export_has_the_same_rows_and_validates(client, network):
    _, csv_body = _download(client, "opendata:places_csv")
    response, body = _download(client, "opendata:places_json")

    assert response["Content-Type"] == "application/json; charset=utf-8"
    objects = json.loads(body)
    assert isinstance(objects, list) and len(objects) == 2
    assert all(list(obj) == standard.columns() for obj in objects)
    assert isinstance(objects[0]["latitude"], float)
    report = validate_json_objects(objects)
    assert report.valid, frictionless_errors(report)
    as_csv = [{key: "" if value is None else str(value) for key, value in obj.items()} for obj in objects]
    assert as_csv == _csv_rows(csv_body)


def test_an_empty_export_is_still_a_valid_file(client):
    _, body = _download(client, "opendata:places_csv")
    assert body == (",".join(standard.columns()) + "\r\n").encode()
    assert validate_csv(body).valid
    _, body = _download(client, "opendata:places_json")
    assert json.loads(body) == []


def test_hidden_places_and_places_of_providers_not_labelled_are_not_exported(client, network):
    hidden = factories.place(network.organisation, "Permanence fermée", is_published=False)
    pending = factories.place(factories.provider(name="Pas encore qualifiée", labelled=False), "Lieu en attente")
    lapsed_provider = factories.provider(name="Abonnement expiré")
    lapsed = factories.place(lapsed_provider, "Lieu sans abonnement")
    today = timezone.localdate()
    Subscription.objects.filter(provider__organisation=lapsed_provider).update(
        started_on=today - datetime.timedelta(days=90), trial_until=today - datetime.timedelta(days=60)
    )
    inactive_provider = factories.provider(name="Structure désactivée")
    inactive = factories.place(inactive_provider, "Lieu d'une structure désactivée")
    inactive_provider.is_active = False
    inactive_provider.save()

    exported = {row["id"] for row in selectors.standard_rows()}

    assert exported == {f"aptic-lieu-{network.mediatheque.pk}", f"aptic-lieu-{network.bus.pk}"}
    _, body = _download(client, "opendata:places_csv")
    for place in (hidden, pending, lapsed, inactive):
        assert place.name.encode() not in body


def test_no_personal_data_is_exported(client, network):
    provider = Provider.objects.get(organisation=network.organisation)
    if hasattr(provider, "contact_name"):
        provider.contact_name = "Hélène Dupré-Contact"
        provider.save()
    member = MembershipFactory(organisation=network.organisation, role="admin").user
    member.full_name = "Jean-Personne Membre"
    member.save()
    network.organisation.email = "direction.privee@exemple.fr"
    network.organisation.phone = "+33611223344"
    network.organisation.save()

    for name in ("opendata:places_csv", "opendata:places_json"):
        _, body = _download(client, name)
        text = body.decode()
        for personal in ("Hélène", "Jean-Personne", member.email, "direction.privee", "+33611223344"):
            assert personal not in text


def test_fees_come_from_active_offers_only(network):
    only_free = factories.place(network.organisation, "Point gratuit")
    factories.offer(only_free, "Accès internet et matériel informatique", 0)
    only_inactive = factories.place(network.organisation, "Point en pause")
    factories.offer(only_inactive, "Accès internet et matériel informatique", 500, is_active=False)

    rows = {row["nom"]: row for row in selectors.standard_rows()}

    assert rows["Point gratuit"]["frais_a_charge"] == "Gratuit"
    assert rows["Point en pause"]["frais_a_charge"] is None
    assert rows["Point en pause"]["services"] == "Aide aux démarches administratives"


def test_a_term_outside_the_standard_is_left_out_so_the_file_stays_valid(client, network):
    own = ServiceCategory.objects.create(code="atelier-maison", label="Atelier maison", standard_value="Atelier maison")
    network.mediatheque.service_categories.add(own)

    _, body = _download(client, "opendata:places_csv")

    assert b"Atelier maison" not in body
    assert validate_csv(body).valid


def test_the_export_is_public_cacheable_and_read_only(client, network):
    response = client.get(reverse("opendata:places_json"))
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age=900" in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert client.post(reverse("opendata:places_csv")).status_code == 405


def test_the_number_of_queries_does_not_grow_with_the_number_of_places(network):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            list(selectors.standard_rows())
        return len(context.captured_queries)

    few = queries()
    for number in range(20):
        place = factories.place(network.organisation, f"Antenne {number}")
        factories.offer(place, "Aide aux démarches administratives", 1000)
    assert queries() == few
