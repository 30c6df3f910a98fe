"""The JSON API at the counter: test, redeem, replay, cancel, list; every refusal with its status,
its machine code and its French message; nothing written when a request is refused."""

import datetime
import json
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from aptic.accounts.services import api_token_create
from aptic.core.tests.factories import DepartementFactory, MembershipFactory, OrganisationFactory
from aptic.places.models import Offer, Place
from aptic.vouchers import codes as voucher_codes
from aptic.vouchers.issuance import order_create, order_issue
from aptic.vouchers.models import Redemption, Voucher

from .conftest import make_labelled, snapshot

pytestmark = pytest.mark.django_db

CHECK, REDEEM, LIST = "/api/v1/vouchers/check", "/api/v1/redemptions", "/api/v1/redemptions"


def cancel_url(pk):
    return f"/api/v1/redemptions/{pk}/cancel"


# --- fixtures and helpers (also used by test_api_auth.py and test_api_concurrency.py) --------------


def issue(funder, quantity=20, **kwargs):
    """Active 10 € vouchers valid from today (the API redeems on today's date)."""
    kwargs.setdefault("valid_from", timezone.localdate())
    order = order_issue(order=order_create(funder=funder, quantity=quantity, **kwargs))
    return list(Voucher.objects.filter(order=order).order_by("sequence").values_list("code", flat=True))


@pytest.fixture(name="shop")
def shop_fixture(counter, funder):
    """The labelled provider of `counter`, its till's API key, and 20 vouchers to spend."""
    organisation, admin, place, workshop, short = counter
    token, key = api_token_create(organisation=organisation, name="Caisse accueil", created_by=admin)
    return SimpleNamespace(
        organisation=organisation,
        admin=admin,
        place=place,
        workshop=workshop,
        short=short,
        token=token,
        key=key,
        funder=funder,
        codes=issue(funder),
    )


def call(client, method, url, body=None, *, key=None, raw=None, content_type="application/json", **headers):
    """One API request; `body` is sent as JSON, `raw` as the bytes given."""
    if key:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    if method == "get":
        return client.get(url, body or {}, **headers)
    data = raw if raw is not None else json.dumps(body)
    return getattr(client, method)(url, data, content_type=content_type, **headers)


def redeem(client, shop, codes, *, offer=None, place=None, **headers):
    body = {"place_id": (place or shop.place).pk, "offer_id": (offer or shop.workshop).pk, "codes": codes}
    return call(client, "post", REDEEM, body, key=shop.key, **headers)


