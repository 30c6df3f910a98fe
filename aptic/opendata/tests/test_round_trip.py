"""Both ways: a file in the standard is imported, exported again, validated, and imported elsewhere."""

import json

import pytest
from django.urls import reverse

from aptic.accounts.models import Organisation
from aptic.opendata.services import places_import
from aptic.places.models import Place

from . import factories
from .helpers import DATA, EXAMPLE, frictionless_errors, validate_csv, validate_json_objects

pytestmark = pytest.mark.django_db

FIELDS = (
    "name",
    "address",
    "address_complement",
    "commune_id",
    "postal_code",
    "latitude",
    "longitude",
    "is_mobile",
    "opening_hours",
    "summary",
    "description",
    "acceslibre_url",
    "phone",
    "email",
    "website",
    "booking_url",
    "provider__siret",
    "provider__name",
)
RELATIONS = ("typologies", "service_categories", "publics", "access_modes", "support_modes")


def _places() -> list[dict]:
    snapshot = []
    for place in Place.objects.select_related("provider").order_by("name"):
        values = {
            field: getattr(place.provider, field[10:]) if field.startswith("provider__") else getattr(place, field)
            for field in FIELDS
        }
        for relation in RELATIONS:
            values[relation] = sorted(getattr(place, relation).values_list("standard_value", flat=True))
        snapshot.append(values)
    return snapshot


def _empty_database():
    Place.objects.all().delete()
    Organisation.objects.filter(kind="provider").delete()


def test_imported_places_are_exported_valid_and_import_back_the_same(client):
    for path in (EXAMPLE, DATA / "excel-windows-1252-point-virgule.csv"):
        report = places_import(data=path.read_bytes(), filename=path.name)
        assert not report.has_errors, report.errors
    for organisation in Organisation.objects.filter(kind="provider"):
        factories.label(organisation)
    before = _places()
    assert len(before) == 3

    exported = b"".join(client.get(reverse("opendata:places_csv")).streaming_content)
    report = validate_csv(exported)
    assert report.valid, frictionless_errors(report)
    objects = json.loads(b"".join(client.get(reverse("opendata:places_json")).streaming_content))
    report = validate_json_objects(objects)
    assert report.valid, frictionless_errors(report)

    _empty_database()
    report = places_import(data=exported, filename="lieux.csv")

    assert not report.has_errors, report.errors
    assert (report.places_created, report.providers_created) == (3, 2)
    assert not any(row.warnings for row in report.rows)
    assert _places() == before
    assert set(Place.objects.values_list("external_id", flat=True)) == {row["id"] for row in objects}
