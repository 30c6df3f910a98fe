"""Template filters for what users read: money in euros, the French way."""

from django import template

register = template.Library()


def format_euros(cents: int) -> str:
    """1250 → '12,50 €'; 1000 → '10 €'; thousands separated by a narrow no-break space."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(int(cents)), 100)
    whole = f"{euros:,}".replace(",", "\u202f")
    return f"{sign}{whole} €" if rest == 0 else f"{sign}{whole},{rest:02d} €"


@register.filter
def euros(cents):
    if cents is None or cents == "":
        return ""
    return format_euros(cents)
