"""The map's filters until the dashboard's own (aptic.reporting.filters) are there: a period and a
service category, as usage lookups."""

import datetime

from django import forms

from aptic.core.forms import AptForm
from aptic.providers.forms import DATE_ERRORS, DateInput, IdChoiceField
from aptic.vocabulary.models import ServiceCategory

EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)


class MapFilterForm(AptForm):
    du = forms.DateField(label="Du", required=False, widget=DateInput(), error_messages=DATE_ERRORS)
    au = forms.DateField(label="Au (inclus)", required=False, widget=DateInput(), error_messages=DATE_ERRORS)
    categorie = IdChoiceField(
        ServiceCategory.objects.all(), label="Service", required=False, empty_label="Tous les services"
    )

    def clean(self):
        data = super().clean()
        for name in ("du", "au"):
            day = data.get(name)
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(name, "Choisissez une date entre 2000 et 2100.")
        first, last = data.get("du"), data.get("au")
        if first and last and first > last:
            self.add_error("au", "La fin de la période doit suivre son début.")
        return data

    def usage_filters(self) -> dict:
        data = self.cleaned_data
        filters = {}
        if data.get("du"):
            filters["day__gte"] = data["du"]
        if data.get("au"):
            filters["day__lte"] = data["au"]
        if data.get("categorie"):
            filters["category_id"] = data["categorie"].pk
        return filters
