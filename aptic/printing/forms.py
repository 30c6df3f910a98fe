from django import forms

from aptic.accounts.models import PRINT_NAME_MAX
from aptic.core.forms import AptForm

from .services import JUSTIFICATION_MAX


class EarlyReleaseForm(AptForm):
    justification = forms.CharField(
        label="Justification",
        help_text=(
            "Pourquoi imprimer avant le paiement (organisme public qui paie après service, n° de bon de commande…)."
        ),
        max_length=JUSTIFICATION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CoverForm(AptForm):
    image = forms.FileField(
        label="Image de couverture (JPEG ou PNG, 600 pixels au moins de chaque côté, 15 Mo au plus)",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )


class PrintNameForm(AptForm):
    print_name = forms.CharField(
        label="Nom imprimé sur les chèques",
        max_length=PRINT_NAME_MAX,
        required=False,
        help_text="Laissez vide pour imprimer le nom de votre organisation. Le nom doit tenir sur les deux lignes "
        "du bandeau de chaque chèque : une centaine de caractères, moins en majuscules.",
    )
