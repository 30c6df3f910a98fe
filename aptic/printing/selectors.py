"""Reads for the printing pages and for the funder space (counts of vouchers printed per order)."""

from django.db.models import F, Prefetch, Sum

from aptic.vouchers.models import Order

from .models import PrintFile, PrintRelease


def vouchers_printed(order_ids) -> dict[int, int]:
    """{order id: vouchers in produced print files}, for the funder space (issue #5, item 9)."""
    rows = (
        PrintFile.objects.filter(order_id__in=list(order_ids))
        .values("order_id")
        .annotate(n=Sum(F("last_sequence") - F("first_sequence") + 1))
    )
    return {row["order_id"]: row["n"] for row in rows}


def orders_for_staff():
    """Every order with its release, its last print job and its files (the staff list)."""
    return (
        Order.objects.select_related("funder", "print_release__job", "print_cover")
        .prefetch_related(Prefetch("print_files", queryset=PrintFile.objects.only("order_id", "part", "pages")))
        .order_by("-created_at", "-pk")
    )


def order_for_staff(pk: int) -> Order | None:
    return orders_for_staff().filter(pk=pk).first()


def release_of(order) -> PrintRelease | None:
    return PrintRelease.objects.select_related("job", "released_by").filter(order=order).first()


def files_of(order):
    return PrintFile.objects.filter(order=order).order_by("part")
