"""Form pieces shared by the apps: focus on the first error, ASCII digits, amounts typed in euros."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms

from aptic.core import formats


class FocusFirstErrorMixin:
    """After a failed submit, the first field in error gets the focus, so it is read out first."""

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or not self._errors:
            return
        for field in self.fields.values():
            field.widget.attrs.pop("autofocus", None)
        for name in self.fields:
            if name in self._errors:
                self.fields[name].widget.attrs["autofocus"] = True
                break


class AsciiDigitsMixin:
    """Integer fields take the digits 0 to 9 only (issue #12): Django's IntegerField reads "٣٣" or
    "５" as numbers, which a person never meant to type; the one rule of aptic.core.params."""

    def _clean_fields(self):
        super()._clean_fields()
        for name, field in self.fields.items():
            if not isinstance(field, forms.IntegerField) or name not in self.cleaned_data:
                continue
            raw = self[name].data
            if isinstance(raw, str) and not "".join(raw.split()).isascii():  # no-break spaces are fine
                self.add_error(name, "Écrivez ce nombre avec les chiffres de 0 à 9.")


class FrenchEmptyChoiceMixin:
    """Django's blank choice "---------" says nothing to a reader (found in review): a select left
    with it says "Choisissez…" instead. Fields that name their own blank choice keep it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if getattr(field, "empty_label", None) == "---------":
                field.empty_label = "Choisissez…"


class AptForm(FocusFirstErrorMixin, AsciiDigitsMixin, FrenchEmptyChoiceMixin, forms.Form):
    pass


EUROS = re.compile(r"^[+-]?\d+(?:[.,]\d{1,2})?$")
MORE_THAN_CENTS = re.compile(r"^[+-]?\d+[.,]\d{3,}$")
SPACES = re.compile(r"[\s\u00a0\u202f]+")


def _euros_text(text: str) -> str:
    return SPACES.sub("", text or "").lower().removesuffix("€").removesuffix("eur").removesuffix("euros")


def has_fraction_of_cent(text: str) -> bool:
    """'10,555': more than two decimals, a fraction of a cent (refused rather than rounded)."""
    return bool(MORE_THAN_CENTS.match(_euros_text(text)))


def euros_to_cents(text: str) -> int | None:
    """'12,50' or '12.50' → 1250; 'gratuit' → 0; None if unreadable or with more than two decimals
    ('12,505' is not rounded: a fraction of a cent is a typing mistake)."""
    value = _euros_text(text)
    if value in ("gratuit", "gratuite"):
        return 0
    if not EUROS.match(value):
        return None
    try:
        return int((Decimal(value.replace(",", ".")) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    except InvalidOperation:
        return None


def cents_to_euros_input(cents: int | None) -> str:
    """1250 → '12,50', 1000 → '10', 0 → '0': what the price field shows when editing."""
    if cents is None:
        return ""
    euros, rest = divmod(int(cents), 100)
    return str(euros) if rest == 0 else f"{euros},{rest:02d}"


class EurosField(forms.CharField):
    """An amount typed in euros ("12,50", "12.50", "12,50 €", "0", "gratuit"), cleaned to integer cents.

    More than two decimals is refused, never rounded. `min_cents` and `max_cents` bound the amount,
    with the messages "min_value" and "max_value" (the bounds, in euros, as %(limit)s)."""

    default_error_messages = {
        "invalid": "Indiquez le prix en euros, par exemple 12,50 (ou 0 si le service est gratuit).",
        "decimals": "Indiquez au plus deux chiffres après la virgule (les centimes), par exemple 10,55.",
        "min_value": "Indiquez un montant d'au moins %(limit)s.",
        "max_value": "Indiquez un montant d'au plus %(limit)s.",
    }

    MAX_LENGTH = 20

    def __init__(self, *, min_cents: int | None = None, max_cents: int | None = None, **kwargs):
        super().__init__(**kwargs)  # no max_length: its validator would measure the cents
        self.min_cents, self.max_cents = min_cents, max_cents
        self.widget.attrs.update({"inputmode": "decimal", "maxlength": str(self.MAX_LENGTH)})

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if self.min_cents is not None and value < self.min_cents:
            limit = formats.euros(self.min_cents)
            raise forms.ValidationError(self.error_messages["min_value"], code="min_value", params={"limit": limit})
        if self.max_cents is not None and value > self.max_cents:
            limit = formats.euros(self.max_cents)
            raise forms.ValidationError(self.error_messages["max_value"], code="max_value", params={"limit": limit})

    def prepare_value(self, value):
        return cents_to_euros_input(value) if isinstance(value, int) else value

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        if len(text) <= self.MAX_LENGTH and has_fraction_of_cent(text):
            raise forms.ValidationError(self.error_messages["decimals"], code="decimals")
        cents = euros_to_cents(text) if len(text) <= self.MAX_LENGTH else None
        if cents is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return cents


class FieldsetsMixin:
    """`fieldsets = [(legend, [field names])]`: the groups core/_fieldsets_form.html shows, in this order."""

    fieldsets: list[tuple[str, list[str]]] = []

    def fieldset_groups(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]
