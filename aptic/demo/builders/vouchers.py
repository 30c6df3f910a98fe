"""Demo orders and vouchers in every state, and six months of redemptions at the demo places.

- Département de la Gironde: 200,000 vouchers for Gironde only, active once handed out; 5,000
  booklets distributed, two reported stolen.
- CCAS de Saint-Étienne: 50,000 vouchers for Saint-Étienne only, at most 2 per service.
- The company: 20,000 vouchers anywhere, for three service categories (Premium targeting).
- Gironde's order of last year: 30,000 vouchers, expired.
"""

import datetime

from django.utils import timezone

from aptic.demo.timeline import PARIS
from aptic.demo.timeline import at as moment
from aptic.places.models import Offer
from aptic.providers.selectors import labelled_providers
from aptic.territories.models import Commune, Departement
from aptic.vocabulary.models import ServiceCategory
from aptic.vouchers.issuance import order_create, order_issue
from aptic.vouchers.lifecycle import booklets_activate, vouchers_expire, vouchers_stop
from aptic.vouchers.models import Voucher, VoucherStatus
from aptic.vouchers.redemption import RedemptionRefused, redemption_cancel, redemption_create

REDEMPTIONS = 1500
ORDERS = {"gironde": 200_000, "ccas": 50_000, "company": 20_000, "expired": 30_000}
DISTRIBUTED_BOOKLETS = 5000
COMPANY_CATEGORIES = [
    "Insertion professionnelle via le numérique",
    "Utilisation sécurisée du numérique",
    "Maîtrise des outils numériques du quotidien",
]


def _admin(organisation):
    return organisation.memberships.filter(role="admin").select_related("user").first().user


def _size(context, name: str, multiple: int = 10) -> int:
    return max(multiple, int(ORDERS[name] * context.scale) // multiple * multiple)


def _label(start: datetime.date, end: datetime.date) -> str:
    return str(start.year) if start.year == end.year else f"{start.year}-{end.year}"


def _orders(context):
    calendar = context.calendar
    validity = {
        "valid_from": calendar.campaign_start,
        "valid_until": calendar.campaign_end,
        "grace_until": calendar.campaign_grace,
    }
    year = _label(calendar.campaign_start, calendar.campaign_end)
    last_year = _label(calendar.last_campaign_start, calendar.last_campaign_end)
    gironde = context.organisations["funder_dep"][0]
    ccas = context.organisations["funder_ccas"][0]
    company = context.organisations["funder_company"][0]
    staff = _admin(context.organisations["platform"][0])
    orders = {
        "gironde": order_create(
            funder=gironde,
            quantity=_size(context, "gironde"),
            **validity,
            activation="on_distribution",
            actor=staff,
            label=f"Chèques #APTIC {year} — Gironde",
            rule_departements=[Departement.objects.get(pk="33")],
        ),
        "ccas": order_create(
            funder=ccas,
            quantity=_size(context, "ccas", 5),
            booklet_size=5,
            **validity,
            max_vouchers_per_act=2,
            actor=staff,
            label=f"Chèques #APTIC {year} — CCAS de Saint-Étienne",
            rule_communes=[Commune.objects.get(pk="42218")],
        ),
        "company": order_create(
            funder=company,
            quantity=_size(context, "company"),
            **validity,
            actor=staff,
            label=f"Chèques #APTIC {year} — salariés",
            rule_categories=list(ServiceCategory.objects.filter(standard_value__in=COMPANY_CATEGORIES)),
        ),
        "expired": order_create(
            funder=gironde,
            quantity=_size(context, "expired"),
            valid_from=calendar.last_campaign_start,
            valid_until=calendar.last_campaign_end,
            grace_until=calendar.last_campaign_grace,
            actor=staff,
            label=f"Chèques #APTIC {last_year} — Gironde",
            rule_departements=[Departement.objects.get(pk="33")],
        ),
    }
    for key, order in orders.items():
        order_issue(order=order, actor=staff, at=calendar.last_issued_at if key == "expired" else calendar.issued_at)
    vouchers_expire(day=calendar.expiry_day)  # last campaign's, the day after its grace date
    gironde_admin = _admin(gironde)
    distributed = max(2, int(DISTRIBUTED_BOOKLETS * context.scale))
    booklets_activate(order=orders["gironde"], numbers=range(1, distributed + 1), actor=gironde_admin)
    # Stolen from the funder's stock before anything was shipped (stopped booklets never leave).
    last = orders["gironde"].quantity
    stolen = Voucher.objects.filter(order=orders["gironde"], sequence__gt=last - 20, sequence__lte=last)
    vouchers_stop(vouchers=list(stolen), actor=gironde_admin, reason="Carnets volés dans le stock du département")
    return orders


def _counter_pool(orders):
    """For each labelled place: its priced offers and which orders' vouchers it may take."""
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
            usable.append(orders["gironde"])
        if place.commune_id == "42218":
            usable.append(orders["ccas"])
        if offer.category.standard_value in COMPANY_CATEGORIES:
            usable.append(orders["company"])
        if usable:
            pool.append((offer, usable))
    return pool


def build(context) -> None:
    rng = context.rng
    calendar = context.calendar
    today = calendar.today
    orders = _orders(context)
    pool = _counter_pool(orders)
    if not pool:
        return
    # Vouchers taken in order from each order's active ones, as beneficiaries would bring them.
    queues = {
        order.pk: iter(
            Voucher.objects.filter(order=order, status=VoucherStatus.ACTIVE)
            .order_by("sequence")
            .values_list("code", flat=True)
        )
        for order in orders.values()
    }
    users = {}
    six_months = (today - calendar.redemptions_start).days
    made = []
    count_redemptions = max(10, int(REDEMPTIONS * context.scale))
    latest = min(timezone.now() - datetime.timedelta(minutes=5), moment(today, 19))
    for n in range(count_redemptions):
        offer, usable = rng.choice(pool)
        order = rng.choice(usable)
        needed = max(1, -(-offer.price_cents // order.face_value_cents))
        count = min(needed, order.max_vouchers_per_act or needed, rng.choice([needed, needed, max(1, needed - 1)]))
        codes = [code for code in (next(queues[order.pk], None) for _ in range(count)) if code]
        if not codes:
            continue
        day = today - datetime.timedelta(days=six_months * (count_redemptions - n) // count_redemptions)
        at = datetime.datetime.combine(day, datetime.time(rng.randint(9, 18), rng.randint(0, 59)), tzinfo=PARIS)
        at = min(at, latest)  # today's visits happened before now
        provider = offer.place.provider
        user = users.setdefault(provider.pk, _admin(provider))
        try:
            made.append(
                redemption_create(
                    provider=provider, place=offer.place, offer=offer, codes=codes, user=user, at=at
                ).redemption
            )
        except RedemptionRefused:
            continue
    # A few taken back by the provider the same day (recent ones: the 24-hour window).
    for redemption in made[-3:]:
        redemption_cancel(
            redemption=redemption,
            user=redemption.created_by,
            reason="Service finalement non rendu",
            # An hour later, or now for a redemption of the last hour: never a time yet to come.
            now=min(redemption.created_at + datetime.timedelta(hours=1), timezone.now()),
        )
