"""The demo's year of use (ADR 0037): the vouchers handed out are used at the labelled places, each
booklet only after its handout and within its order's validity, more in autumn and January, little
in August, none on Sundays nor public holidays, none after the build moment. Last campaign's are
used from the day after its first handouts to their grace date (last_campaign.py), this campaign's
from their handout to today (here), with a few booklets declared lost by their distributor and a few
uses taken back.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from aptic.distribution.models import Handout
from aptic.places.hours import is_public_holiday
from aptic.places.models import Offer
from aptic.providers.selectors import labelled_providers
from aptic.vouchers.lifecycle import vouchers_stop
from aptic.vouchers.models import Voucher, VoucherStatus
from aptic.vouchers.redemption import RedemptionRefused, redemption_cancel, redemption_create

from ..timeline import at as moment_of
from .vouchers import COMPANY_CATEGORIES

# Uses over the year of use at `make run`'s scale (the tests build 2 % of them).
USES = 3000
# Relative activity per month (a dip in August, peaks in autumn and January) and per weekday.
MONTH_WEIGHTS = {1: 13, 2: 10, 3: 11, 4: 10, 5: 9, 6: 8, 7: 6, 8: 2, 9: 12, 10: 14, 11: 13, 12: 8}
WEEKDAY_WEIGHTS = (10, 11, 12, 11, 10, 5, 0)  # Monday … Sunday: Saturday mornings, closed on Sundays
LOST_BOOKLETS = 2


@dataclass(eq=False)
class _Booklet:
    order_id: int
    number: int
    handed_out_on: datetime.date
    codes: list = field(default_factory=list)


def _admin(organisation):
    return organisation.memberships.filter(role="admin").select_related("user").first().user


def counter_pool(orders: dict) -> list:
    """For each priced offer of a labelled place: the orders whose vouchers it may take."""
    labelled = labelled_providers().values("pk")
    offers = (
        Offer.objects.filter(place__provider_id__in=labelled, is_active=True, accepts_aptic=True, price_cents__gt=0)
        .select_related("place__commune", "place__provider", "category")
        .order_by("pk")
    )
    pool = []
    for offer in offers:
        place = offer.place
        usable = []
        if place.commune.departement_id == "33":
            usable += [orders[key] for key in ("gironde", "expired") if key in orders]
        if place.commune_id == "42218" and "ccas" in orders:
            usable.append(orders["ccas"])
        if offer.category.standard_value in COMPANY_CATEGORIES and "company" in orders:
            usable.append(orders["company"])
        if usable:
            pool.append((offer, usable))
    return pool


def _booklets(orders) -> list[_Booklet]:
    """The handed-out booklets of `orders`, with their usable codes, in the order they were handed out."""
    sizes = {order.pk: order.booklet_size for order in orders}
    handed = {
        (h["shipped__booklet__order_id"], h["shipped__booklet__number"]): h["handed_out_on"]
        for h in Handout.objects.filter(shipped__booklet__order__in=orders).values(
            "shipped__booklet__order_id", "shipped__booklet__number", "handed_out_on"
        )
    }
    booklets = {key: _Booklet(key[0], key[1], day) for key, day in handed.items()}
    active = Voucher.objects.filter(order__in=orders, status=VoucherStatus.ACTIVE).order_by("order_id", "sequence")
    for order_id, sequence, code in active.values_list("order_id", "sequence", "code").iterator(chunk_size=10_000):
        booklet = booklets.get((order_id, (sequence - 1) // sizes[order_id] + 1))
        if booklet is not None:
            booklet.codes.append(code)
    return sorted((b for b in booklets.values() if b.codes), key=lambda b: (b.handed_out_on, b.order_id))


def _days(rng, start: datetime.date, end: datetime.date, count: int) -> list[datetime.date]:
    days = [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]
    weights = [0 if is_public_holiday(d) else MONTH_WEIGHTS[d.month] * WEEKDAY_WEIGHTS[d.weekday()] for d in days]
    return sorted(rng.choices(days, weights=weights, k=count)) if days and any(weights) else []


def uses_make(context, orders: list, start: datetime.date, end: datetime.date, count: int) -> list:
    """About `count` uses of `orders`' handed-out booklets between `start` and `end` (both included):
    each at a place that takes the order, the day after the booklet's handout at the earliest, within
    the order's validity. Returns the redemptions."""
    rng, calendar = context.rng, context.calendar
    wanted = {order.pk for order in orders}
    pool = [(offer, [o for o in usable if o.pk in wanted]) for offer, usable in counter_pool(context.orders)]
    pool = [(offer, usable) for offer, usable in pool if usable]
    labelled = {}  # day → the providers labelled that day (qualified, charter, subscription running)
    waiting, next_ = _booklets(orders), 0  # stopped booklets have no active codes: not there
    open_ = defaultdict(list)  # order id → booklets handed out before the day, with codes left
    users, made = {}, []
    for day in _days(rng, start, end, count):
        while next_ < len(waiting) and waiting[next_].handed_out_on < day:
            open_[waiting[next_].order_id].append(waiting[next_])
            next_ += 1
        for _ in range(8):  # a few tries for an offer whose orders have a booklet out that day
            offer, usable = rng.choice(pool) if pool else (None, [])
            if day not in labelled:
                labelled[day] = set(labelled_providers(day).values_list("pk", flat=True))
            if offer is None or offer.place.provider_id not in labelled[day]:
                continue
            usable = [o for o in usable if open_[o.pk] and o.valid_from <= day <= o.grace_until]
            if usable:
                break
        else:
            continue
        order = rng.choice(usable)
        booklets = open_[order.pk]
        booklet = booklets[rng.randrange(len(booklets))]
        needed = max(1, -(-offer.price_cents // order.face_value_cents))
        count_ = min(needed, order.max_vouchers_per_act or needed, rng.choice([needed, needed, max(1, needed - 1)]))
        codes, booklet.codes = booklet.codes[:count_], booklet.codes[count_:]
        if not booklet.codes:
            booklets.remove(booklet)
        provider = offer.place.provider
        user = users.setdefault(provider.pk, _admin(provider))
        at = moment_of(day, rng.randint(9, 17), rng.randint(0, 59))
        if at > calendar.now:
            continue  # the build day's visits after the build moment have not happened yet
        try:
            result = redemption_create(provider=provider, place=offer.place, offer=offer, codes=codes, user=user, at=at)
        except RedemptionRefused:
            continue
        made.append(result.redemption)
    return made


def build(context) -> None:
    calendar, rng = context.calendar, context.rng
    orders = [context.orders[key] for key in ("gironde", "ccas", "company") if key in context.orders]
    # A few booklets lost by their holder a week after the handout, declared by the distributor.
    booklets = _booklets(orders)
    lost = rng.sample(booklets, k=min(LOST_BOOKLETS, len(booklets) // 4))
    for booklet in lost:
        vouchers = Voucher.objects.filter(order_id=booklet.order_id, code__in=booklet.codes)
        handout = Handout.objects.select_related("recorded_by").get(
            shipped__booklet__order_id=booklet.order_id, shipped__booklet__number=booklet.number
        )
        vouchers_stop(
            vouchers=list(vouchers),
            actor=handout.recorded_by,
            reason="Carnet perdu par son bénéficiaire (déclaré par l'aiguilleur)",
            at=calendar.moment(booklet.handed_out_on + datetime.timedelta(days=7), 11),
        )
    first_handout = min((b.handed_out_on for b in booklets), default=calendar.today)
    share = (calendar.today - max(first_handout, calendar.uses_start)).days / 365
    count = max(10, int(USES * context.scale * share))
    made = uses_make(context, orders, max(first_handout, calendar.uses_start), calendar.today, count)
    uses_take_back(context, made)


def uses_take_back(context, made: list, count: int = 3) -> None:
    """A few of the latest uses taken back by their provider within the hour (the 24-hour window),
    each before the build moment: a use of the last hour before it stays as it is."""
    now, rng = context.calendar.now, context.rng
    recent = [r for r in made if r.created_at + datetime.timedelta(hours=1) <= now][-count:]
    for redemption in recent:
        redemption_cancel(
            redemption=redemption,
            user=redemption.created_by,
            reason="Service finalement non rendu",
            now=redemption.created_at + datetime.timedelta(minutes=rng.randint(10, 55)),
        )
