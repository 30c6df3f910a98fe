"""The funder space: each order's stage from quote to expiry, its rules, and its vouchers counted
at each step (printed, shipped, distributed, redeemed, expired). Reads only; each step's own app
says how many of its vouchers it has seen."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from aptic.billing.selectors import STAGE_LABELS, commercial_stages
from aptic.distribution.selectors import vouchers_distributed, vouchers_shipped
from aptic.printing.selectors import vouchers_printed
from aptic.vouchers.models import RULE_FIELDS, Order, Voucher, VoucherStatus

STAGES = {
    "printed": "Imprimée",
    "shipped": "Expédiée",
    "distributed": "Distribuée",
    "in_use": "En cours d'utilisation",
    "expired": "Expirée",
}
SPENT = (VoucherStatus.REDEEMED, VoucherStatus.REIMBURSED)


@dataclass
class OrderProgress:
    order: Order
    commercial_stage: str
    printed: int = 0
    shipped: int = 0
    distributed: int = 0
    by_status: dict = field(default_factory=dict)

    @property
    def redeemed(self) -> int:
        return sum(self.by_status.get(s, 0) for s in SPENT)

    @property
    def expired(self) -> int:
        return self.by_status.get(VoucherStatus.EXPIRED, 0)

    @property
    def stage(self) -> str:
        """The furthest step reached: expiry, use, distribution, shipping, printing, then billing."""
        if self.expired or (self.order.issued_at and self.order.is_expired(timezone.localdate())):
            return "expired"
        for stage, count in (
            ("in_use", self.redeemed),
            ("distributed", self.distributed),
            ("shipped", self.shipped),
            ("printed", self.printed),
        ):
            if count:
                return stage
        return self.commercial_stage

    @property
    def stage_label(self) -> str:
        """The order's one status, on the Suivi page and on Commandes (order_status_labels)."""
        return STAGES.get(self.stage) or STAGE_LABELS[self.stage]

    @property
    def territory_names(self) -> list[str]:
        """The territories the order is limited to, largest first (empty: anywhere in France)."""
        o = self.order
        return [
            t.name for rel in (o.rule_regions, o.rule_departements, o.rule_epcis, o.rule_communes) for t in rel.all()
        ]


def order_status_labels(funder) -> dict[int, str]:
    """{order id: its status label}, by the one rule of OrderProgress.stage, for pages that list orders."""
    return {p.order.pk: p.stage_label for p in funder_orders_progress(funder)}


def funder_orders_progress(funder) -> list[OrderProgress]:
    orders = list(Order.objects.filter(funder=funder).prefetch_related(*RULE_FIELDS).order_by("-created_at", "-pk"))
    ids = [o.pk for o in orders]
    stages = commercial_stages(ids)
    printed, shipped, distributed = vouchers_printed(ids), vouchers_shipped(ids), vouchers_distributed(ids)
    by_status = defaultdict(dict)
    for row in Voucher.objects.filter(order_id__in=ids).values("order_id", "status").annotate(n=Count("pk")):
        by_status[row["order_id"]][row["status"]] = row["n"]
    return [
        OrderProgress(
            order=o,
            commercial_stage=stages[o.pk],
            printed=printed.get(o.pk, 0),
            shipped=shipped.get(o.pk, 0),
            distributed=distributed.get(o.pk, 0),
            by_status=by_status[o.pk],
        )
        for o in orders
    ]
