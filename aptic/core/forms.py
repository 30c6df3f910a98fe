from django import forms


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


class AptForm(FocusFirstErrorMixin, AsciiDigitsMixin, forms.Form):
    pass
