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


class AptForm(FocusFirstErrorMixin, forms.Form):
    pass
