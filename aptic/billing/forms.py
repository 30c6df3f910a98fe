"""Forms of the commercial side: types and formats only; the rules live in services.py and invoicing.py."""

import re

from django import forms

from aptic.accounts.models import LegalCategory
from aptic.core import formats
from aptic.core.errors import DomainError
from aptic.core.forms import AptForm, EurosField, FieldsetsMixin
from aptic.core.phones import clean_phone
from aptic.providers.forms import HONEYPOT, DateInput, IdChoiceField, IdMultipleChoiceField
from aptic.providers.models import Provider, ProviderStatus
from aptic.territories.forms import CommuneField
from aptic.territories.models import Commune, Departement, Epci, Region
from aptic.vocabulary.models import PlaceTypology, Public, ServiceCategory
from aptic.vouchers.models import FACE_VALUE_MAX_CENTS, FACE_VALUE_MIN_CENTS, MAX_QUANTITY, Activation

from .models import COMMITMENT_MAX, OPTION_MAX_CENTS, SERVICE_CODE_MAX, AcceptanceKind, OptionKind, PaymentMethod
from .selectors import offers_active
from .services import clean_siren_siret

EMAIL_ERRORS = {"invalid": "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."}
DATE_ERRORS = {"invalid": "Saisissez une date valide, par exemple 31/01/2027.", "required": "Indiquez une date."}
QUANTITY_ERRORS = {
    "required": "Indiquez un nombre de chèques.",
    "invalid": "Indiquez un nombre entier de chèques en chiffres, par exemple 2000.",
    "min_value": "Indiquez un nombre de chèques positif.",
    "max_value": f"Une commande compte au plus {MAX_QUANTITY:,} chèques.".replace(",", "\u202f"),
}
THOUSANDS_DOTS = re.compile(r"^\d{1,3}(?:\.\d{3})+$")
FACE_VALUE_ERRORS = {
    "required": "Indiquez la valeur faciale d'un chèque.",
    "invalid": "Indiquez la valeur faciale en euros, par exemple 10 ou 12,50.",
    "min_value": "La valeur faciale d'un chèque est d'au moins %(limit)s.",
    "max_value": "La valeur faciale d'un chèque est d'au plus %(limit)s.",
}
OPTION_ERRORS = {
    "invalid": "Indiquez le prix de l'option en euros HT, par exemple 1500 ou 1 500,50 (vide : pas d'option).",
    "min_value": "Le prix d'une option est d'au moins %(limit)s HT (vide : pas d'option).",
    "max_value": "Le prix d'une option est d'au plus %(limit)s HT : vérifiez la saisie.",
}


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def _terms(model):
    return model.objects.filter(is_active=True).order_by("position", "label")


