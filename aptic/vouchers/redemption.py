"""Spending vouchers at a labelled provider's place: test, redeem (all or none), cancel.

No voucher is ever spent twice: the vouchers are read and judged, then flipped by a conditional
UPDATE whose row count must match (or nothing is written); the partial unique constraint on live
redemption lines is the second barrier (ADR 0017).
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from aptic.core import clock, formats
from aptic.core.errors import DomainError
from aptic.ledger import services as ledger
from aptic.providers.selectors import is_labelled_now

from . import codes as voucher_codes
from . import events
from .accounts import order_outstanding_spec
from .caches import cached_rules_for, place_profile
from .locks import vouchers_lock
from .models import Redemption, Voucher, VoucherStatus
from .redemption_read import vouchers_for_codes
from .redemption_write import KeyTaken, Till, VoucherTaken, own_statement, unsaved, write
from .rules import (
    CANCEL_WINDOW,
    Setting,
    expired_refusal,
    no_change_refusal,
    per_act_refusal,
    refusal,
    state_refusal,
    vouchers_needed,
)

MAX_CODES = 50
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


class AlreadyReimbursed(DomainError):
    """The redemption's vouchers were paid back to the provider: it can no longer be cancelled."""

    def __init__(self):
        super().__init__(
            "Ces chèques ont déjà été remboursés : l'utilisation ne peut plus être annulée.", code="already_reimbursed"
        )


@dataclass(frozen=True)
class RedemptionResult:
    """What redemption_create gives back: the redemption, whether it is an earlier one answered
    again (a retried idempotency key), and, for a new one, its vouchers' printed numbers in line
    order (the API would otherwise read them back; None for a replay: read them from its lines)."""

    redemption: Redemption
    replayed: bool = False
    serials: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Preview:
    """What a redemption of the checked vouchers would give (redemption_create decides)."""

    price: int
    covered: int
    remainder: int
    count: int
    needed: int  # the fewest vouchers that cover the price: no change is given


def _check_counter(provider, place, offer, today: datetime.date) -> None:
    if place.provider_id != provider.pk:
        raise DomainError("Ce lieu n'appartient pas à votre structure.", code="forbidden_place")
    if not is_labelled_now(provider.pk, day=today):
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
    return Setting(
        **vars(place_profile(place)),
        day=day,
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


def _judge(results, vouchers_by_code, setting: Setting | None, today: datetime.date) -> None:
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
        if (problem := state_refusal(voucher.status)) or (
            setting is not None and (problem := refusal(order_rules, setting))
        ):
            result.problem = problem
        elif setting is None and voucher.order.is_expired(today):
            result.problem = expired_refusal(order_rules)
        elif problem := per_act_refusal(order_rules, per_order[voucher.order_id]):
            result.problem = problem


def vouchers_check(*, provider, place, offer=None, codes, day: datetime.date | None = None) -> list[CodeResult]:
    """Test validity without spending: what would happen if these codes were redeemed here."""
    today = clock.day_of(timezone.now())
    _check_counter(provider, place, offer, today)
    results = _read_codes(codes)
    wanted = [r.code for r in results if r.ok]
    vouchers = vouchers_for_codes(wanted)
    setting = _setting(place, offer, day or today) if offer else None
    _judge(results, {v.code: v for v in vouchers}, setting, today)
    return results


def redemption_preview(*, results: list[CodeResult], offer) -> Preview | None:
    """What redeeming the checked codes (vouchers_check's results) would give for `offer`, when all
    passed; the counter shows it before the provider confirms."""
    values = [r.voucher.order.face_value_cents for r in results if r.ok and r.voucher is not None]
    if not values or len(values) != len(results):
        return None
    total = sum(values)
    return Preview(
        offer.price_cents,
        total,
        max(0, offer.price_cents - total),
        len(values),
        vouchers_needed(values, offer.price_cents),
    )


def _amounts_by_order(vouchers) -> dict:
    by_order = defaultdict(int)
    for voucher in vouchers:
        by_order[voucher.order] += voucher.order.face_value_cents
    return by_order


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
) -> RedemptionResult:
    """Pay `offer` at `place` with the vouchers of `codes`: all are spent, or none.

    `at` back-dates the redemption (demo history, imports); the counter never passes it."""
    idempotency_key = (idempotency_key or "").strip()
    if len(idempotency_key) > 100:
        raise DomainError("La clé d'idempotence est trop longue (100 caractères au plus).", code="invalid")
    now = timezone.now()
    today = clock.day_of(now)
    _check_counter(provider, place, offer, today)
    setting = _setting(place, offer, day or (clock.day_of(at) if at else today))
    at = at or now
    till = Till(provider, place, offer, user, idempotency_key, at)
    for attempt in range(2):
        results = _read_codes(codes)
        wanted = [r.code for r in results if r.ok]
        try:
            return _redeem(till, results, wanted, setting)
        except KeyTaken:
            return _key_taken(provider, idempotency_key, place, offer, wanted)
        except VoucherTaken:
            # A voucher changed between our read and our write: judge again on fresh rows, so the
            # refusal says which code and why ("déjà utilisé", "mis en opposition"…).
            if attempt:
                raise RedemptionRefused(TAKEN) from None
    raise AssertionError("unreachable")


