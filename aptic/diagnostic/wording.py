"""The diagnostic's figures in words, on its pages (templatetags/diagnostic.py) and in its PDF report
(report_pdf.py), through aptic.core.formats (ADR 0023). A PDF drawn with Vera, which has no narrow
no-break space, asks for the ordinary one (`space=formats.NBSP`)."""

from decimal import Decimal

from aptic.core import formats

KINDS = {"aptic": "lieu #APTIC", "reference": "lieu de référence"}


def km(value, *, space: str = formats.NNBSP) -> str:
    """12.345 → '12,3 km'; None → 'aucun lieu'."""
    if value is None:
        return "aucun lieu"
    return f"{formats.number(round(value, 1), decimals=1, space=space)}{formats.NBSP}km"


def rate(value, *, space: str = formats.NNBSP) -> str:
    """A rate (per 1,000 or 10,000 inhabitants) with two decimals; None → '—'. A rate above zero too
    small for them keeps two significant digits (0,0043), never reading 0,00."""
    if value is None:
        return "—"
    exact = Decimal(str(value))
    if exact and abs(exact) < Decimal("0.005"):
        return formats.number(exact, decimals=1 - exact.adjusted(), space=space)
    return formats.number(exact, decimals=2, space=space)


def published_rate(uses, *, space: str = formats.NNBSP) -> str:
    """A territory's published uses per 1,000 inhabitants (ADR 0060): '—' when every cell is under
    statistical secrecy or the population unknown, 'au moins …' when some cells are."""
    shown = rate(uses.rate, space=space)
    return f"au moins {shown}" if uses.partial and uses.rate is not None else shown


def share(value, *, space: str = formats.NNBSP) -> str:
    """A share from 0 to 1 as a percentage; None → '—'."""
    return "—" if value is None else formats.percent(value, space=space)
