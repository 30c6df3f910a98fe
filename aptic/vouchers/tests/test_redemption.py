"""Spending vouchers at the counter: all or none, every refusal named, the books always balanced."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aptic.core.errors import DomainError
from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.ledger.selectors import balance_of
from aptic.places.models import Offer, Place
from aptic.territories.models import Commune, Departement, Epci, Region
from aptic.vocabulary.models import PlaceTypology, ServiceCategory
from aptic.vouchers import codes as voucher_codes
from aptic.vouchers.lifecycle import vouchers_stop
from aptic.vouchers.models import Redemption, Voucher
from aptic.vouchers.redemption import RedemptionRefused, redemption_cancel, redemption_create, vouchers_check

from .conftest import TODAY, snapshot

pytestmark = pytest.mark.django_db


def codes_of(order, n, start=0):
    return list(
        Voucher.objects.filter(order=order).order_by("sequence").values_list("code", flat=True)[start : start + n]
    )


def redeem(counter, codes, offer=None, **kwargs):
    return redeem_result(counter, codes, offer, **kwargs).redemption


def redeem_result(counter, codes, offer=None, **kwargs):
    organisation, admin, place, workshop, _ = counter
    return redemption_create(
        provider=organisation, place=place, offer=offer or workshop, codes=codes, user=admin, day=TODAY, **kwargs
    )


def test_three_vouchers_pay_a_25_euro_workshop(counter, issued, capsys):
    organisation = counter[0]
    order = issued()
    typed = [voucher_codes.display(c).lower() for c in codes_of(order, 3)]
    redemption = redeem(counter, typed)
    assert (redemption.price_cents, redemption.covered_cents, redemption.remainder_cents) == (2500, 3000, 0)
    assert set(Voucher.objects.filter(redemption=redemption).values_list("status", flat=True)) == {"redeemed"}
    assert balance_of(f"provider:{organisation.pk}:payable") == -3000
    assert balance_of(f"order:{order.pk}:outstanding") == -17_000
    call_command("check_ledger")
    assert "Grand livre cohérent." in capsys.readouterr().out


def test_two_vouchers_and_a_top_up(counter, issued):
    redemption = redeem(counter, codes_of(issued(), 2))
    assert (redemption.covered_cents, redemption.remainder_cents) == (2000, 500)


def test_no_change_is_given(counter, issued):
    order = issued()
    before = snapshot()
    with pytest.raises(RedemptionRefused, match="Trop de chèques : 3 suffisent pour ce service à 25 €"):
        redeem(counter, codes_of(order, 4))
    with pytest.raises(RedemptionRefused, match="Trop de chèques : 1 suffisent"):
        redeem(counter, codes_of(order, 2), offer=counter[4])
    assert snapshot() == before


def refused_with(counter, codes, message, **kwargs):
    before = snapshot()
    with pytest.raises(RedemptionRefused) as refused:
        redeem(counter, codes, **kwargs)
    problems = [r.problem for r in refused.value.results if r.problem]
    assert any(message in p for p in problems), problems
    assert "aucun n'a été encaissé" in refused.value.message
    assert snapshot() == before
    return refused.value


def test_all_or_none_when_one_code_is_bad(counter, issued):
    order = issued()
    good = codes_of(order, 1)
    refused = refused_with(counter, good + ["K7QM-3XH9-PZ2W-8RTX"], "erreur de saisie")
    assert refused.results[0].ok and not refused.results[1].ok


def test_unknown_code(counter, issued):
    issued()
    body = "ZZZZZZZZZZZZZZZ"
    refused_with(counter, [body + voucher_codes.check_symbol(body)], "ne correspond à aucun chèque")


def test_spent_twice_is_refused(counter, issued):
    code = codes_of(issued(), 1)
    redeem(counter, code, offer=counter[4])
    refused_with(counter, code, "déjà été utilisé", offer=counter[4])


def test_expired_stopped_and_not_yet_activated(counter, issued, funder_admin):
    order = issued()
    with pytest.raises(RedemptionRefused) as late:
        redemption_create(
            provider=counter[0],
            place=counter[2],
            offer=counter[4],
            codes=codes_of(order, 1),
            user=counter[1],
            day=datetime.date(2027, 2, 1),
        )
    assert late.value.results[0].problem == "Ce chèque a expiré le 31/01/2027."
    vouchers_stop(
        vouchers=Voucher.objects.filter(code__in=codes_of(order, 1, start=5)), actor=funder_admin, reason="Volé"
    )
    refused_with(counter, codes_of(order, 1, start=5), "mis en opposition", offer=counter[4])
    later = issued(quantity=10, activation="on_distribution")
    refused_with(counter, codes_of(later, 1), "pas encore activé", offer=counter[4])


def test_the_same_code_twice_in_one_request(counter, issued):
    code = codes_of(issued(), 1)[0]
    refused_with(counter, [code, voucher_codes.display(code)], "saisi plusieurs fois")


def test_thousands_of_codes_are_refused_at_once(counter, issued):
    with pytest.raises(RedemptionRefused, match="Trop de codes à la fois \\(2000\\)"):
        redeem(counter, ["X"] * 2000)
    with pytest.raises(RedemptionRefused, match="au moins un code"):
        redeem(counter, [])


def test_max_vouchers_per_act(counter, issued):
    order = issued(max_vouchers_per_act=1)
    refused_with(counter, codes_of(order, 2), "Au plus 1 chèque de ce commanditaire")
    assert redeem(counter, codes_of(order, 1)).voucher_count == 1


def test_counter_checks(counter, issued):
    organisation, admin, place, workshop, short = counter
    order = issued()
    other = OrganisationFactory(kind="provider")
    foreign = Place.objects.create(
        provider=other, name="Ailleurs", address="x", commune=place.commune, latitude=1, longitude=1
    )
    cases = [
        ({"place": foreign, "offer": workshop}, "n'appartient pas à votre structure"),
        (
            {"place": place, "offer": Offer(place_id=foreign.pk, price_cents=1000, is_active=True, accepts_aptic=True)},
            "pas proposé dans ce lieu",
        ),
    ]
    for kwargs, message in cases:
        with pytest.raises(DomainError, match=message):
            redemption_create(provider=organisation, codes=codes_of(order, 1), user=admin, **kwargs)
    short.accepts_aptic = False
    short.save()
    with pytest.raises(DomainError, match="pas payable en chèques"):
        redeem(counter, codes_of(order, 1), offer=short)
    short.accepts_aptic, short.price_cents = True, 0
    short.save()
    with pytest.raises(DomainError, match="gratuit"):
        redeem(counter, codes_of(order, 1), offer=short)


def test_a_provider_that_is_not_labelled_cannot_redeem(counter, issued):
    organisation, admin, place, workshop, _ = counter
    organisation.provider.subscription.delete()
    with pytest.raises(DomainError, match="n'est pas labellisée"):
        redeem(counter, codes_of(issued(), 1))


def test_test_validity_spends_nothing(counter, issued):
    organisation, admin, place, workshop, _ = counter
    order = issued()
    before = snapshot()
    results = vouchers_check(provider=organisation, place=place, offer=workshop, codes=codes_of(order, 2) + ["AB"])
    assert [r.ok for r in results] == [True, True, False]
    assert results[0].voucher.serial.startswith("2026-")
    assert snapshot() == before


def test_idempotency_key_returns_the_first_answer(counter, issued):
    order = issued()
    first = redeem_result(counter, codes_of(order, 2), idempotency_key="caisse-1-0001")
    again = redeem_result(counter, codes_of(order, 2), idempotency_key="caisse-1-0001")
    assert again.redemption.pk == first.redemption.pk and again.replayed and not first.replayed
    assert first.serials == tuple(v.serial for v in Voucher.objects.filter(redemption=first.redemption).order_by("pk"))
    assert again.serials is None
    assert Redemption.objects.count() == 1
    with pytest.raises(DomainError, match="a déjà servi pour une autre demande"):
        redeem(counter, codes_of(order, 2, start=4), idempotency_key="caisse-1-0001")


def test_cancel_within_24_hours_gives_the_vouchers_back(counter, issued, capsys):
    organisation, admin, *_ = counter
    order = issued()
    redemption = redeem(counter, codes_of(order, 3))
    with pytest.raises(DomainError, match="motif"):
        redemption_cancel(redemption=redemption, user=admin, reason="")
    redemption_cancel(redemption=redemption, user=admin, reason="Erreur de service")
    assert Voucher.objects.filter(order=order, status="active").count() == 20
    assert balance_of(f"provider:{organisation.pk}:payable") == 0
    assert balance_of(f"order:{order.pk}:outstanding") == -20_000
    with pytest.raises(DomainError, match="déjà annulée"):
        redemption_cancel(redemption=redemption, user=admin, reason="encore")
    again = redeem(counter, codes_of(order, 3))  # the vouchers can be spent again
    with pytest.raises(DomainError, match="dans les 24 heures"):
        redemption_cancel(
            redemption=again, user=admin, reason="trop tard", now=timezone.now() + datetime.timedelta(hours=25)
        )
    call_command("check_ledger")


def test_cancel_locks_the_vouchers_in_primary_key_order(counter, issued):
    """Every service locks vouchers through locks.vouchers_lock, in id order: two of them touching
    the same vouchers wait for each other instead of deadlocking."""
    admin = counter[1]
    redemption = redeem(counter, codes_of(issued(), 3))
    table = connection.ops.quote_name(Voucher._meta.db_table)
    with CaptureQueriesContext(connection) as queries:
        redemption_cancel(redemption=redemption, user=admin, reason="Erreur de service")
    [read] = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and f"FROM {table}" in q["sql"]]
    assert f"ORDER BY {table}.{connection.ops.quote_name('id')} ASC" in read
    if connection.features.has_select_for_update_of:
        assert f"FOR UPDATE OF {table}" in read


# The usage-rule matrix: each rule, once satisfied and once broken, with the French refusal.
def rule_cases():
    return [
        ("rule_communes", lambda: [Commune.objects.get(pk="42218")], None),
        (
            "rule_communes",
            lambda: [
                Commune.objects.create(
                    insee_code="33063",
                    name="Bordeaux",
                    search_name="bordeaux",
                    departement=Departement.objects.create(
                        code="33", name="Gironde", region=Region.objects.create(code="75", name="Nouvelle-Aquitaine")
                    ),
                    region_id="75",
                    latitude=44.8,
                    longitude=-0.58,
                    postal_codes="33000",
                )
            ],
            "n'est pas utilisable dans la commune de Saint-Étienne",
        ),
        ("rule_epcis", lambda: [Epci.objects.get(pk="244200770")], None),
        (
            "rule_epcis",
            lambda: [Epci.objects.create(siren="200000000", name="CC Ailleurs", nature="CC")],
            "n'est pas utilisable dans la commune de Saint-Étienne",
        ),
        ("rule_departements", lambda: [Departement.objects.get(pk="42")], None),
        (
            "rule_departements",
            lambda: [Departement.objects.create(code="69", name="Rhône", region_id="84")],
            "n'est pas utilisable dans la commune de Saint-Étienne",
        ),
        ("rule_regions", lambda: [Region.objects.get(pk="84")], None),
        (
            "rule_regions",
            lambda: [Region.objects.create(code="11", name="Île-de-France")],
            "n'est pas utilisable dans la commune de Saint-Étienne",
        ),
        ("rule_typologies", lambda: [PlaceTypology.objects.get(standard_value="FABLAB")], None),
        (
            "rule_typologies",
            lambda: [PlaceTypology.objects.get(standard_value="BIB")],
            "n'est pas utilisable dans ce type de lieu",
        ),
        (
            "rule_categories",
            lambda: [ServiceCategory.objects.get(standard_value="Maîtrise des outils numériques du quotidien")],
            None,
        ),
        (
            "rule_categories",
            lambda: [ServiceCategory.objects.get(standard_value="Aide aux démarches administratives")],
            "ne peut pas payer un service « Maîtrise des outils numériques du quotidien »",
        ),
    ]


@pytest.mark.parametrize("rule,values,refusal", rule_cases())
def test_usage_rule_matrix(counter, issued, rule, values, refusal):
    place = counter[2]
    place.commune.epci = Epci.objects.get_or_create(
        siren="244200770", defaults={"name": "Saint-Étienne Métropole", "nature": "METRO"}
    )[0]
    place.commune.save()
    order = issued(**{rule: values()})
    if refusal is None:
        assert redeem(counter, codes_of(order, 1), offer=counter[4]).voucher_count == 1
    else:
        refused_with(counter, codes_of(order, 1), refusal, offer=counter[4])


def test_validity_window_start(counter, issued):
    order = issued(valid_from=datetime.date(2026, 7, 1))
    refused_with(counter, codes_of(order, 1), "qu'à partir du 01/07/2026", offer=counter[4])


def test_vouchers_of_two_funders_in_one_payment(counter, issued, funder):
    order = issued()
    other_funder = OrganisationFactory(kind="funder")
    MembershipFactory(organisation=other_funder, role="admin")
    from aptic.vouchers.issuance import order_create, order_issue

    other = order_issue(order=order_create(funder=other_funder, quantity=10, valid_from=datetime.date(2026, 1, 1)))
    redemption = redeem(counter, codes_of(order, 1) + codes_of(other, 2))
    assert redemption.covered_cents == 3000
    assert balance_of(f"order:{order.pk}:outstanding") == -19_000
    assert balance_of(f"order:{other.pk}:outstanding") == -8_000
    call_command("check_ledger")
