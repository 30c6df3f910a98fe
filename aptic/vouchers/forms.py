"""Forms of the counter, the provider's redemptions and the public voucher page: types and formats
only; the rules of vouchers live in the services (redemption.py, ratings.py)."""

import datetime
import re

from django import forms

from aptic.core import formats
from aptic.core.forms import AptForm

from . import codes
from .ratings import COMMENT_MAX
from .redemption import MAX_CODES

MAX_FIELDS = MAX_CODES
MAX_FIELD_LENGTH = 2000  # a field may hold several pasted codes
# A code at the end of a scanned QR code's URL (…/c/K7QM3XH9PZ2W8RTC/), whatever the host.
_URL_CODE = re.compile(r"/c/([^/?#\s]+)", re.IGNORECASE)
_STRONG_SEPARATORS = re.compile(r"[\n\r,;]+")


def split_codes(text: str) -> list[str]:
    """The codes in what was typed, pasted or sent by a scanner into one field.

    Codes are separated by new lines, commas, semicolons or spaces; since people also type a code
    in groups ("K7QM 3XH9 PZ2W 8RTC"), pieces shorter than a code are joined until they make one.
    A scanned URL of the platform gives its code. Pieces that make no code are kept as typed, so
    the counter can say what is wrong with them.
    """
    found = []
    for segment in _STRONG_SEPARATORS.split(text or ""):
        pending = []
        for token in segment.split():
            match = _URL_CODE.search(token)
            if match:
                if pending:
                    found.append(" ".join(pending))
                    pending = []
                found.append(match.group(1))
                continue
            pending.append(token)
            symbols = len(re.sub(r"[-_.\u00a0\u202f]", "", "".join(pending)))
            if symbols >= codes.LENGTH:
                found.append(" ".join(pending))
                pending = []
        if pending:
            found.append(" ".join(pending))
    return found


class MultipleTextInputs(forms.Widget):
    """Several inputs of the same name (one per voucher); rendered by the page's own template."""

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        values = getter(name) if getter else [data.get(name, "")]
        return [value for value in values if isinstance(value, str)]

    def value_omitted_from_data(self, data, files, name):
        return name not in data


class CodesField(forms.Field):
    widget = MultipleTextInputs
    default_error_messages = {
        "required": "Saisissez ou scannez au moins un code de chèque.",
        "too_many": f"{MAX_CODES} chèques au plus pour un même service.",
        "too_long": "Un champ contient trop de texte : saisissez un code par champ.",
    }

    def to_python(self, value):
        values = value if isinstance(value, list) else [value or ""]
        if len(values) > MAX_FIELDS + 1 or any(len(v) > MAX_FIELD_LENGTH for v in values):
            raise forms.ValidationError(self.error_messages["too_long"], code="too_long")
        typed = [code for v in values for code in split_codes(v)]
        if len(typed) > MAX_CODES:
            raise forms.ValidationError(self.error_messages["too_many"], code="too_many")
        return typed

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")


class CounterForm(AptForm):
    """Place, service delivered and the vouchers' codes; `cle` makes a double tap on Encaisser harmless."""

    lieu = forms.TypedChoiceField(label="Lieu", coerce=int, empty_value=None)
    service = forms.TypedChoiceField(
        label="Service rendu",
        coerce=int,
        empty_value=None,
        help_text="Seuls les services proposés, payables en chèques #APTIC et non gratuits sont listés.",
    )
    code = CodesField(label="Codes des chèques")
    cle = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    REQUIRED = {
        "lieu": "Choisissez le lieu où le service est rendu.",
        "service": "Choisissez le service rendu.",
    }

    def __init__(self, *args, offers, **kwargs):
        super().__init__(*args, **kwargs)
        self.offers = {offer.pk: offer for offer in offers}
        places = {}
        for offer in offers:
            places.setdefault(offer.place_id, offer.place)
        self.places = places
        self.fields["lieu"].choices = [("", "Choisir le lieu")] + [(p.pk, p.name) for p in places.values()]
        grouped = {}
        for offer in offers:
            grouped.setdefault(offer.place.name, []).append((offer.pk, offer_label(offer)))
        self.fields["service"].choices = [("", "Choisir le service")] + list(grouped.items())
        for name, message in self.REQUIRED.items():
            self.fields[name].error_messages.update(required=message, invalid_choice=message)
        if len(places) == 1 and not self.is_bound:
            self.initial.setdefault("lieu", next(iter(places)))

    def clean(self):
        data = super().clean()
        place_id, offer_id = data.get("lieu"), data.get("service")
        if place_id and offer_id and self.offers[offer_id].place_id != place_id:
            self.add_error(
                "service", "Ce service n'est pas proposé dans ce lieu : choisissez-en un de la liste du lieu."
            )
        return data

    @property
    def place(self):
        return self.places.get(self.cleaned_data.get("lieu"))

    @property
    def offer(self):
        return self.offers.get(self.cleaned_data.get("service"))

    def typed_codes(self) -> list[str]:
        """The codes as typed, split, whatever the validity of the other fields (for re-display)."""
        try:
            return self.fields["code"].to_python(self["code"].value())
        except forms.ValidationError:
            return [v for v in self["code"].value() or [] if v.strip()][:MAX_FIELDS]


