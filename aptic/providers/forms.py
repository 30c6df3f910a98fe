"""Forms of the provider's journey: types and formats only; the rules live in services."""

from django import forms

from aptic.accounts.models import LegalCategory
from aptic.core import legal
from aptic.core.errors import DomainError
from aptic.core.forms import AptForm, FieldsetsMixin
from aptic.core.params import parse_id
from aptic.territories.forms import CommuneField
from aptic.vocabulary.models import PlaceTypology

from . import selectors, services
from .models import PaymentMethod, Provider, ProviderStatus, SubscriptionPlan

EMAIL_ERRORS = {"invalid": "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."}
DATE_ERRORS = {"invalid": "Saisissez une date valide, par exemple 31/01/2027.", "required": "Indiquez une date."}
HONEYPOT = "website"


def is_id(value) -> bool:
    """A database id: SQLite fails on integers beyond 64 bits, so such forged ids never reach a query."""
    return parse_id(str(value)) is not None


class IdChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not is_id(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if not is_id(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """A service's refusal, on the field it names when the form has it (which then gets the focus, as
    AptForm does for its own errors), else on the whole form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
    if field is not None:
        for other in form.fields.values():
            other.widget.attrs.pop("autofocus", None)
        form.fields[field].widget.attrs["autofocus"] = True


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ApplyForm(FieldsetsMixin, AptForm):
    fieldsets = [
        ("La structure", ["siret", "name", "address", "commune", "typology", "legal_category"]),
        ("La personne à contacter", ["contact_name", "email", "phone"]),
    ]

    siret = forms.CharField(
        label="Numéro SIRET de la structure",
        error_messages={"required": "Indiquez le numéro SIRET de la structure (14 chiffres)."},
        help_text="14 chiffres, sur votre avis de situation INSEE ou sur annuaire-entreprises.data.gouv.fr.",
        # No length limit here: the SIRET check below says what is wrong in French.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": "20"}),
    )
    name = forms.CharField(
        label="Raison sociale", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    address = forms.CharField(
        label="Adresse",
        max_length=250,
        help_text="Numéro et voie.",
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    commune = CommuneField()
    typology = IdChoiceField(
        label="Typologie de la structure",
        queryset=PlaceTypology.objects.filter(is_active=True),
        empty_label="— Choisissez —",
        error_messages={
            "required": "Choisissez la typologie de la structure.",
            "invalid_choice": "Choisissez une typologie dans la liste.",
        },
    )
    legal_category = forms.ChoiceField(
        label="Catégorie juridique",
        choices=[("", "— Choisissez —"), *LegalCategory.choices],
        error_messages={
            "required": "Choisissez la catégorie juridique.",
            "invalid_choice": "Choisissez une catégorie dans la liste.",
        },
    )
    contact_name = forms.CharField(
        label="Nom et prénom de la personne à contacter",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Son adresse e-mail",
        max_length=254,
        help_text="Elle recevra une invitation à créer le compte administrateur de la structure.",
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label="Son téléphone", max_length=30, widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"})
    )
    # Against spam robots: hidden from people (and assistive technologies), filled by robots.
    website = forms.CharField(
        label="Ne remplissez pas ce champ",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_siret(self):
        try:
            siret = services.clean_siret(self.cleaned_data["siret"])
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None
        if siret[:9] == legal.seller().siren:
            raise forms.ValidationError(
                "Ce numéro SIRET est celui de la plateforme #APTIC elle-même : indiquez celui de votre structure."
            )
        return siret

    def clean(self):
        data = super().clean()
        if data.get(HONEYPOT):
            raise forms.ValidationError(
                "Votre demande n'a pas pu être envoyée. Rechargez la page et recommencez, ou écrivez à l'équipe #APTIC."
            )
        return data


class QuestionnaireForm(AptForm):
    """One radio group per question (field q<question id>), grouped by theme in the page."""

    def __init__(self, *args, questionnaire, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = []
        for theme, questions in selectors.questions_by_theme(questionnaire):
            names = []
            for question in questions:
                name = f"q{question.pk}"
                self.fields[name] = forms.TypedChoiceField(
                    label=question.text,
                    help_text=question.help_text,
                    choices=[(option.pk, option.label) for option in question.options.all()],
                    coerce=int,
                    widget=forms.RadioSelect,
                    error_messages={
                        "required": "Répondez à cette question.",
                        "invalid_choice": "Choisissez l'une des réponses proposées.",
                    },
                )
                names.append(name)
            self.groups.append((theme, names))

    def themes(self):
        return [(theme, [self[name] for name in names]) for theme, names in self.groups]

    def answers(self) -> dict[int, int]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items()}


class ReviewForm(AptForm):
    decision = forms.ChoiceField(
        label="Décision",
        choices=[("approve", "Qualifier la structure"), ("reject", "Refuser la qualification")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez une décision.", "invalid_choice": "Choisissez une décision."},
    )
    reason = forms.CharField(
        label="Motif",
        required=False,
        max_length=services.REASON_MAX_LENGTH,
        help_text="Obligatoire pour un refus. Il est envoyé aux administrateurs de la structure.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CharterForm(AptForm):
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=selectors.MAX_ID,
        error_messages={
            "required": "La version de la charte lue manque : rechargez la page.",
            "invalid": "La version de la charte lue est illisible : rechargez la page.",
            "min_value": "La version de la charte lue est illisible : rechargez la page.",
            "max_value": "La version de la charte lue est illisible : rechargez la page.",
        },
    )
    accept = forms.BooleanField(
        label="J'ai lu la charte et les conditions générales d'utilisation, et je les accepte au nom de ma structure.",
        error_messages={"required": "Cochez la case pour accepter la charte."},
    )


class SubscriptionForm(AptForm):
    plan = forms.ChoiceField(
        label="Formule",
        choices=SubscriptionPlan.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez une formule.", "invalid_choice": "Choisissez une formule proposée."},
    )
    payment_method = forms.ChoiceField(
        label="Mode de paiement",
        choices=[(m.value, m.label) for m in (PaymentMethod.TRANSFER, PaymentMethod.NETTING)],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez un mode de paiement.",
            "invalid_choice": "Choisissez un mode de paiement proposé.",
        },
    )


class SponsorshipForm(AptForm):
    # Any qualified provider is a valid choice here; the service says when one is outside the territory.
    providers = IdMultipleChoiceField(
        label="Structures à parrainer",
        queryset=Provider.objects.filter(status=ProviderStatus.QUALIFIED),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choisissez au moins une structure à parrainer.",
            "invalid_choice": "Une structure choisie ne peut pas être parrainée : choisissez dans la liste.",
            "invalid_pk_value": "Une structure choisie ne peut pas être parrainée : choisissez dans la liste.",
            "invalid_list": "Choisissez les structures dans la liste.",
        },
    )
    starts_on = forms.DateField(
        label="Début du parrainage",
        help_text="Le parrainage dure un an à partir de cette date.",
        widget=DateInput,
        error_messages=DATE_ERRORS,
    )


class PaymentForm(AptForm):
    covered_until = forms.DateField(label="Payé jusqu'au (inclus)", widget=DateInput, error_messages=DATE_ERRORS)


class KitForm(AptForm):
    shipped_on = forms.DateField(label="Expédié le", widget=DateInput, error_messages=DATE_ERRORS)
    tracking = forms.CharField(
        label="Suivi (transporteur, numéro)", required=False, max_length=services.TRACKING_MAX_LENGTH
    )
