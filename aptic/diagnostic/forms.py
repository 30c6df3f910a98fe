from django import forms

from aptic.core.forms import AptForm


class CategoryForm(AptForm):
    """The category the map shows (`?categorie=`), the first one by default."""

    categorie = forms.ChoiceField(label="Catégorie de service montrée sur la carte", required=False)

    def __init__(self, data, *, categories):
        super().__init__(data)
        self.categories = {c.code: c for c in categories}
        self.fields["categorie"].choices = [(c.code, c.label) for c in categories]

    def category(self):
        """The chosen category, or the first if none or an unknown one was asked for."""
        chosen = self.cleaned_data.get("categorie") if self.is_valid() else None
        return self.categories.get(chosen) or next(iter(self.categories.values()), None)