def error_of(response, status, error, message=None):
    """The response is the JSON error expected; its message is French (and given, if `message`)."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"] == error, body
    assert body["message"] and "Traceback" not in body["message"]
    if message:
        assert message in body["message"], body["message"]
    return body


# --- testing vouchers ------------------------------------------------------------------------------


def test_check_tells_code_by_code_and_spends_nothing(client, shop):
    before = snapshot()
    typed = [voucher_codes.display(shop.codes[0]).lower(), shop.codes[1], "AB"]
    response = call(client, "post", CHECK, {"place_id": shop.place.pk, "codes": typed}, key=shop.key)
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    first, second, bad = body["codes"]
    assert first["code"] == typed[0] and first["ok"] and first["problem"] == ""
    assert first["serial"].startswith(f"{timezone.localdate().year}-") and first["face_value_cents"] == 1000
    assert first["valid_until"] == f"{timezone.localdate().year}-12-31"
    assert second["index"] == 1 and second["ok"]
    assert bad == {
        "index": 2,
        "code": "AB",
        "ok": False,
        "problem": "Un code de chèque compte 16 caractères ; celui-ci en a 2.",
        "serial": None,
        "valid_until": None,
        "face_value_cents": None,
    }
    assert snapshot() == before


def test_check_with_an_offer_applies_the_funders_rules(client, shop):
    elsewhere = DepartementFactory(code="69", name="Rhône")
    codes = issue(shop.funder, quantity=10, rule_departements=[elsewhere])
    body = {"place_id": shop.place.pk, "codes": codes[:1]}
    assert call(client, "post", CHECK, body, key=shop.key).json()["ok"] is True  # no offer: rules not applied
    checked = call(client, "post", CHECK, {**body, "offer_id": shop.short.pk}, key=shop.key).json()
    assert checked["ok"] is False
    assert checked["codes"][0]["problem"] == "Ce chèque n'est pas utilisable dans la commune de Saint-Étienne."


# --- redeeming -------------------------------------------------------------------------------------


def test_redeem_pays_a_service_with_vouchers(client, shop, capsys):
    response = redeem(client, shop, [voucher_codes.display(c) for c in shop.codes[:2]])
    assert response.status_code == 201, response.content
    body = response.json()
    redemption = Redemption.objects.get()
    assert body["id"] == redemption.pk
    assert body["place"] == {"id": shop.place.pk, "name": "Fablab du Forez"}
    assert body["offer"] == {"id": shop.workshop.pk, "title": "Atelier smartphone"}
    assert (body["price_cents"], body["covered_cents"], body["remainder_cents"]) == (2500, 2000, 500)
    assert body["vouchers"] == [Voucher.objects.get(code=c).serial for c in shop.codes[:2]]
    created = datetime.datetime.fromisoformat(body["created_at"])
    assert datetime.datetime.fromisoformat(body["cancellable_until"]) - created == datetime.timedelta(hours=24)
    assert body["cancelled_at"] is None and body["cancel_reason"] == ""
    assert "Idempotent-Replayed" not in response
    assert redemption.created_by == shop.admin  # the key's creator, for a call with a key
    assert set(Voucher.objects.filter(code__in=shop.codes[:2]).values_list("status", flat=True)) == {"redeemed"}
    call_command("check_ledger")
    assert "Grand livre cohérent." in capsys.readouterr().out


def test_integers_are_json_integers(client, shop):
    raw = json.dumps({"place_id": float(shop.place.pk), "offer_id": float(shop.short.pk), "codes": shop.codes[:1]})
    assert call(client, "post", REDEEM, raw=raw, key=shop.key).status_code == 201  # 12.0 is an integer in JSON


def test_unicode_lookalikes_and_separators_are_read_as_the_code(client, shop):
    cyrillic = str.maketrans({"A": "А", "B": "В", "E": "Е", "K": "К", "M": "М", "H": "Н", "P": "Р", "C": "С"})
    fullwidth = str.maketrans({d: chr(0xFF10 + int(d)) for d in "0123456789"})
    code = shop.codes[0]
    typed = " " + voucher_codes.display(code).translate(cyrillic).translate(fullwidth).lower().replace("-", " ") + " "
    assert typed.strip().upper() != voucher_codes.display(code)
    response = redeem(client, shop, [typed], offer=shop.short)
    assert response.status_code == 201, response.content
    assert Voucher.objects.get(code=code).status == "redeemed"


def test_a_replayed_request_gets_the_first_answer(client, shop):
    first = redeem(client, shop, shop.codes[:2], HTTP_IDEMPOTENCY_KEY="caisse-1-000042")
    assert first.status_code == 201
    before = snapshot()
    again = redeem(client, shop, shop.codes[:2], HTTP_IDEMPOTENCY_KEY="caisse-1-000042")
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert snapshot() == before
    # The codes may be typed differently: the same vouchers are the same request.
    assert redeem(client, shop, shop.codes[1::-1], HTTP_IDEMPOTENCY_KEY="caisse-1-000042").status_code == 200
    # Without a key, the same vouchers are simply spent already.
    error_of(redeem(client, shop, shop.codes[:2]), 422, "vouchers_refused", "aucun n'a été encaissé")


def test_a_key_reused_for_another_request_is_a_conflict(client, shop):
    assert redeem(client, shop, shop.codes[:2], HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
    before = snapshot()
    for other in [
        {"codes": shop.codes[2:4]},
        {"codes": shop.codes[:1]},
        {"codes": shop.codes[:2], "offer": shop.short},
    ]:
        response = redeem(client, shop, other["codes"], offer=other.get("offer"), HTTP_IDEMPOTENCY_KEY="k-1")
        error_of(response, 409, "idempotency_conflict", "Cette clé d'idempotence a déjà servi pour une autre demande.")
    assert snapshot() == before


def test_bad_idempotency_keys(client, shop):
    before = snapshot()
    for bad in ["x" * 101, "clé-é", "a\tb"]:
        response = redeem(client, shop, shop.codes[:1], HTTP_IDEMPOTENCY_KEY=bad)
        error_of(response, 400, "invalid_idempotency_key", "100 caractères ASCII imprimables au plus")
    assert snapshot() == before
    assert redeem(client, shop, shop.codes[:1], HTTP_IDEMPOTENCY_KEY="x" * 100).status_code == 201


def test_refused_vouchers_are_listed_code_by_code_and_nothing_is_spent(client, shop):
    assert redeem(client, shop, shop.codes[:1], offer=shop.short).status_code == 201
    before = snapshot()
    body = "ZZZZZZZZZZZZZZZ"
    unknown = body + voucher_codes.check_symbol(body)
    typed = [shop.codes[1], shop.codes[0], unknown, "K7QM-3XH9-PZ2W-8RTX"]
    refused = error_of(redeem(client, shop, typed), 422, "vouchers_refused", "3 chèques sur 4 refusés")
    assert refused["codes"] == [
        {"index": 1, "code": shop.codes[0], "problem": "Ce chèque a déjà été utilisé."},
        {"index": 2, "code": unknown, "problem": "Ce code ne correspond à aucun chèque."},
        {
            "index": 3,
            "code": "K7QM-3XH9-PZ2W-8RTX",
            "problem": "Ce code comporte une erreur de saisie : vérifiez chaque caractère.",
        },
    ]
    assert snapshot() == before


def test_no_change_is_given(client, shop):
    before = snapshot()
    error_of(redeem(client, shop, shop.codes[:4]), 422, "too_many_vouchers", "Trop de chèques : 3 suffisent")
    assert snapshot() == before


def test_the_counter_must_be_the_providers_own_and_labelled(client, shop):
    other = OrganisationFactory(kind="provider", name="Autre structure")
    foreign = Place.objects.create(
        provider=other, name="Ailleurs", address="x", commune=shop.place.commune, latitude=45, longitude=4
    )
    foreign_offer = Offer.objects.create(
        place=foreign,
        category=shop.short.category,
        title="Ailleurs",
        price_cents=1000,
        duration_minutes=30,
        format="individual",
    )
    before = snapshot()
    codes = shop.codes[:1]
    error_of(
        redeem(client, shop, codes, place=foreign),
        403,
        "forbidden_place",
        "Ce lieu n'appartient pas à votre structure.",
    )
    error_of(redeem(client, shop, codes, offer=foreign_offer), 422, "offer_mismatch", "pas proposé dans ce lieu")
    body = {"place_id": 999_999, "offer_id": shop.short.pk, "codes": codes}
    error_of(call(client, "post", REDEEM, body, key=shop.key), 404, "place_not_found", "Aucun lieu ne porte")
    body = {"place_id": shop.place.pk, "offer_id": 999_999, "codes": codes}
    error_of(call(client, "post", REDEEM, body, key=shop.key), 404, "offer_not_found", "Aucun service ne porte")
    body = {"place_id": foreign.pk, "codes": codes}
    error_of(call(client, "post", CHECK, body, key=shop.key), 403, "forbidden_place")
    shop.short.accepts_aptic = False
    shop.short.save()
    error_of(redeem(client, shop, codes, offer=shop.short), 422, "offer_not_accepted", "pas payable en chèques")
    shop.organisation.provider.subscription.delete()
    error_of(redeem(client, shop, codes), 403, "not_labelled", "n'est pas labellisée")
    assert snapshot() == before


def test_an_offer_changed_after_a_redemption_applies_to_the_next(client, shop):
    """The counter's offer is cached (caches.counter_offer): a new price or a withdrawal counts at once."""
    assert redeem(client, shop, shop.codes[:3]).status_code == 201  # the workshop is now cached
    shop.workshop.price_cents = 2000
    shop.workshop.save()
    before = snapshot()
    error_of(redeem(client, shop, shop.codes[3:6]), 422, "too_many_vouchers", "Trop de chèques : 2 suffisent")
    assert snapshot() == before
    shop.workshop.is_active = False
    shop.workshop.save()
    error_of(redeem(client, shop, shop.codes[3:5]), 422, "offer_not_accepted")
    assert snapshot() == before


