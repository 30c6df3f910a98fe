from django import forms

from aptic.core.forms import AptForm

from . import reading
from .reference import REFERENCE_MAX_BYTES, REFERENCE_MAX_ROWS


class PlacesImportForm(AptForm):
    file = forms.FileField(
        label="Fichier CSV au standard national des lieux de médiation numérique",
        help_text=(
            "Une ligne d'en-tête avec les noms des colonnes du standard, puis une ligne par lieu. Séparateur virgule "
            "ou point-virgule, encodage UTF-8 ou celui de votre tableur. "
            f"{reading.MAX_BYTES // (1024 * 1024)} Mo au plus."
        ),
        error_messages={
            "required": "Choisissez le fichier à importer.",
            "empty": "Le fichier est vide.",
            "invalid": "Choisissez un fichier à importer.",
            "missing": "Choisissez le fichier à importer.",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )
    dry_run = forms.BooleanField(
        label="Vérifier seulement",
        help_text="Le fichier est contrôlé ligne par ligne, mais rien n'est enregistré.",
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Checked on the size announced by the upload, before the file is read into memory.
        if upload.size > reading.MAX_BYTES:
            raise forms.ValidationError(reading.size_error(upload.size).message)
        return upload


class ReferenceImportForm(AptForm):
    source = forms.CharField(
        label="Source",
        max_length=100,
        help_text="Le jeu de données, toujours sous le même nom : un nouvel import de la même source met à jour ses "
        "lieux et retire ceux qui n'y sont plus.",
        error_messages={"required": "Indiquez le nom de la source (par exemple « Cartographie nationale »)."},
    )
    file = forms.FileField(
        label="Fichier CSV au standard national des lieux de médiation numérique",
        help_text=(
            f"Jusqu'à {reading.thousands(REFERENCE_MAX_ROWS)} lieux et {REFERENCE_MAX_BYTES // (1024 * 1024)} Mo ; "
            "l'import se fait en arrière-plan."
        ),
        error_messages={"required": "Choisissez le fichier à importer.", "empty": "Le fichier est vide."},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > REFERENCE_MAX_BYTES:
            raise forms.ValidationError(reading.size_error(upload.size, REFERENCE_MAX_BYTES).message)
        return upload
