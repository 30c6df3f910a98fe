"""Integers from a request: digits that are not ASCII ("²", "٣", "５") and numbers beyond what the
database holds are refused like any other bad value, never a 500 (issue #12)."""

import pytest
from django.test import Client
from django.urls import reverse

from aptic.core.params import MAX_ID, parse_id, parse_int

pytestmark = pytest.mark.django_db

ODD = ["²", "٣", "５", "1²", str(10**30), "-1", "1_000", " 12 ", "x" * 10_000]


def test_the_parser_reads_ascii_digits_within_bounds_only():
    assert parse_int("12") == 12 and parse_int(" 12 ") == 12 and parse_id(str(MAX_ID)) == MAX_ID
    for value in ["²", "٣", "５", "1_000", "+3", "1.0", "", None, str(MAX_ID + 1), "9" * 5000, True]:
        assert parse_int(value) is None, value
    assert parse_int("-4") is None and parse_int("-4", minimum=-10) == -4 and parse_id("0") is None


@pytest.mark.parametrize("value", ODD)
def test_the_catalogue_radius(value):
    response = Client(raise_request_exception=True).get(reverse("directory:catalogue"), {"rayon": value})
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("value", ODD)
def test_the_counter_s_query_and_its_add_a_field_button(client, counter, value):
    organisation, admin, place, workshop, _ = counter
    client.force_login(admin)
    url = reverse("vouchers:counter", kwargs={"org_slug": organisation.slug})
    assert client.get(url, {"recu": value}).status_code == 404
    for name in ("lieu", "service"):
        assert client.get(url, {name: value}).status_code == 200
    response = client.post(url, {"action": "ajouter", "lieu": value, "service": value, "code": ["", ""]})
    assert response.status_code == 200
    response = client.post(url, {"action": "verifier", "lieu": value, "service": workshop.pk, "code": "X"})
    assert response.status_code == 400
