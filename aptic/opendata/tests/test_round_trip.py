"""Both ways: a file in the standard is imported, exported again, validated, and imported elsewhere."""

import json

import pytest
from django.urls import reverse

from aptic.accounts.models import Organisation
from aptic.opendata import selectors
from aptic.opendata.services import places_import
from aptic.places.models import Place

from . import factories
from .helpers import DATA, EXAMPLE, frictionless_errors, validate_csv, validate_json_objects

pytestmark = pytest.mark.django_db

# What the export carries of a place, less what an import renews: its id and its date.
FIELDS = [field for field in selectors.PLACE_VALUES if field not in ("pk", "updated_at")]


def _places() -> list[dict]:
    snapshot = list(Place.objects.order_by("name").values("pk", *FIELDS))
    for values in snapshot:
        place = Place.objects.get(pk=values.pop("pk"))
        for relation in selectors.RELATIONS:
            values[relation] = sorted(getattr(place, relation).values_list("standard_value", flat=True))
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