MALFORMED = [
    # (raw body, content type, status, error, words of the message)
    (b"{not json", "application/json", 400, "invalid_json", "pas du JSON valide"),
    (b"\xff\xfe\x00", "application/json", 400, "invalid_json", "pas du JSON valide"),
    (b"", "application/json", 400, "invalid_request", "objet JSON"),
    (b"null", "application/json", 400, "invalid_request", "objet JSON"),
    (b"[1, 2]", "application/json", 400, "invalid_request", "objet JSON"),
    (b'"codes"', "application/json", 400, "invalid_request", "objet JSON"),
    (b'{"place_id": "1", "offer_id": 1, "codes": ["A"]}', "application/json", 400, "invalid_request", "entier"),
    (b'{"place_id": 1.5, "offer_id": 1, "codes": ["A"]}', "application/json", 400, "invalid_request", "entier"),
    (b'{"place_id": true, "offer_id": 1, "codes": ["A"]}', "application/json", 400, "invalid_request", "entier"),
    (b'{"place_id": null, "offer_id": null, "codes": null}', "application/json", 400, "invalid_request", "entier"),
    (b'{"place_id": 1, "offer_id": 1, "codes": [null]}', "application/json", 400, "invalid_request", "chaîne"),
    (b'{"place_id": 1, "offer_id": 1, "codes": "ABCD"}', "application/json", 400, "invalid_request", "liste"),
    (b'{"place_id": 1, "offer_id": 1, "codes": []}', "application/json", 400, "invalid_request", "Au moins 1"),
    (b'{"place_id": 1, "offer_id": 1}', "application/json", 400, "invalid_request", "obligatoire"),
    (b'{"place_id": 1, "offer_id": 1, "codes": ["A"], "code": "A"}', "application/json", 400, "invalid_request", ""),
    (b'{"place_id": -1, "offer_id": 1, "codes": ["A"]}', "application/json", 400, "invalid_request", "au moins 1"),
    (b'{"place_id": 1e400, "offer_id": 1, "codes": ["A"]}', "application/json", 400, "invalid_request", "entier"),
    (
        b'{"place_id": 99999999999999999999999999, "offer_id": 1, "codes": ["A"]}',
        "application/json",
        400,
        "invalid_request",
        "au plus 9223372036854775807",
    ),
    (b"place_id=1&offer_id=1&codes=A", "application/x-www-form-urlencoded", 415, "unsupported_media_type", "JSON"),
    (b"--x\r\n\r\n--x--", "multipart/form-data; boundary=x", 415, "unsupported_media_type", "JSON"),
    (b'{"place_id": 1}', "text/plain", 415, "unsupported_media_type", "JSON"),
]


