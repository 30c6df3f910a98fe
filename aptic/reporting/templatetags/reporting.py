"""Template filters of the reports: a value by its unit (`|valeur:unit`), a breakdown's table."""

from django import template

from aptic.reporting import formatting

register = template.Library()


@register.filter
def valeur(value, unit):
    """{{ figure.value|valeur:figure.unit }} → '12 340', '12,50 €', '45,7 %', '—'."""
    return formatting.value_text(value, unit)


@register.filter
def tableau(breakdown):
    """{% with table=breakdown|tableau %}: formatted cells and the chart's column."""
    return formatting.table(breakdown)
