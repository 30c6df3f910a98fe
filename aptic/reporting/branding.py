"""Whose mark a funder's exports carry (ADR 0042). White-label exports belong to the offer a funder
bought: any of its orders sold by a quote whose offer has `white_label_exports` (Premium). Its name
then replaces #APTIC, and its logo is the cover image staff uploaded for its printed booklets (the
Premium custom cover, aptic/printing), the most recent; there is no other image of a funder."""

import dataclasses
import io

from aptic.printing.models import PrintCover

from .report import Report

LOGO_PIXELS = 800  # the longest side drawn on the cover: a print cover is far larger


def is_white_label(organisation) -> bool:
    return organisation.orders.filter(quote__offer__white_label_exports=True).exists()


def brand_logo(organisation) -> bytes | None:
    """The funder's latest custom cover of a white-label order, as a PNG small enough for a PDF."""
    from PIL import Image

    cover = (
        PrintCover.objects.filter(order__funder=organisation, order__quote__offer__white_label_exports=True)
        .order_by("-uploaded_at", "-pk")
        .first()
    )
    if cover is None:
        return None
    try:
        with cover.image.open("rb") as handle, Image.open(handle) as image:
            image.thumbnail((LOGO_PIXELS, LOGO_PIXELS))
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, "PNG")
    except (OSError, ValueError):
        return None  # a file gone missing: the name alone
    return buffer.getvalue()


def branded(report: Report, organisation) -> tuple[Report, bytes | None]:
    """The report with the brand its exports carry, and the logo for its PDF: the funder's own if
    white-label, else #APTIC's (whatever brand the report came with)."""
    if is_white_label(organisation):
        return dataclasses.replace(report, brand=organisation.name), brand_logo(organisation)
    return dataclasses.replace(report, brand=None), None
