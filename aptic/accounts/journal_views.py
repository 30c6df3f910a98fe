"""The staff page of the audit journal (ADR 0019). It lives here, above the journal: the audit app
imports nothing but core, so that every app, accounts included, can write to it."""

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render

from aptic.audit import selectors
from aptic.audit.models import AuditAction

from .permissions import staff_required

PAGE_SIZE = 50


class EventFilterForm(forms.Form):
    auteur = forms.ModelChoiceField(
        label="Auteur",
        queryset=None,
        required=False,
        empty_label="Tous",
        error_messages={"invalid_choice": "Cet auteur n'existe pas dans la liste : choisissez-en un."},
    )
    action = forms.ChoiceField(
        label="Action",
        choices=[("", "Toutes"), *AuditAction.choices],
        required=False,
        error_messages={"invalid_choice": "Cette action n'existe pas : choisissez-en une dans la liste."},
    )
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=None,
        required=False,
        empty_label="Toutes",
        error_messages={"invalid_choice": "Cette organisation n'est pas dans la liste : choisissez-en une."},
    )
    du = forms.DateField(
        label="Du",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date valide (jj/mm/aaaa)."},
    )
    au = forms.DateField(
        label="Au",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date valide (jj/mm/aaaa)."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auteur"].queryset = selectors.actors().order_by("full_name", "email").distinct()
        self.fields["organisation"].queryset = selectors.organisations().order_by("name")
        self.fields["auteur"].label_from_instance = lambda user: f"{user.full_name or user.email} ({user.email})"

    def clean(self):
        data = super().clean()
        if data.get("du") and data.get("au") and data["du"] > data["au"]:
            self.add_error("au", "La date de fin précède la date de début.")
        return data


@staff_required
def events(request):
    """Every staff action, newest first; filters in the URL so that a view can be shared."""
    form = EventFilterForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    data = form.cleaned_data if request.GET else {}
    page = Paginator(
        selectors.events(
            actor=data.get("auteur"),
            action=data.get("action") or "",
            organisation=data.get("organisation"),
            date_from=data.get("du"),
            date_to=data.get("au"),
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "accounts/journal.html", context, status=200 if valid else 400)