@pytest.mark.parametrize(("raw", "content_type", "status", "error", "words"), MALFORMED)
def test_malformed_bodies_get_a_french_400_and_write_nothing(client, shop, raw, content_type, status, error, words):
    before = snapshot()
    response = call(client, "post", REDEEM, raw=raw, content_type=content_type, key=shop.key)
    body = error_of(response, status, error, words)
    if error == "invalid_request":
        assert body["details"] and all(d["field"] and d["problem"] for d in body["details"])
    assert snapshot() == before


def test_thousands_of_codes_are_refused_at_once_and_summarised(client, shop):
    before = snapshot()
    body = {"place_id": shop.place.pk, "offer_id": shop.workshop.pk, "codes": [shop.codes[0]] * 2000}
    refused = error_of(call(client, "post", REDEEM, body, key=shop.key), 400, "invalid_request", "Au plus 50")
    assert refused["details"] == [{"field": "codes", "problem": "Au plus 50 éléments (2000 reçus)."}]
    body["codes"] = [shop.codes[0]] * 5000  # over the body limit, before any parsing
    error_of(call(client, "post", REDEEM, body, key=shop.key), 413, "body_too_large")
    body["codes"] = list(range(45))
    refused = error_of(call(client, "post", CHECK, body, key=shop.key), 400, "invalid_request", "(et 44 autres erreurs")
    assert len(refused["details"]) == 20 and refused["details"][3] == {
        "field": "codes[3]",
        "problem": "Une chaîne de caractères est attendue.",
    }
    assert snapshot() == before


def test_a_10_megabyte_body_is_refused_unread(client, shop):
    before = snapshot()
    raw = b'{"place_id": 1, "offer_id": 1, "codes": ["' + b"A" * 10_000_000 + b'"]}'
    error_of(call(client, "post", REDEEM, raw=raw, key=shop.key), 413, "body_too_large", "64 Kio au plus")
    error_of(call(client, "post", CHECK, raw=raw, key=shop.key), 413, "body_too_large")
    assert snapshot() == before


def test_odd_but_well_formed_codes_get_a_problem_each(client, shop):
    typed = ["\x00" * 3, "\ud800", "Ø" * 16, "A" * 65, "🙂", "  "]
    response = call(client, "post", CHECK, {"place_id": shop.place.pk, "codes": typed}, key=shop.key)
    assert response.status_code == 200
    problems = [c["problem"] for c in response.json()["codes"]]
    assert all(problems), problems
    assert problems[3] == "Ce code est trop long : un code de chèque compte 16 caractères."
    assert problems[5] == "Saisissez le code du chèque."
    before = snapshot()
    body = error_of(redeem(client, shop, typed), 422, "vouchers_refused")
    assert [c["index"] for c in body["codes"]] == list(range(6))
    assert snapshot() == before


