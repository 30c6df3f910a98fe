"""Forms of the provider space and the catalogue search: types and formats only; rules live in services."""

import re

from django import forms
from django.db.models import Q

from aptic.core import formats
from aptic.core.forms import AptForm, EurosField
from aptic.territories.forms import CommuneField
from aptic.territories.models import Commune
from aptic.vocabulary.models import AccessMode, PlaceTypology, Public, ServiceCategory, SupportMode

from .hours_form import OpeningHoursField
from .models import OfferFormat, OfferSettings
from .templatetags.places_extras import phone_display

POSTAL_CODE = re.compile(r"^\d{5}$")


def _degrees(value) -> float | None:
    """A coordinate as the form holds it (a float, or the text typed: '45,4397'), or None."""
    if isinstance(value, float | int):
        return float(value)
    try:
        return float(str(value or "").strip().replace(",", "."))
    except ValueError:
        return None


def _terms(model, current=()):
    """Active terms, plus those a record already holds (a deactivated term is not silently removed)."""
    return model.objects.filter(Q(is_active=True) | Q(pk__in=[term.pk for term in current])).order_by(
        "position", "label"
    )


class TermsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(queryset, **kwargs)


class PlaceForm(AptForm):
    required_css_class = "required"

    name = forms.CharField(label="Nom du lieu", max_length=200, error_messages={"required": "Indiquez le nom du lieu."})
    is_mobile = forms.TypedChoiceField(
        label="Type d'accueil",
        choices=[("0", "Lieu fixe : le public vient sur place"), ("1", "Itinérant : le service se déplace")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="0",
        error_messages={
            "required": "Indiquez si le lieu est fixe ou itinérant.",
            "invalid_choice": "Indiquez si le lieu est fixe ou itinérant.",
        },
    )
    address = forms.CharField(
        label="Adresse",
        max_length=250,
        required=False,
        help_text="Numéro et voie. Pour un service itinérant, l'adresse de rattachement (facultative).",
    )
    address_complement = forms.CharField(label="Complément d'adresse", max_length=250, required=False)
    commune = CommuneField()
    postal_code = forms.CharField(
        label="Code postal",
        max_length=5,
        required=False,
        help_text="Laissez vide pour le code postal principal de la commune.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    latitude = forms.FloatField(
        label="Latitude",
        required=False,
        localize=True,
        help_text="En degrés décimaux, par exemple 45,4397, ou en déplaçant le repère sur la carte. Laissez la "
        "latitude et la longitude vides pour placer le lieu au centre de la commune.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"invalid": "Indiquez la latitude en degrés décimaux, par exemple 45,4397."},
    )
    longitude = forms.FloatField(
        label="Longitude",
        required=False,
        localize=True,
        help_text="En degrés décimaux, par exemple 4,3872.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"invalid": "Indiquez la longitude en degrés décimaux, par exemple 4,3872."},
    )
    opening_hours = OpeningHoursField(
        label="Horaires d'ouverture",
        help_text="Pour chaque jour, une ou deux plages horaires (par exemple de 09:00 à 12:00, puis de 14:00 "
        "à 17:30). Laissez vides les jours de fermeture.",
    )
    summary = forms.CharField(
        label="Présentation courte",
        required=False,
        help_text="280 caractères au plus : ce qui s'affiche dans la liste des lieux.",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": "280"}),
    )
    description = forms.CharField(
        label="Présentation détaillée", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    accessibility = forms.CharField(
        label="Accessibilité",
        required=False,
        max_length=5000,
        help_text="Accès en fauteuil roulant, boucle magnétique, documents en facile à lire…",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    acceslibre_url = forms.CharField(
        label="Fiche Acceslibre",
        required=False,
        max_length=200,
        help_text="Adresse de la fiche du lieu sur acceslibre.beta.gouv.fr, si elle existe.",
        widget=forms.URLInput,
    )
    phone = forms.CharField(
        label="Téléphone",
        required=False,
        max_length=30,
        help_text="Par exemple 04 77 12 34 56.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(label="E-mail", required=False, max_length=254, widget=forms.EmailInput)
    website = forms.CharField(label="Site web", required=False, max_length=200, widget=forms.URLInput)
    booking_url = forms.CharField(
        label="Prise de rendez-vous en ligne", required=False, max_length=200, widget=forms.URLInput
    )
    typologies = TermsField(PlaceTypology.objects.none(), label="Type de lieu")
    service_categories = TermsField(ServiceCategory.objects.none(), label="Services proposés")
    publics = TermsField(
        Public.objects.none(),
        label="Publics spécifiquement accueillis",
        help_text="Ne cochez rien si le lieu accueille tous les publics.",
    )
    access_modes = TermsField(AccessMode.objects.none(), label="Modalités d'accès")
    support_modes = TermsField(SupportMode.objects.none(), label="Modalités d'accompagnement")
    is_published = forms.BooleanField(
        label="Visible dans le catalogue public",
        required=False,
        initial=True,
        help_text="Décochez pour préparer la fiche sans la montrer. Un lieu n'est public que si votre structure "
        "est labellisée.",
    )

    M2M = ("typologies", "service_categories", "publics", "access_modes", "support_modes")
    SECTIONS = (
        ("Le lieu", ("name", "is_mobile", "summary", "description")),
        ("Adresse et position", ("address", "address_complement", "commune", "postal_code", "latitude", "longitude")),
        ("Horaires", ("opening_hours",)),
        ("Accès et accessibilité", ("access_modes", "accessibility", "acceslibre_url")),
        ("Contacts", ("phone", "email", "website", "booking_url")),
        ("Services et publics", ("typologies", "service_categories", "support_modes", "publics")),
        ("Publication", ("is_published",)),
    )

    def __init__(self, *args, place=None, **kwargs):
        if place is not None:
            kwargs.setdefault("initial", self.initial_for(place))
        super().__init__(*args, **kwargs)
        models = {
            "typologies": PlaceTypology,
            "service_categories": ServiceCategory,
            "publics": Public,
            "access_modes": AccessMode,
            "support_modes": SupportMode,
        }
        for name, model in models.items():
            current = getattr(place, name).all() if place is not None else ()
            self.fields[name].queryset = _terms(model, current)

    @classmethod
    def initial_for(cls, place) -> dict:
        initial = {name: getattr(place, name) for name in cls.base_fields if name not in cls.M2M}
        initial["is_mobile"] = "1" if place.is_mobile else "0"
        initial["phone"] = phone_display(place.phone)  # as people type it: 04 77 43 09 77
        initial.update({name: list(getattr(place, name).all()) for name in cls.M2M})
        return initial

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def map_start(self) -> dict:
        """Where the map of the form puts the marker: the coordinates typed or stored, else the commune's
        centre (no geocoding: the provider drags the marker to the address), else nothing yet."""
        latitude, longitude = _degrees(self["latitude"].value()), _degrees(self["longitude"].value())
        if latitude is not None and longitude is not None and -90 <= latitude <= 90 and -180 <= longitude <= 180:
            return {"latitude": latitude, "longitude": longitude, "source": "coordinates"}
        commune = getattr(self, "cleaned_data", {}).get("commune") or self.initial.get("commune")
        if isinstance(commune, Commune):
            return {
                "latitude": commune.latitude,
                "longitude": commune.longitude,
                "source": "commune",
                "commune": commune,
            }
        return {"source": ""}


class OfferForm(AptForm):
    required_css_class = "required"

    title = forms.CharField(
        label="Intitulé du service", max_length=200, error_messages={"required": "Indiquez l'intitulé du service."}
    )
    category = forms.ModelChoiceField(
        ServiceCategory.objects.none(),
        label="Catégorie",
        empty_label="Choisissez une catégorie",
        error_messages={
            "required": "Choisissez la catégorie du service.",
            "invalid_choice": "Choisissez la catégorie du service dans la liste.",
        },
    )
    description = forms.CharField(
        label="Description", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    price = EurosField(
        label="Prix TTC, en euros",
        help_text="Par exemple 12,50. Indiquez 0 si le service est gratuit.",
        error_messages={"required": "Indiquez le prix en euros (0 si le service est gratuit)."},
    )
    duration_minutes = forms.IntegerField(
        label="Durée, en minutes",
        help_text="Par exemple 90 pour 1 h 30 (24 heures au plus).",
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "1", "max": "1440", "step": "1"}),
        error_messages={
            "required": "Indiquez la durée en minutes, par exemple 90.",
            "invalid": "Indiquez la durée en minutes, par exemple 90 pour 1 h 30.",
        },
    )
    format = forms.ChoiceField(
        label="Format",
        choices=OfferFormat.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez le format du service.",
            "invalid_choice": "Choisissez le format du service dans la liste.",
        },
    )
    publics = TermsField(
        Public.objects.none(),
        label="Publics visés",
        help_text="Ne cochez rien si le service s'adresse à tous.",
    )
    accepts_aptic = forms.BooleanField(
        label="Payable en chèques #APTIC",
        required=False,
        initial=True,
        help_text="Décochez si ce service ne peut pas être réglé avec des chèques #APTIC.",
    )

    # Services name the price in cents; the form asks for euros.
    SERVICE_FIELDS = {"price_cents": "price"}

    def __init__(self, *args, offer=None, **kwargs):
        if offer is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": offer.title,
                    "category": offer.category,
                    "description": offer.description,
                    "price": offer.price_cents,
                    "duration_minutes": offer.duration_minutes,
                    "format": offer.format,
                    "publics": list(offer.publics.all()),
                    "accepts_aptic": offer.accepts_aptic,
                },
            )
        super().__init__(*args, **kwargs)
        minimum = formats.euros(OfferSettings.current().min_voucher_price_cents)
        self.fields[
            "price"
        ].help_text = (
            f"Par exemple 12,50. Indiquez 0 si le service est gratuit. Payable en chèques, il coûte au moins {minimum}."
        )
        self.fields["category"].queryset = _terms(ServiceCategory, [offer.category] if offer else ())
        self.fields["publics"].queryset = _terms(Public, offer.publics.all() if offer else ())

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["price_cents"] = data.pop("price")
        return data
