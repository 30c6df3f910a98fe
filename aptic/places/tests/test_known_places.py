"""The places the territorial diagnostic knows (ADR 0049): public #APTIC places with their declared
and offered categories, and reference places not retired."""

import pytest
from django.utils import timezone

from aptic.places.models import ReferencePlace
from aptic.places.selectors import APTIC, REFERENCE, known_places
from aptic.vocabulary.models import ServiceCategory
from aptic.vouchers.tests.conftest import counter  # noqa: F401 (a labelled provider's place and offer)


@pytest.mark.django_db
def test_known_places_are_public_aptic_places_and_active_reference_places(vocabulary, counter):  # noqa: F811
    _, _, place, offer, _ = counter
    declared = ServiceCategory.objects.exclude(pk=offer.category_id).first()
    place.service_categories.set([declared])
    reference = ReferencePlace.objects.create(
        source="cartographie-nationale", source_id="abc", name="Médiathèque", commune=place.commune,
        latitude=45.4, longitude=4.4,
    )  # fmt: skip
    reference.service_categories.set([declared])
    retired = ReferencePlace.objects.create(
        source="cartographie-nationale", source_id="old", name="Fermé", commune=place.commune,
        latitude=45.4, longitude=4.4, retired_at=timezone.now(),
    )  # fmt: skip
    found = {(p.kind, p.pk): p for p in known_places()}
    assert found[(APTIC, place.pk)].category_ids == {declared.pk, offer.category_id}
    assert found[(REFERENCE, reference.pk)].category_ids == {declared.pk}
    assert (REFERENCE, retired.pk) not in found
    place.is_published = False
    place.save(update_fields=["is_published"])
    assert (APTIC, place.pk) not in {(p.kind, p.pk) for p in known_places()}
