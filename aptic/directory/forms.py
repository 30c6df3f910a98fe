"""The catalogue's search form: where (a commune, a postal code, the visitor's position), how far, what."""

import re

from django import forms

from aptic.core.forms import AptForm
from aptic.core.params import parse_int
from aptic.places.models import OfferFormat
from aptic.territories.forms import CommuneField
from aptic.territories.models import Commune
from aptic.vocabulary.models import PlaceTypology, Public, ServiceCategory

from .selectors import PlaceSearch

POSTAL_CODE = re.compile(r"^\d{5}$")


class Area:
    """Every commune of a postal code shared by several communes ("42140")."""

    def __init__(self, postal_code: str, communes: list[Commune]):
        self.postal_code = postal_code
        self.communes = communes
        self.name = f"code postal {postal_code}"
        # The centre of the area: the plain mean of its communes' centres.
        self.latitude = sum(c.latitude for c in communes) / len(communes)
        self.longitude = sum(c.longitude for c in communes) / len(communes)


class CommuneOrPostalCodeField(CommuneField):
    """A commune (name, label or postal code), or an Area when a postal code covers several communes."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Commune ou code postal")
        kwargs.setdefault("help_text", "Par exemple « Saint-Étienne » ou « 42000 ».")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, str) and POSTAL_CODE.match(value.strip()):
            return value.strip()  # a postal code stays as typed (it may also be another commune's INSEE code)
        return super().prepare_value(value)

    def to_python(self, value):
        if isinstance(value, str) and POSTAL_CODE.match(value.strip()):
            current = Commune.objects.filter(is_current=True)
            communes = list(current.filter(postal_code_rows__code=value.strip()).distinct().order_by("name"))
            if len(communes) > 1:
                return Area(value.strip(), communes)
        return super().to_python(value)


DEFAULT_RADIUS_KM = 10
RADIUS_CHOICES = [("", "Commune seulement")] + [(str(km), f"{km} km") for km in (5, 10, 20, 30, 50, 100)]
MAX_RADIUS_KM = 200


class RadiusSelect(forms.Select):
    """The usual distances, plus the one asked for when it is another (a link with rayon=40)."""

    def get_context(self, name, value, attrs):
        text = str(value) if value is not None else ""
        if parse_int(text, minimum=1, maximum=MAX_RADIUS_KM) and text not in {str(c[0]) for c in self.choices}:
            self.choices = sorted([*self.choices, (text, f"{text} km")], key=lambda c: int(c[0] or 0))
        return super().get_context(name, value, attrs)


class PlaceSearchForm(AptForm):
    """The catalogue's filters (GET). Invalid values give French errors, never a crash."""

    commune = CommuneOrPostalCodeField(required=False)
    rayon = forms.IntegerField(
        label="Distance",
        required=False,
        initial=DEFAULT_RADIUS_KM,  # what the select shows before a search: a commune search looks 10 km around
        min_value=1,
        max_value=MAX_RADIUS_KM,
        widget=RadiusSelect(choices=RADIUS_CHOICES),
        error_messages={
            "invalid": f"Choisissez une distance entre 1 et {MAX_RADIUS_KM} km.",
            "min_value": f"Choisissez une distance entre 1 et {MAX_RADIUS_KM} km.",
            "max_value": f"Choisissez une distance entre 1 et {MAX_RADIUS_KM} km.",
        },
    )
    # Filled by "Autour de moi" (the browser's position); read in clean(), with one error for both.
    lat = forms.CharField(required=False, max_length=30, widget=forms.HiddenInput)
    lng = forms.CharField(required=False, max_length=30, widget=forms.HiddenInput)
    categorie = forms.ModelChoiceField(
        ServiceCategory.objects.none(), label="Service", required=False, to_field_name="code", empty_label="Tous"
    )
    typologie = forms.ModelChoiceField(
        PlaceTypology.objects.none(), label="Type de lieu", required=False, to_field_name="code", empty_label="Tous"
    )
    public = forms.ModelChoiceField(
        Public.objects.none(), label="Public", required=False, to_field_name="code", empty_label="Tous"
    )
    format = forms.ChoiceField(label="Format", required=False, choices=[("", "Tous"), *OfferFormat.choices])
    aptic = forms.BooleanField(label="Payable en chèques #APTIC", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categorie"].queryset = ServiceCategory.objects.filter(is_active=True)
        self.fields["typologie"].queryset = PlaceTypology.objects.filter(is_active=True)
        self.fields["public"].queryset = Public.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        position_error = forms.ValidationError(
            "La position transmise n'est pas valide : cherchez plutôt par commune.", code="position"
        )
        if "lat" in self.errors or "lng" in self.errors:
            self.errors.pop("lat", None)
            self.errors.pop("lng", None)
            raise position_error
        raw_lat, raw_lng = (data.get("lat") or "").strip(), (data.get("lng") or "").strip()
        data["lat"] = data["lng"] = None
        if not raw_lat and not raw_lng:
            return data
        try:
            lat, lng = float(raw_lat.replace(",", ".")), float(raw_lng.replace(",", "."))
        except ValueError:
            raise position_error from None
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):  # also refuses nan
            raise position_error
        data["lat"], data["lng"] = lat, lng
        return data

    def search(self) -> PlaceSearch:
        data = self.cleaned_data
        where = data.get("commune")
        radius = data.get("rayon")
        communes, centre = (), None
        if where is not None:
            if radius is None:
                communes = tuple(where.communes) if isinstance(where, Area) else (where,)
            centre = (where.latitude, where.longitude)
        elif data.get("lat") is not None:
            centre = (data["lat"], data["lng"])
            radius = radius or DEFAULT_RADIUS_KM
        return PlaceSearch(
            communes=communes,
            centre=centre,
            radius_km=radius if centre is not None else None,
            category=data.get("categorie"),
            typology=data.get("typologie"),
            public=data.get("public"),
            format=data.get("format") or "",
            aptic_only=bool(data.get("aptic")),
        )

    @property
    def where(self):
        """What the search is centred on, for the page's sentence: a commune, an area, 'position' or None."""
        data = getattr(self, "cleaned_data", {})
        if data.get("commune") is not None:
            return data["commune"]
        if data.get("lat") is not None:
            return "position"
        return None