def test_unknown_paths_and_methods_answer_in_json(client, shop):
    error_of(call(client, "get", "/api/v1/nexiste-pas", key=shop.key), 404, "not_found")
    error_of(call(client, "get", "/api/v1/", key=shop.key), 404, "not_found")
    response = call(client, "delete", LIST, raw=b"", key=shop.key)
    error_of(response, 405, "method_not_allowed", "Méthode non permise")
    assert "GET" in response["Allow"] and "POST" in response["Allow"]
    # As a till sends them, with no CSRF token (found in review: the HTML "form expired" page).
    till = Client(enforce_csrf_checks=True)
    for method in ("post", "delete"):
        error_of(call(till, method, "/api/v1/nimportequoi", {}, key=shop.key), 404, "not_found")
        error_of(call(till, method, "/api/v1/nimportequoi", {}), 404, "not_found")


# --- cancelling ------------------------------------------------------------------------------------


def test_cancel_gives_the_vouchers_back(client, shop, capsys):
    redemption_id = redeem(client, shop, shop.codes[:2]).json()["id"]
    reason = " Erreur de\t\tsaisie\x00\ud800\n"  # NUL and lone surrogates cannot be stored
    response = call(client, "post", cancel_url(redemption_id), {"reason": reason}, key=shop.key)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == redemption_id and body["cancel_reason"] == "Erreur de saisie\ufffd\ufffd"
    assert body["cancelled_at"] and body["cancellable_until"] is None
    assert body["vouchers"] == [Voucher.objects.get(code=c).serial for c in shop.codes[:2]]
    assert set(Voucher.objects.filter(code__in=shop.codes[:2]).values_list("status", flat=True)) == {"active"}
    assert Redemption.objects.get().cancelled_by == shop.admin
    call_command("check_ledger")
    before = snapshot()
    again = call(client, "post", cancel_url(redemption_id), {"reason": "Encore"}, key=shop.key)
    error_of(again, 409, "already_cancelled", "Cette utilisation est déjà annulée.")
    assert snapshot() == before
    assert redeem(client, shop, shop.codes[:2]).status_code == 201  # spendable again


@pytest.mark.ledger_breach  # a voucher is set reimbursed by hand, without the payout that pays it
def test_cancel_refusals(client, shop, funder):
    mine = redeem(client, shop, shop.codes[:1], offer=shop.short).json()["id"]
    other = OrganisationFactory(kind="provider", name="Autre structure")
    other_admin = MembershipFactory(organisation=other, role="admin").user
    make_labelled(other, other_admin)
    _, other_key = api_token_create(organisation=other, name="Caisse", created_by=other_admin)
    before = snapshot()
    for pk in [mine, 999_999, 10**30]:
        response = call(client, "post", cancel_url(pk), {"reason": "Je tente"}, key=other_key)
        error_of(response, 404, "redemption_not_found", "dans votre structure")
    for reason, words in [
        ("", "visible"),
        (" \t ", "visible"),
        ("\u3000\n\ufeff", "visible"),
        ("x" * 251, "250"),
        (None, ""),
    ]:
        response = call(client, "post", cancel_url(mine), {"reason": reason}, key=shop.key)
        error_of(response, 400, "invalid_request", words)
    error_of(call(client, "post", cancel_url(mine), {}, key=shop.key), 400, "invalid_request", "obligatoire")
    Redemption.objects.filter(pk=mine).update(created_at=timezone.now() - datetime.timedelta(hours=25))
    response = call(client, "post", cancel_url(mine), {"reason": "Trop tard"}, key=shop.key)
    error_of(response, 409, "too_late", "que dans les 24 heures")
    Redemption.objects.filter(pk=mine).update(created_at=timezone.now())
    Voucher.objects.filter(redemption_id=mine).update(status="reimbursed")
    before = snapshot()
    response = call(client, "post", cancel_url(mine), {"reason": "Remboursé"}, key=shop.key)
    error_of(response, 409, "already_reimbursed", "déjà été remboursés")
    assert snapshot() == before


# --- listing ---------------------------------------------------------------------------------------


