""" "Mes encaissements" as a file (issue #14 item 7): one row per redemption under the page's filters,
as French Excel's CSV or a workbook, through the one writer of tables (aptic.core.tabular). The
amounts and the state read as on the page; nothing about the beneficiary, who is never known."""

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from aptic.core import tabular

HEADER = [
    "N° d'encaissement",
    "Date",
    "Lieu",
    "Service",
    "Chèques",
    "Prix (€)",
    "Payé en chèques (€)",
    "Reste payé par le bénéficiaire (€)",
    "État",
    "Annulé le",
]
WIDTHS = (16, 17, 36, 36, 10, 12, 18, 18, 14, 17)
FORMATS = ("csv", "xlsx")


def state(redemption) -> str:
    """As the page's "État" column says it."""
    if redemption.cancelled_at:
        return "Annulé"
    return "Remboursé" if redemption.is_reimbursed else "Encaissé"


def rows(redemptions):
    for r in redemptions.iterator(chunk_size=2000):
        yield [
            r.pk,
            r.created_at,
            r.place.name,
            r.offer.title,
            r.voucher_count,
            tabular.amount(r.price_cents),
            tabular.amount(r.covered_cents),
            tabular.amount(r.remainder_cents),
            state(r),
            r.cancelled_at,
        ]


def response(redemptions, fmt: str, organisation) -> HttpResponse:
    name = f"encaissements-{organisation.slug}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        reply = StreamingHttpResponse(
            tabular.csv_chunks(HEADER, rows(redemptions), dialect=tabular.FRENCH_EXCEL),
            content_type=tabular.CSV_CONTENT_TYPE,
        )
    else:
        data = tabular.xlsx_bytes(HEADER, rows(redemptions), title="Mes encaissements", widths=WIDTHS)
        reply = HttpResponse(data, content_type=tabular.XLSX_CONTENT_TYPE)
    reply["Content-Disposition"] = f'attachment; filename="{name}"'
    reply["Cache-Control"] = "private, no-store"
    return reply
