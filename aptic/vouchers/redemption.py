"""Spending vouchers at a labelled provider's place: test, redeem (all or none), cancel.

No voucher is ever spent twice: the vouchers are read and judged, then flipped by a conditional
UPDATE whose row count must match (or nothing is written); the partial unique constraint on live
redemption lines is the second barrier (ADR 0017).
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from aptic.core import formats
from aptic.core.errors import DomainError
from aptic.core.templatetags.aptic import format_euros
from aptic.ledger import services as ledger
from aptic.providers.selectors import is_labelled_now

from . import codes as voucher_codes
from . import redemption_fast as fast
from .accounts import order_outstanding_spec
from .caches import cached_rules_for, place_profile
from .lifecycle import _events
from .models import Redemption, Voucher, VoucherStatus
from .redemption_read import vouchers_for_codes
from .redemption_write import KeyTaken, Till, VoucherTaken, own_statement, unsaved, write
from .rules import Setting, refusal

MAX_CODES = 50
CANCEL_WINDOW = timedelta(hours=24)
STATE_REFUSALS = {
    VoucherStatus.ISSUED: "Ce chèque n'est pas encore activé : il doit d'abord être remis au bénéficiaire.",
    VoucherStatus.REDEEMED: "Ce chèque a déjà été utilisé.",
    VoucherStatus.REIMBURSED: "Ce chèque a déjà été utilisé.",
    VoucherStatus.EXPIRED: "Ce chèque a expiré.",
    VoucherStatus.STOPPED: "Ce chèque a été mis en opposition (perte ou vol).",
}
UNKNOWN = "Ce code ne correspond à aucun chèque."
TAKEN = "Un de ces chèques vient d'être utilisé : rien n'a été encaissé."


@dataclass
class CodeResult:
    """What the counter learns about one typed code."""

    typed: str
    code: str = ""
    voucher: Voucher | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


class RedemptionRefused(DomainError):
    """Nothing was spent; `results` says, code by code, what is wrong."""

    def __init__(self, message: str, results: list[CodeResult] | None = None, code: str = "refused"):
        super().__init__(message, code=code)
        self.results = results or []


def _check_counter(provider, place, offer) -> None:
    if place.provider_id != provider.pk:
        raise DomainError("Ce lieu n'appartient pas à votre structure.", code="forbidden_place")
    if not is_labelled_now(provider.pk):
        raise DomainError(
            "Votre structure n'est pas labellisée aujourd'hui (qualification, charte ou abonnement) : "
            "elle ne peut pas encore accepter de chèques.",
            code="not_labelled",
        )
    if offer is not None:
        if offer.place_id != place.pk:
            raise DomainError("Ce service n'est pas proposé dans ce lieu.", code="offer_mismatch")
        if not offer.is_active or not offer.accepts_aptic:
            raise DomainError("Ce service n'est pas payable en chèques #APTIC.", code="offer_not_accepted")
        if offer.price_cents == 0:
            raise DomainError("Ce service est gratuit : il ne se paie pas en chèques.", code="offer_free")


def _setting(place, offer, day) -> Setting:
    profile = place_profile(place)
    return Setting(
        day=day,
        commune_id=profile.commune_id,
        commune_name=profile.commune_name,
        epci_id=profile.epci_id,
        departement_id=profile.departement_id,
        region_id=profile.region_id,
        typology_ids=profile.typology_ids,
        category_id=offer.category_id if offer else None,
        category_label=offer.category.label if offer else "",
    )


def _read_codes(typed_codes) -> list[CodeResult]:
    if not typed_codes:
        raise RedemptionRefused("Saisissez au moins un code de chèque.", code="no_code")
    if len(typed_codes) > MAX_CODES:
        raise RedemptionRefused(
            f"Trop de codes à la fois ({len(typed_codes)}) : {MAX_CODES} au plus par service.", code="too_many"
        )
    results = []
    for typed in typed_codes:
        result = CodeResult(typed=str(typed)[:64])
        try:
            result.code = voucher_codes.normalise(typed)
        except voucher_codes.CodeError as exc:
            result.problem = str(exc)
        results.append(result)
    seen = Counter(r.code for r in results if r.code)
    for result in results:
        if result.code and seen[result.code] > 1:
            result.problem = "Ce code est saisi plusieurs fois."
    return results


def _judge(results, vouchers_by_code, setting: Setting | None) -> None:
    """Fill in each result's voucher and problem (state, dates, rules, vouchers per act)."""
    found = [vouchers_by_code[r.code] for r in results if r.ok and r.code in vouchers_by_code]
    rules = cached_rules_for({v.order for v in found})
    per_order = Counter(v.order_id for v in found)
    for result in results:
        if not result.ok:
            continue
        voucher = vouchers_by_code.get(result.code)
        if voucher is None:
            result.problem = UNKNOWN
            continue
        result.voucher = voucher
        order_rules = rules[voucher.order_id]
        if voucher.status != VoucherStatus.ACTIVE:
            result.problem = STATE_REFUSALS[voucher.status]
        elif setting is not None and (problem := refusal(order_rules, setting)):
            result.problem = problem
        elif setting is None and voucher.order.is_expired(timezone.localdate()):
            result.problem = f"Ce chèque a expiré le {order_rules.grace_until:%d/%m/%Y}."
        elif order_rules.max_per_act and per_order[voucher.order_id] > order_rules.max_per_act:
            result.problem = (
                f"Au plus {formats.count(order_rules.max_per_act, 'chèque')} de ce commanditaire par service rendu."
            )


