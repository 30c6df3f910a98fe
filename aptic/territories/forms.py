"""The commune field every form reuses: type a name or a postal code, pick from the suggestions."""

import contextlib

from django import forms
from django.urls import reverse_lazy

from aptic.core.forms import AptForm

from .models import Commune
from .selectors import SearchError, resolve_commune, search_communes


class CommuneInput(forms.TextInput):
    template_name = "territories/widgets/commune_input.html"

    def __init__(self, attrs=None):
        defaults = {"autocomplete": "off", "spellcheck": "false", "maxlength": "100"}
        super().__init__({**defaults, **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["search_url"] = reverse_lazy("territories:commune_search")
        # After a refused submit, the suggestions for what was typed are there without JavaScript.
        suggestions = []
        if value and isinstance(value, str):
            with contextlib.suppress(SearchError):
                suggestions = search_communes(value)
        context["widget"]["suggestions"] = suggestions
        return context


class CommuneField(forms.Field):
    widget = CommuneInput
    default_error_messages = {"required": "Indiquez une commune."}

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Commune")
        kwargs.setdefault("help_text", "Tapez le nom ou le code postal, puis choisissez dans la liste.")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Commune):
            return value.label
        if isinstance(value, str) and value and value.isalnum() and len(value) == 5:
            commune = Commune.objects.filter(insee_code=value).first()
            return commune.label if commune else value
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return resolve_commune(value)
        except SearchError as exc:
            raise forms.ValidationError(str(exc), code="commune") from None


class CommuneLookupForm(AptForm):
    commune = CommuneField()
