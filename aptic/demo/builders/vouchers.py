"""Demo orders, on the calendar (ADR 0024, 0037); their use is the usage builder's.

- Département de la Gironde: 200,000 vouchers for Gironde only, active once handed out; two
  booklets reported stolen from its stock.
- CCAS de Saint-Étienne: 50,000 vouchers for Saint-Étienne only, at most 2 per service.
- The company: 20,000 vouchers anywhere, for three service categories (Premium targeting).
- Gironde's order of last year: 30,000 vouchers, used until its grace date, then expired.
"""

import datetime

from aptic.territories.models import Commune, Departement
from aptic.vocabulary.models import ServiceCategory
from aptic.vouchers.issuance import order_create, order_issue
from aptic.vouchers.lifecycle import vouchers_stop
from aptic.vouchers.models import Voucher

ORDERS = {"gironde": 200_000, "ccas": 50_000, "company": 20_000, "expired": 30_000}
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
            at=calendar.ordered_at,
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
            at=calendar.ordered_at,
        ),
        "company": order_create(
            funder=company,
            quantity=_size(context, "company"),
            **validity,
            actor=staff,
            label=f"Chèques #APTIC {year} — salariés",
            rule_categories=list(ServiceCategory.objects.filter(standard_value__in=COMPANY_CATEGORIES)),
            at=calendar.ordered_at,
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
            at=calendar.last_ordered_at,
        ),
    }
    for key, order in orders.items():
        order_issue(order=order, actor=staff, at=calendar.last_issued_at if key == "expired" else calendar.issued_at)
    gironde_admin = _admin(gironde)
    # Stolen from the funder's stock before anything was shipped (stopped booklets never leave).
    last = orders["gironde"].quantity
    stolen = Voucher.objects.filter(order=orders["gironde"], sequence__gt=last - 20, sequence__lte=last)
    vouchers_stop(
        vouchers=list(stolen),
        actor=gironde_admin,
        reason="Carnets volés dans le stock du département",
        at=calendar.stolen_at,
    )
    return orders


def build(context) -> None:
    context.orders = _orders(context)