def _key_taken(provider, idempotency_key, place, offer, wanted) -> RedemptionResult:
    # A retry of the same request won the race: once ours is rolled back, answer as it did.
    if (first := _replay(provider, idempotency_key, place, offer, wanted)) is not None:
        return RedemptionResult(first, replayed=True)
    raise RedemptionRefused(TAKEN)


def _reason(offer) -> str:
    return f"Service « {offer.title[:150]} »"


def _description(provider, count: int) -> str:
    return f"Utilisation n° {{id}} : {formats.count(count, 'chèque')} chez {provider.name}"


def _redeem(till, results, wanted, setting) -> RedemptionResult:
    # The read takes no lock and needs no transaction: the write's conditional UPDATE re-checks.
    # One look-up of this thread's connection, one cursor for the read and the write.
    db = connections[DEFAULT_DB_ALIAS]
    with own_statement(db), db.cursor() as cursor:
        return _judge_and_write(cursor, till, results, wanted, setting)


def _judge_and_write(cursor, till, results, wanted, setting) -> RedemptionResult:
    provider, place, offer, user, idempotency_key, at = till
    # Read without locks: the write's conditional UPDATE re-checks each voucher's state (ADR 0017).
    found = vouchers_for_codes(wanted, cursor=cursor)
    # Then look for a twin request: one whose vouchers this read saw spent had committed before it.
    if (first := _replay(provider, idempotency_key, place, offer, wanted)) is not None:
        return RedemptionResult(first, replayed=True)
    _judge(results, {v.code: v for v in found}, setting, setting.day)
    if not all(r.ok for r in results):
        bad = sum(not r.ok for r in results)
        raise RedemptionRefused(
            f"{formats.count(bad, 'chèque')} sur {formats.number(len(results))} {formats.plural(bad, 'refusé')} : "
            "aucun n'a été encaissé.",
            results,
        )
    vouchers = sorted((r.voucher for r in results), key=lambda v: v.pk)
    face_values = [v.order.face_value_cents for v in vouchers]
    if problem := no_change_refusal(face_values, offer.price_cents):
        raise RedemptionRefused(problem, results, code="too_many_vouchers")
    covered = sum(face_values)
    by_order = _amounts_by_order(vouchers)
    *outstanding, payable = ledger.account_ids_for(
        [order_outstanding_spec(order) for order in by_order] + [ledger.provider_payable_spec(provider)]
    )
    redemption = unsaved(till, covered=covered, count=len(vouchers))
    write(  # raises VoucherTaken or KeyTaken, which roll this transaction back
        cursor=cursor,
        redemption=redemption,
        vouchers=vouchers,
        user=user,
        reason=_reason(offer),
        description=_description(provider, len(vouchers)),
        entries=ledger.balanced_entries([*zip(outstanding, by_order.values(), strict=True), (payable, -covered)]),
    )
    return RedemptionResult(redemption, serials=tuple(v.order.serial(v.sequence) for v in vouchers))


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
    vouchers = vouchers_lock(Voucher.objects.filter(redemption=redemption).select_related("order"))
    if any(v.status != VoucherStatus.REDEEMED for v in vouchers):
        raise AlreadyReimbursed
    Voucher.objects.filter(pk__in=[v.pk for v in vouchers], status=VoucherStatus.REDEEMED).update(
        status=VoucherStatus.ACTIVE, redemption=None
    )
    redemption.lines.update(is_cancelled=True)
    events.voucher_events_redemption_cancelled(
        vouchers, redemption=redemption, actor=user, reason=f"Annulation : {reason}", at=now
    )
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
        at=now,
    )
    return redemption