def vouchers_check(*, provider, place, offer=None, codes, day: datetime.date | None = None) -> list[CodeResult]:
    """Test validity without spending: what would happen if these codes were redeemed here."""
    _check_counter(provider, place, offer)
    results = _read_codes(codes)
    wanted = [r.code for r in results if r.ok]
    vouchers = vouchers_for_codes(wanted)
    setting = _setting(place, offer, day or timezone.localdate()) if offer else None
    _judge(results, {v.code: v for v in vouchers}, setting)
    return results


def _amounts_by_order(vouchers) -> dict:
    by_order = defaultdict(int)
    for voucher in vouchers:
        by_order[voucher.order] += voucher.order.face_value_cents
    return by_order


def _too_many(face_values: list[int], price: int) -> int | None:
    """No change is given: the fewest vouchers that cover the price, when more were handed over."""
    needed, covered = 0, 0
    for value in sorted(face_values, reverse=True):
        if covered >= price:
            break
        covered, needed = covered + value, needed + 1
    return needed if needed < len(face_values) else None


def _replay(provider, idempotency_key: str, place, offer, wanted: list[str]) -> Redemption | None:
    if not idempotency_key:
        return None
    first = Redemption.objects.filter(provider=provider, idempotency_key=idempotency_key).first()
    if first is None:
        return None
    same = (
        first.place_id == place.pk
        and first.offer_id == offer.pk
        and sorted(first.lines.values_list("voucher__code", flat=True)) == sorted(wanted)
    )
    if not same:
        raise DomainError("Cette clé d'idempotence a déjà servi pour une autre demande.", code="idempotency_conflict")
    first.replayed = True
    return first


def redemption_create(
    *,
    provider,
    place,
    offer,
    codes,
    user,
    idempotency_key: str = "",
    day: datetime.date | None = None,
    at: datetime.datetime | None = None,
) -> Redemption:
    """Pay `offer` at `place` with the vouchers of `codes`: all are spent, or none.

    `at` back-dates the redemption (demo history, imports); the counter never passes it."""
    idempotency_key = (idempotency_key or "").strip()
    if len(idempotency_key) > 100:
        raise DomainError("La clé d'idempotence est trop longue (100 caractères au plus).", code="invalid")
    _check_counter(provider, place, offer)
    at = at or timezone.now()
    setting = _setting(place, offer, day or timezone.localdate(at))
    till = Till(provider, place, offer, user, idempotency_key, at)
    known = fast.known_orders(setting) if connection.vendor == "postgresql" else None
    if known is not None and (redemption := _spend_fast(till, known, codes)) is not None:
        return redemption
    for attempt in range(2):
        results = _read_codes(codes)
        wanted = [r.code for r in results if r.ok]
        try:
            redemption = _redeem(till, results, wanted, setting)
        except KeyTaken:
            return _key_taken(provider, idempotency_key, place, offer, wanted)
        except VoucherTaken:
            # A voucher changed between our read and our write: judge again on fresh rows, so the
            # refusal says which code and why ("déjà utilisé", "mis en opposition"…).
            if attempt:
                raise RedemptionRefused(TAKEN) from None
            continue
        if known is not None and not redemption.replayed:
            known.learn(r.voucher.order for r in results)  # they passed the rules here, today
        return redemption
    raise AssertionError("unreachable")


def _spend_fast(till, known, codes) -> Redemption | None:
    """One round trip when the vouchers' orders are known to pass here (redemption_fast), or None:
    nothing was written and the usual path will say why, or find that all is well after all."""
    if not known.orders:
        return None
    results = _read_codes(codes)
    if not all(r.ok for r in results):
        return None
    provider, place, offer, _, idempotency_key, _ = till
    wanted = [r.code for r in results]
    try:
        return fast.spend(
            till=till,
            codes=wanted,
            known=known,
            reason=_reason(offer),
            description=_description(provider, len(wanted)),
        )
    except KeyTaken:
        return _key_taken(provider, idempotency_key, place, offer, wanted)
    except fast.NotFast:
        return None