def offer_label(offer) -> str:
    return f"{offer.title} — {formats.euros(offer.price_cents)}"


class RedemptionFilterForm(AptForm):
    # A list of the months that have redemptions, "décembre 2026" (a month input showed
    # "--------- ----" when empty); links may still say 2026-11 or 11/2026 (clean_mois).
    mois = forms.CharField(
        label="Mois",
        required=False,
        max_length=20,
        error_messages={"max_length": "Indiquez un mois au format AAAA-MM, par exemple 2026-11."},
        widget=forms.Select,
    )
    lieu = forms.TypedChoiceField(label="Lieu", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, places, months=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mois"].widget.choices = [("", "Tous les mois")] + [
            (f"{m:%Y-%m}", formats.month(m)) for m in months
        ]
        self.fields["lieu"].choices = [("", "Tous les lieux")] + [(p.pk, p.name) for p in places]
        self.fields["lieu"].error_messages["invalid_choice"] = "Choisissez un de vos lieux."

    def clean_mois(self) -> datetime.date | None:
        text = (self.cleaned_data.get("mois") or "").strip()
        if not text:
            return None
        year = month = 0
        if match := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
            year, month = int(match.group(1)), int(match.group(2))
        elif match := re.fullmatch(r"(\d{1,2})/(\d{4})", text):
            month, year = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12 or not 2000 <= year <= 2100:
            raise forms.ValidationError("Indiquez un mois au format AAAA-MM, par exemple 2026-11.")
        return datetime.date(year, month, 1)


class CancelForm(AptForm):
    motif = forms.CharField(
        label="Motif de l'annulation",
        max_length=250,
        help_text="Par exemple : service finalement non rendu, mauvais service choisi, chèque d'une autre personne.",
        error_messages={"required": "Indiquez le motif de l'annulation."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class LookupForm(AptForm):
    code = forms.CharField(
        label="Code du chèque",
        max_length=200,
        help_text="Les 16 caractères imprimés sous le QR code, par exemple K7QM-3XH9-PZ2W-8RTC.",
        error_messages={"required": "Saisissez le code du chèque."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        typed = self.cleaned_data["code"]
        match = _URL_CODE.search(typed)
        try:
            return codes.normalise(match.group(1) if match else typed)
        except codes.CodeError as exc:
            raise forms.ValidationError(str(exc)) from None


SCORES = [
    (5, "5 — Très satisfait"),
    (4, "4 — Satisfait"),
    (3, "3 — Moyennement satisfait"),
    (2, "2 — Peu satisfait"),
    (1, "1 — Pas du tout satisfait"),
]


class RatingForm(AptForm):
    note = forms.TypedChoiceField(
        label="Votre note",
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez une note de 1 à 5.", "invalid_choice": "Choisissez une note de 1 à 5."},
    )
    commentaire = forms.CharField(
        label="Votre commentaire (facultatif)",
        required=False,
        max_length=COMMENT_MAX,
        help_text=(
            f"{COMMENT_MAX} caractères au plus. N'y mettez ni nom, ni numéro de téléphone, ni adresse : "
            "un commentaire qui contient un lien ou une adresse e-mail est relu par l'équipe #APTIC "
            "avant d'être publié."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"Le commentaire est trop long : {COMMENT_MAX} caractères au plus."},
    )
