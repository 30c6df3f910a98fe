"""Demo shipments and distribution, after the vouchers and printing builders. Each funder's booklets
go to distributors of its territory (ADR 0024), a week after the order was paid (or released early),
and are handed out in runs, each to one public, from a few days after the shipment to ten days
before the build day (ADR 0037; the usage builder uses each booklet after its handout):

- Gironde: booklets shipped to its two Gironde distributors (Solidarités Médoc, CCAS de Mérignac) and
  to itself; part of them handed out, by each distributor, to its publics (last campaign's too,
  see aptic/demo/builders/last_campaign.py);
- CCAS de Saint-Étienne: shipped to the Mission locale Loire Sud, in Saint-Étienne, part handed out;
- the company: shipped to itself, a few handed out to employees;
- one postal mailing (Plus option) of a few addresses, posted, its addresses still kept.
"""

import datetime

from aptic.vouchers.models import Order

from .mailings import mailing_create, mailing_documents_generate, mailing_mark_mailed
from .models import BeneficiaryCategory
from .shipments import booklets_hand_out, shipment_create

# Booklets of the Gironde's order handed out at `make run`'s scale.
DISTRIBUTED_BOOKLETS = 5000
CATEGORIES = [
    BeneficiaryCategory.SENIOR,
    BeneficiaryCategory.JOB_SEEKER,
    BeneficiaryCategory.MINIMUM_INCOME,
    BeneficiaryCategory.YOUNG,
    BeneficiaryCategory.SMALL_BUSINESS,
    BeneficiaryCategory.ASSOCIATION,
]
MAILING = (
    "nom;adresse;complement;code_postal;ville;categorie\n"
    "Jeanne Martin;12 rue des Lilas;;33000;Bordeaux;senior\n"
    "Karim Benali;4 allée des Pins;Résidence Les Ormes;33600;Pessac;demandeur d'emploi\n"
    "Sophie Dubois;27 cours Victor Hugo;;33130;Bègles;senior\n"
)


def _first(context, key):
    return context.organisations.get(key, [None])[0]


def _admin(organisation):
    return organisation.memberships.filter(role="admin").select_related("user").first().user


def _member(organisation):
    """Its reception member when it has one (handouts per member on the distributor's dashboard)."""
    member = organisation.memberships.filter(role="member").select_related("user").first()
    return member.user if member else _admin(organisation)


def distributed_booklets(context, count: int) -> int:
    """How many of an order's `count` booklets the Gironde's distributors hand out."""
    return min(count // 2, max(2, int(DISTRIBUTED_BOOKLETS * context.scale)))


def hand_out_in_runs(context, organisation, order, first, last, user, start, end, categories=CATEGORIES):
    """Split booklets first…last into runs of random publics, as seasons of handouts between `start`
    and `end` (working days, the booklets in order): information days, each to one public."""
    number, runs = first, []
    while number <= last:
        run = min(last, number + context.rng.randint(0, max(1, (last - first) // 12)))
        runs.append((number, run))
        number = run + 1
    span = max(0, (end - start).days)
    days = sorted(
        min(end, context.calendar._day(start, context.rng.randint(0, span))) for _ in runs
    )  # fmt: skip
    for (number, run), day in zip(runs, days, strict=True):
        booklets_hand_out(
            organisation=organisation,
            order=order,
            first=number,
            last=run,
            category=context.rng.choice(categories),
            user=user,
            day=day,
        )


def build(context) -> None:
    calendar = context.calendar
    today = calendar.today
    staff = _admin(_first(context, "platform"))
    gironde, ccas, company = (
        _first(context, "funder_dep"),
        _first(context, "funder_ccas"),
        _first(context, "funder_company"),
    )
    medoc, mission, dist_ccas = (
        _first(context, "dist_medoc"),
        _first(context, "dist_mission"),
        _first(context, "dist_ccas"),
    )
    current = {
        o.funder_id: o
        for o in Order.objects.filter(print_release__isnull=False, valid_from=calendar.campaign_start).order_by("pk")
    }

    order = current.get(gironde.pk)
    if order is not None:
        shipped_on = calendar.shipped_on(calendar.gironde_paid_on)
        count = order.quantity // order.booklet_size
        distributed = distributed_booklets(context, count)
        # Distributors get the activated booklets and more; the funder keeps a stock; the rest waits.
        to_medoc = max(1, min(count, distributed * 6 // 10 + count // 20))
        to_merignac = max(to_medoc + 1, min(count - 6, distributed + count // 10))
        shipment_create(order=order, recipient=medoc, ranges=[(1, to_medoc)], shipped_on=shipped_on, user=staff)
        shipment_create(
            order=order,
            recipient=dist_ccas,
            ranges=[(to_medoc + 1, to_merignac)],
            shipped_on=shipped_on,
            user=staff,
        )
        stock = min(count - 6, to_merignac + max(1, count // 20))
        if stock > to_merignac:
            shipment_create(
                order=order, recipient=gironde, ranges=[(to_merignac + 1, stock)], shipped_on=shipped_on, user=staff
            )
        opening = shipped_on + datetime.timedelta(days=3)
        medoc_last = min(to_medoc, distributed)
        if medoc_last >= 1:
            hand_out_in_runs(context, medoc, order, 1, medoc_last, _admin(medoc), opening, calendar.handouts_end)
        if distributed > to_medoc:
            hand_out_in_runs(
                context,
                dist_ccas,
                order,
                to_medoc + 1,
                min(distributed, to_merignac),
                _member(dist_ccas),
                opening,
                calendar.handouts_end,
            )
        # The Plus option: booklets of the stock posted to beneficiaries (the last two were stolen).
        mailing = mailing_create(
            funder=gironde,
            order=order,
            filename="beneficiaires-gironde.csv",
            data=MAILING.encode(),
            user=_admin(gironde),
            at=calendar.moment(today - datetime.timedelta(days=12), 15),
        )
        mailing_documents_generate(mailing=mailing)
        mailing_mark_mailed(mailing=mailing, mailed_on=today - datetime.timedelta(days=5), user=staff)

    order = current.get(ccas.pk) if ccas else None
    if order is not None and mission is not None:
        count = order.quantity // order.booklet_size
        shipped_on = calendar.shipped_on(calendar.invoiced_on)  # released early, at its invoice
        shipment_create(order=order, recipient=mission, ranges=[(1, count // 2)], shipped_on=shipped_on, user=staff)
        hand_out_in_runs(
            context,
            mission,
            order,
            1,
            max(1, count // 5),
            _admin(mission),
            shipped_on + datetime.timedelta(days=3),
            calendar.handouts_end,
            categories=[BeneficiaryCategory.YOUNG, BeneficiaryCategory.YOUNG, BeneficiaryCategory.JOB_SEEKER],
        )

    order = current.get(company.pk) if company else None
    if order is not None:
        count = order.quantity // order.booklet_size
        shipped_on = calendar.shipped_on(calendar.paid_on)
        shipment_create(order=order, recipient=company, ranges=[(1, count)], shipped_on=shipped_on, user=staff)
        hand_out_in_runs(
            context,
            company,
            order,
            1,
            max(1, count // 10),
            _admin(company),
            shipped_on + datetime.timedelta(days=10),
            calendar.handouts_end,
            categories=[BeneficiaryCategory.EMPLOYEE],
        )