def _key_taken(provider, idempotency_key, place, offer, wanted) -> Redemption:
    # A retry of the same request won the race: once ours is rolled back, answer as it did.
    if (first := _replay(provider, idempotency_key, place, offer, wanted)) is not None:
        return first
    raise RedemptionRefused(TAKEN)


def _reason(offer) -> str:
    return f"Service « {offer.title[:150]} »"


def _description(provider, count: int) -> str:
    return f"Utilisation n° {{id}} : {formats.count(count, 'chèque')} chez {provider.name}"


def _redeem(till, results, wanted, setting) -> Redemption:
    # The read takes no lock and needs no transaction: the write's conditional UPDATE re-checks.
    with own_statement():
        return _judge_and_write(till, results, wanted, setting)


def _judge_and_write(till, results, wanted, setting) -> Redemption:
    provider, place, offer, user, idempotency_key, at = till
    # Read without locks: the write's conditional UPDATE re-checks each voucher's state (ADR 0017).
    found = vouchers_for_codes(wanted)
    # Then look for a twin request: one whose vouchers this read saw spent had committed before it.
    if (first := _replay(provider, idempotency_key, place, offer, wanted)) is not None:
        return first
    _judge(results, {v.code: v for v in found}, setting)
    if not all(r.ok for r in results):
        bad = sum(not r.ok for r in results)
        raise RedemptionRefused(
            f"{formats.count(bad, 'chèque')} sur {formats.number(len(results))} {formats.plural(bad, 'refusé')} : "
            "aucun n'a été encaissé.",
            results,
        )
    vouchers = sorted((r.voucher for r in results), key=lambda v: v.pk)
    face_values = [v.order.face_value_cents for v in vouchers]
    if (needed := _too_many(face_values, offer.price_cents)) is not None:
        raise RedemptionRefused(
            f"Trop de chèques : {needed} suffisent pour ce service à {format_euros(offer.price_cents)} "
            "(la monnaie n'est pas rendue). Rendez les autres au bénéficiaire.",
            results,
            code="too_many_vouchers",
        )
    covered = sum(face_values)
    by_order = _amounts_by_order(vouchers)
    *outstanding, payable = ledger.account_ids_for(
        [order_outstanding_spec(order) for order in by_order] + [ledger.provider_payable_spec(provider)]
    )
    redemption = unsaved(till, covered=covered, count=len(vouchers))
    write(  # raises VoucherTaken or KeyTaken, which roll this transaction back
        redemption=redemption,
        vouchers=vouchers,
        user=user,
        reason=_reason(offer),
        description=_description(provider, len(vouchers)),
        entries=ledger.balanced_entries([*zip(outstanding, by_order.values(), strict=True), (payable, -covered)]),
    )
    redemption.replayed = False
    # The printed numbers, in line order, for the answer (the API would otherwise read them back).
    redemption.voucher_serials = [v.order.serial(v.sequence) for v in vouchers]
    return redemption


@transaction.atomic
def redemption_cancel(*, redemption: Redemption, user, reason: str, now: datetime.datetime | None = None) -> Redemption:
    """Within 24 hours and before reimbursement, the provider takes a redemption back."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Indiquez le motif de l'annulation.", field="reason")
    now = now or timezone.now()
    redemption = Redemption.objects.select_for_update().get(pk=redemption.pk)
    if redemption.cancelled_at:
        raise DomainError("Cette utilisation est déjà annulée.", code="already_cancelled")
    if now - redemption.created_at > CANCEL_WINDOW:
        raise DomainError("Une utilisation ne peut être annulée que dans les 24 heures.", code="too_late")
    vouchers = list(
        Voucher.objects.select_for_update(of=("self",)).filter(redemption=redemption).select_related("order")
    )
    if any(v.status != VoucherStatus.REDEEMED for v in vouchers):
        raise DomainError("Ces chèques ont déjà été remboursés : l'utilisation ne peut plus être annulée.")
    Voucher.objects.filter(pk__in=[v.pk for v in vouchers], status=VoucherStatus.REDEEMED).update(
        status=VoucherStatus.ACTIVE, redemption=None
    )
    redemption.lines.update(is_cancelled=True)
    _events(vouchers, VoucherStatus.ACTIVE, user, f"Annulation : {reason}", redemption=redemption)
    redemption.cancelled_at, redemption.cancelled_by, redemption.cancel_reason = now, user, reason[:250]
    redemption.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    by_order = _amounts_by_order(vouchers)
    *outstanding, payable = ledger.accounts_for(
        [order_outstanding_spec(order) for order in by_order] + [ledger.provider_payable_spec(redemption.provider)]
    )
    ledger.transaction_post(
        kind="redemption_cancel",
        description=f"Annulation de l'utilisation n° {redemption.pk} : {reason[:150]}",
        reference=f"redemption:{redemption.pk}",
        lines=[*zip(outstanding, (-a for a in by_order.values()), strict=True), (payable, redemption.covered_cents)],
        actor=user,
    )
    return redemption
