from django import forms
from django.utils import timezone

from aptic.core import formats
from aptic.core.forms import AptForm
from aptic.vouchers.lifecycle import distributable_orders
from aptic.vouchers.models import VoucherStatus

from .models import BeneficiaryCategory

STOPPABLE = (VoucherStatus.ISSUED, VoucherStatus.ACTIVE)


class DateInput(forms.DateInput):
    input_type = "date"


class OrderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, order):
        return f"Commande n° {order.pk} — {order.funder.name} ({formats.count(order.quantity, 'chèque')})"


def offer_distributable_only(field) -> None:
    """List only the orders whose vouchers may still leave; the field still accepts the others, so
    that an ended order sent anyway gets the service's own refusal ("n'est plus valable depuis…")."""
    offered = set(distributable_orders(field.queryset).values_list("pk", flat=True))
    field.widget.choices = [
        (value, label) for value, label in field.choices if value == "" or getattr(value, "value", value) in offered
    ]


class ShipmentForm(AptForm):
    order = OrderChoiceField(label="Commande", queryset=None)
    recipient = forms.ModelChoiceField(label="Destinataire (le commanditaire ou un aiguilleur)", queryset=None)
    ranges = forms.CharField(
        label="Carnets expédiés",
        help_text="Numéros de carnets de la commande, par plages : « 1-100, 150, 200-250 ».",
        max_length=2000,
    )
    shipped_on = forms.DateField(label="Expédiée le", widget=DateInput)
    reference = forms.CharField(label="Référence de suivi (facultatif)", max_length=100, required=False)

    def __init__(self, *args, orders, recipients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].queryset = orders
        offer_distributable_only(self.fields["order"])
        self.fields["recipient"].queryset = recipients
        self.fields["recipient"].label_from_instance = lambda o: f"{o.name} ({o.get_kind_display()})"
        self.fields["shipped_on"].initial = timezone.localdate()


class HandoutForm(AptForm):
    order = forms.ModelChoiceField(label="Commande", queryset=None)
    number = forms.IntegerField(label="Numéro du carnet (sur sa couverture)", min_value=1)
    category = forms.ChoiceField(
        label="Public du bénéficiaire",
        choices=[("", "— choisir —")] + [c for c in BeneficiaryCategory.choices if c[0] != "not_stated"],
        help_text="Seulement le public : aucune autre information sur la personne n'est enregistrée.",
    )

    def __init__(self, *args, orders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].queryset = orders
        self.fields["order"].label_from_instance = lambda o: f"Commande n° {o.pk} ({o.funder.name})"
        offer_distributable_only(self.fields["order"])


class MailingForm(AptForm):
    order = forms.ModelChoiceField(label="Commande", queryset=None)
    file = forms.FileField(
        label="Fichier des adresses (CSV ou Excel .xlsx)",
        help_text=(
            "Colonnes : nom, adresse, complement (facultative), code_postal, ville, categorie (facultative). "
            "CSV en UTF-8 ou Latin-1, séparé par « ; » ou « , ». 100 000 adresses au plus."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def __init__(self, *args, orders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].queryset = orders
        self.fields["order"].label_from_instance = lambda o: (
            f"Commande n° {o.pk} ({formats.count(o.quantity, 'chèque')})"
        )
        offer_distributable_only(self.fields["order"])


class MailedForm(AptForm):
    mailed_on = forms.DateField(label="Déposé à La Poste le", widget=DateInput)


class StopLookupForm(AptForm):
    order = forms.ModelChoiceField(
        label="Commande",
        queryset=None,
        error_messages={
            "required": "Choisissez la commande.",
            "invalid_choice": "Choisissez une commande de la liste.",
        },
    )
    number = forms.IntegerField(
        label="Numéro du carnet (sur sa couverture)",
        min_value=1,
        max_value=10_000_000,
        error_messages={"required": "Indiquez le numéro du carnet.", "invalid": "Indiquez le numéro en chiffres."},
    )

    def __init__(self, *args, orders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].queryset = orders
        self.fields["order"].label_from_instance = lambda o: f"Commande n° {o.pk} ({o.funder.name})"


class StopForm(AptForm):
    vouchers = forms.TypedMultipleChoiceField(
        label="Chèques perdus ou volés",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins un chèque.", "invalid_choice": "Cochez des chèques du carnet."},
    )
    reason = forms.CharField(
        label="Motif (perte, vol, circonstances)",
        max_length=200,
        error_messages={"required": "Indiquez le motif de l'opposition (perte, vol…)."},
    )

    def __init__(self, *args, vouchers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vouchers"].choices = [
            (v.sequence, f"{v.serial} — {v.get_status_display()}") for v in vouchers if v.status in STOPPABLE
        ]
        self.fields["vouchers"].initial = [sequence for sequence, _ in self.fields["vouchers"].choices]
