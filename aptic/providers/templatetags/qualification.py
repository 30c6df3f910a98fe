"""Filters for the provider's pages."""

from django import template

from aptic.providers.scoring import percent_label

register = template.Library()


@register.filter
def percent(value):
    """A Decimal percentage the French way: 72.50 → '72,50 %'."""
    if value is None or value == "":
        return ""
    return percent_label(value)