class QuantityField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_QUANTITY)
        kwargs.setdefault("error_messages", QUANTITY_ERRORS)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric"})

    def to_python(self, value):
        # "2 000", "2.000" and "2000" all mean two thousand; "1000.5" or "2,5" is no number of vouchers.
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f]", "", value)
            if THOUSANDS_DOTS.match(value):
                value = value.replace(".", "")
            elif "." in value or "," in value:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class QuoteRequestForm(FieldsetsMixin, AptForm):
    fieldsets = [
        ("Votre organisation", ["organisation_name", "siret", "legal_category", "address", "commune"]),
        ("La personne à contacter", ["contact_name", "email", "phone"]),
        ("Votre projet", ["objectives", "quantity", "wished_offer", "territory", "publics", "categories"]),
    ]

    organisation_name = forms.CharField(
        label="Nom de l'organisation", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    siret = forms.CharField(
        label="Numéro SIREN ou SIRET",
        help_text="9 ou 14 chiffres, sur annuaire-entreprises.data.gouv.fr.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": "20"}),
        error_messages={"required": "Indiquez le numéro SIREN (9 chiffres) ou SIRET (14 chiffres)."},
    )
    legal_category = forms.ChoiceField(
        label="Catégorie juridique",
        choices=[("", "— Choisissez —"), *LegalCategory.choices],
        error_messages={"required": "Choisissez la catégorie juridique."},
    )
    address = forms.CharField(
        label="Adresse", max_length=250, widget=forms.TextInput(attrs={"autocomplete": "street-address"})
    )
    commune = CommuneField()
    territory = forms.CharField(
        label="Territoire visé",
        required=False,
        max_length=300,
        help_text="Par exemple : toute la commune, trois quartiers prioritaires, le département.",
    )
    contact_name = forms.CharField(label="Nom et prénom de la personne à contacter", max_length=150)
    email = forms.EmailField(label="Son adresse e-mail", max_length=254, error_messages=EMAIL_ERRORS)
    phone = forms.CharField(
        label="Son téléphone", max_length=30, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    objectives = forms.CharField(
        label="Vos objectifs",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Qui voulez-vous aider, à quoi, et comment pensez-vous distribuer les chèques ?",
    )
    quantity = QuantityField(
        label="Nombre de chèques envisagé", help_text="1 000 au moins (2 000 pour les offres Plus et Premium)."
    )
    wished_offer = IdChoiceField(
        label="Offre souhaitée",
        queryset=offers_active(),
        required=False,
        empty_label="Je ne sais pas encore",
        error_messages={"invalid_choice": "Choisissez une offre dans la liste."},
    )
    publics = IdMultipleChoiceField(
        label="Publics visés", queryset=_terms(Public), required=False, widget=forms.CheckboxSelectMultiple
    )
    categories = IdMultipleChoiceField(
        label="Services visés", queryset=_terms(ServiceCategory), required=False, widget=forms.CheckboxSelectMultiple
    )
    website = forms.CharField(
        label="Ne remplissez pas ce champ",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_siret(self):
        # Checked here too, so that a wrong number shows with every other mistake at once.
        value = self.cleaned_data["siret"]
        try:
            clean_siren_siret(value)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None
        return value

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        commune = self.cleaned_data.get("commune")
        try:
            return clean_phone(value, commune.departement_id if commune else "")
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean(self):
        data = super().clean()
        if data.get(HONEYPOT):
            raise forms.ValidationError(
                "Votre demande n'a pas pu être envoyée. Rechargez la page et recommencez, ou écrivez à l'équipe #APTIC."
            )
        return data


class CommunesField(forms.CharField):
    """INSEE codes separated by spaces or commas (staff type them from the territories pages)."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return " ".join(getattr(c, "insee_code", str(c)) for c in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        codes = [c.upper() for c in re.split(r"[\s,;]+", text) if c]
        if not codes:
            return []
        if len(codes) > 500:
            raise forms.ValidationError("500 communes au plus : utilisez plutôt les EPCI ou départements.")
        found = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            codes_unknown = formats.plural(len(unknown), "Code INSEE inconnu", "Codes INSEE inconnus")
            raise forms.ValidationError(f"{codes_unknown} : {', '.join(unknown[:10])}.")
        return [found[c] for c in codes]


class QuoteForm(AptForm):
    offer = IdChoiceField(label="Offre", queryset=offers_active(), empty_label=None)
    quantity = QuantityField(label="Nombre de chèques")
    booklet_size = forms.TypedChoiceField(label="Chèques par carnet", choices=[(10, "10"), (5, "5")], coerce=int)
    face_value = EurosField(
        label="Valeur faciale d'un chèque (€)",
        initial=1000,
        min_cents=FACE_VALUE_MIN_CENTS,
        max_cents=FACE_VALUE_MAX_CENTS,
        error_messages=FACE_VALUE_ERRORS,
    )
    valid_until = forms.DateField(label="Devis valable jusqu'au", widget=DateInput(), error_messages=DATE_ERRORS)
    activation = forms.ChoiceField(label="Les chèques deviennent utilisables", choices=Activation.choices)
    max_vouchers_per_act = forms.IntegerField(
        label="Chèques au plus par service rendu",
        required=False,
        min_value=1,
        max_value=100,
        help_text="Laisser vide pour ne pas limiter.",
    )
    rule_regions = IdMultipleChoiceField(label="Régions", queryset=Region.objects.order_by("name"), required=False)
    rule_departements = IdMultipleChoiceField(
        label="Départements", queryset=Departement.objects.order_by("code"), required=False
    )
    rule_epcis = IdMultipleChoiceField(
        label="Intercommunalités (EPCI)",
        queryset=Epci.objects.order_by("name"),
        required=False,
        to_field_name="siren",
    )
    rule_communes = CommunesField(
        label="Communes (codes INSEE)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Séparés par des espaces, par exemple 42218 42207.",
    )
    rule_typologies = IdMultipleChoiceField(
        label="Types de lieux", queryset=_terms(PlaceTypology), required=False, widget=forms.CheckboxSelectMultiple
    )
    rule_categories = IdMultipleChoiceField(
        label="Services payables (offre Premium)",
        queryset=_terms(ServiceCategory),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    publics = IdMultipleChoiceField(
        label="Publics visés", queryset=_terms(Public), required=False, widget=forms.CheckboxSelectMultiple
    )
    sponsored_providers = IdMultipleChoiceField(
        label="Structures dont l'abonnement est pris en charge",
        queryset=Provider.objects.filter(status=ProviderStatus.QUALIFIED)
        .select_related("organisation")
        .order_by("organisation__name"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in OptionKind.choices:
            self.fields[kind] = EurosField(
                label=f"{label} : prix HT (€)",
                required=False,
                help_text="Vide : pas d'option.",
                min_cents=1,
                max_cents=OPTION_MAX_CENTS,
                error_messages=OPTION_ERRORS,
            )
        self.fields["rule_epcis"].widget.attrs["size"] = 6
        self.fields["sponsored_providers"].label_from_instance = lambda p: p.organisation.name

    def option_fields(self):
        return [self[kind] for kind in OptionKind.values]

    def cleaned_options(self) -> dict:
        return {kind: self.cleaned_data.get(kind) for kind in OptionKind.values if self.cleaned_data.get(kind)}

    @staticmethod
    def initial_for(quote) -> dict:
        initial = {
            "offer": quote.offer_id,
            "quantity": quote.quantity,
            "booklet_size": quote.booklet_size,
            "face_value": quote.face_value_cents,
            "valid_until": quote.valid_until,
            "activation": quote.activation,
            "max_vouchers_per_act": quote.max_vouchers_per_act,
            "rule_communes": list(quote.rule_communes.all()),
        }
        for name in ("rule_regions", "rule_departements", "rule_epcis", "rule_typologies", "rule_categories",
                     "publics", "sponsored_providers"):  # fmt: skip
            initial[name] = [o.pk for o in getattr(quote, name).all()]
        for option in quote.options.all():
            initial[option.kind] = option.amount_cents
        return initial


class ReasonForm(AptForm):
    reason = forms.CharField(label="Motif", max_length=250, error_messages={"required": "Indiquez le motif."})


class AcceptForm(AptForm):
    kind = forms.ChoiceField(
        label="Vous acceptez le devis par",
        choices=AcceptanceKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez comment vous acceptez le devis."},
    )
    signer_name = forms.CharField(
        label="Nom et qualité de la personne qui accepte",
        max_length=150,
        help_text="Par exemple : Dominique Martin, maire.",
        error_messages={"required": "Indiquez le nom et la qualité de la personne qui accepte."},
    )
    purchase_order_ref = forms.CharField(
        label="Référence du bon de commande",
        max_length=100,
        required=False,
        help_text="Seulement pour un bon de commande public.",
    )
    # Chorus Pro routes and matches a public buyer's invoice with these (services.clean_chorus_reference checks them).
    commitment_number = forms.CharField(
        label="Numéro d'engagement (Chorus Pro)",
        max_length=COMMITMENT_MAX,
        required=False,
        help_text="Acheteurs publics : le numéro d'engagement juridique que vos factures doivent rappeler, "
        "s'il vous en faut un. Lettres sans accent, chiffres et + - _ / ; 50 caractères au plus.",
    )
    service_code = forms.CharField(
        label="Code service (Chorus Pro)",
        max_length=SERVICE_CODE_MAX,
        required=False,
        help_text="Acheteurs publics : le code du service destinataire des factures dans Chorus Pro, s'il en faut un. "
        "Lettres sans accent, chiffres et + - _ / ; 100 caractères au plus.",
    )
    document = forms.FileField(
        label="Devis signé ou bon de commande (PDF, 10 Mo au plus)",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={"required": "Joignez le document au format PDF.", "empty": "Le fichier envoyé est vide."},
    )


class PaymentForm(AptForm):
    amount = EurosField(label="Montant reçu (€)", error_messages={"required": "Indiquez le montant reçu."})
    received_on = forms.DateField(label="Reçu le", widget=DateInput(), error_messages=DATE_ERRORS)
    method = forms.ChoiceField(label="Moyen de paiement", choices=PaymentMethod.choices)
    reference = forms.CharField(label="Référence du virement ou du mandat", max_length=100, required=False)


class CorrectionForm(AptForm):
    amount = EurosField(label="Montant HT à créditer (€)", error_messages={"required": "Indiquez le montant."})
    reason = forms.CharField(
        label="Motif de l'avoir", max_length=250, error_messages={"required": "Indiquez le motif."}
    )
