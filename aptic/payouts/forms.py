"""Forms of the payout pages: types and formats only; the rules (schwifty, the RIB) live in bank.py."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.dateformat import format as date_format

from aptic.accounts.models import Organisation, OrganisationKind
from aptic.core.errors import DomainError
from aptic.core.forms import AptForm
from aptic.providers.forms import IdChoiceField

from .bank import RIB_MAX_BYTES
from .models import RunKind
from .services import previous_month

REASON = {"required": "Indiquez le motif.", "max_length": "Le motif est trop long (250 caractères au plus)."}


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """A service's refusal, on the field it names when the form has it, which then gets the focus."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
    if field is not None:
        for other in form.fields.values():
            other.widget.attrs.pop("autofocus", None)
        form.fields[field].widget.attrs["autofocus"] = True


class BankDetailsForm(AptForm):
    holder = forms.CharField(
        label="Titulaire du compte",
        max_length=200,
        help_text="Tel qu'il figure sur le RIB.",
        error_messages={"required": "Indiquez le titulaire du compte, tel qu'il figure sur le RIB."},
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    iban = forms.CharField(
        label="IBAN",
        max_length=50,
        help_text="Par exemple FR76 3000 4000 0312 3456 7890 143. Espaces permis.",
        error_messages={"required": "Indiquez l'IBAN du compte."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    bic = forms.CharField(
        label="BIC",
        max_length=20,
        required=False,
        help_text="8 ou 11 caractères. Laissé vide, il est déduit de l'IBAN quand la banque est connue.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    rib = forms.FileField(
        label="RIB (relevé d'identité bancaire)",
        help_text=f"PDF, PNG ou JPEG, {RIB_MAX_BYTES // (1024 * 1024)} Mo au plus.",
        error_messages={
            "required": "Joignez votre RIB (PDF, PNG ou JPEG).",
            "invalid": "Ce fichier n'a pas pu être lu : joignez-le à nouveau.",
            "empty": "Le fichier du RIB est vide.",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}),
    )


class ReviewForm(AptForm):
    decision = forms.ChoiceField(
        label="Décision",
        choices=[("verify", "Vérifiées : conformes au RIB"), ("reject", "Refusées")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez une décision."},
    )
    reason = forms.CharField(
        label="Motif du refus",
        max_length=250,
        required=False,
        help_text="Obligatoire pour un refus ; il est envoyé aux administrateurs de la structure.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=REASON,
    )


def recent_months(today: datetime.date | None = None, count: int = 12) -> list[tuple[str, str]]:
    month = previous_month(today)
    choices = []
    for _ in range(count):
        choices.append((month.isoformat(), date_format(month, "F Y").capitalize()))
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return choices


class RunForm(AptForm):
    kind = forms.ChoiceField(
        label="Type de virement",
        choices=RunKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez le type de virement."},
    )
    month = forms.ChoiceField(label="Mois à rembourser (virement mensuel)", required=False)
    provider = IdChoiceField(
        label="Structure (virement à la demande, facultatif)",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Toutes les structures",
        error_messages={"invalid_choice": "Choisissez une structure de la liste."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = recent_months(timezone.localdate())
        self.fields["provider"].queryset = Organisation.objects.filter(kind=OrganisationKind.PROVIDER).order_by("name")

    def clean_month(self):
        value = self.cleaned_data.get("month")
        return datetime.date.fromisoformat(value) if value else None


class ReasonForm(AptForm):
    reason = forms.CharField(
        label="Motif", max_length=250, widget=forms.Textarea(attrs={"rows": 3}), error_messages=REASON
    )