def test_list_is_mine_newest_first_paginated_and_filtered(client, shop):
    ids = [redeem(client, shop, [code], offer=shop.short).json()["id"] for code in shop.codes[:3]]
    other = OrganisationFactory(kind="provider")
    MembershipFactory(organisation=other, role="admin")
    make_labelled(other, other.memberships.get().user)
    second_place = Place.objects.create(
        provider=shop.organisation, name="Annexe", address="x", commune=shop.place.commune, latitude=45, longitude=4
    )
    annex_offer = Offer.objects.create(
        place=second_place,
        category=shop.short.category,
        title="Aide",
        price_cents=1000,
        duration_minutes=30,
        format="individual",
    )
    ids.append(redeem(client, shop, shop.codes[3:4], place=second_place, offer=annex_offer).json()["id"])
    Redemption.objects.filter(pk=ids[0]).update(created_at=timezone.now() - datetime.timedelta(days=10))

    page = call(client, "get", LIST, {"page_size": 2}, key=shop.key).json()
    assert (page["count"], page["page"], page["page_size"]) == (4, 1, 2)
    assert [r["id"] for r in page["items"]] == [ids[3], ids[2]]
    page = call(client, "get", LIST, {"page_size": 2, "page": 2}, key=shop.key).json()
    assert [r["id"] for r in page["items"]] == [ids[1], ids[0]]
    assert call(client, "get", LIST, {"page": 9}, key=shop.key).json()["items"] == []

    today = timezone.localdate().isoformat()
    ten_days_ago = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    assert call(client, "get", LIST, {"since": today}, key=shop.key).json()["count"] == 3
    assert [r["id"] for r in call(client, "get", LIST, {"until": ten_days_ago}, key=shop.key).json()["items"]] == [
        ids[0]
    ]
    found = call(client, "get", LIST, {"since": ten_days_ago, "until": ten_days_ago}, key=shop.key).json()
    assert found["count"] == 1
    by_place = call(client, "get", LIST, {"place_id": second_place.pk}, key=shop.key).json()
    assert [r["id"] for r in by_place["items"]] == [ids[3]] and by_place["items"][0]["place"]["name"] == "Annexe"

    error_of(call(client, "get", LIST, {"since": today, "until": ten_days_ago}, key=shop.key), 400, "invalid_request")
    for bad in [{"since": "demain"}, {"since": "2026-02-30"}, {"page": 0}, {"page_size": 1000}, {"place_id": "x"}]:
        error_of(call(client, "get", LIST, bad, key=shop.key), 400, "invalid_request")
    for far, expected in [({"since": "0001-01-01", "until": "9999-12-31"}, 4), ({"until": "0001-01-01"}, 0)]:
        assert call(client, "get", LIST, far, key=shop.key).json()["count"] == expected, far
    assert call(client, "get", LIST, {"since": "9999-12-31"}, key=shop.key).json()["count"] == 0


def test_list_never_shows_another_providers_redemptions(client, shop):
    assert redeem(client, shop, shop.codes[:1], offer=shop.short).status_code == 201
    other = OrganisationFactory(kind="provider")
    admin = MembershipFactory(organisation=other, role="admin").user
    _, key = api_token_create(organisation=other, name="Caisse", created_by=admin)
    response = call(client, "get", LIST, {"place_id": shop.place.pk}, key=key)
    assert response.status_code == 200 and response.json()["count"] == 0


def test_redeeming_through_the_api_takes_a_bounded_number_of_queries(client, shop, django_assert_max_num_queries):
    with django_assert_max_num_queries(24):
        assert redeem(client, shop, shop.codes[:3]).status_code == 201
    for code in shop.codes[3:8]:
        redeem(client, shop, [code], offer=shop.short)
    with django_assert_max_num_queries(8):
        assert call(client, "get", LIST, key=shop.key).json()["count"] == 6


def test_an_unexpected_failure_is_a_json_500_without_any_trace(client, shop, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("détail interne à ne pas montrer")

    monkeypatch.setattr("aptic.vouchers.api.endpoints.vouchers_check", broken)
    response = call(client, "post", CHECK, {"place_id": shop.place.pk, "codes": ["AB"]}, key=shop.key)
    body = error_of(response, 500, "server_error", "Erreur interne du serveur")
    assert "détail interne" not in response.content.decode() and set(body) == {"error", "message"}
    assert "détail interne à ne pas montrer" in caplog.text  # logged for the team, not shown


def test_json_with_a_charset_is_json(client, shop):
    body = json.dumps({"place_id": shop.place.pk, "codes": ["AB"]})
    response = call(client, "post", CHECK, raw=body, content_type="application/json; charset=utf-8", key=shop.key)
    assert response.status_code == 200
