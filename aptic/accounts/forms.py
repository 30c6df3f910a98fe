from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from aptic.core.forms import AptForm, FocusFirstErrorMixin

from .models import Role, email_key

EMAIL_ERRORS = {"invalid": "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."}


class LoginForm(FocusFirstErrorMixin, AuthenticationForm):
    """Django's login form, with an e-mail field and French messages."""

    username = forms.EmailField(
        label="Adresse e-mail",
        max_length=254,
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "Adresse e-mail ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }

    def clean_username(self):
        # One spelling, before authentication and before the lockout counts it (lockout.py).
        return email_key(self.cleaned_data["username"])

    def get_invalid_login_error(self):
        # Tie the message to both fields, so that screen readers announce it with them.
        for field in self.fields.values():
            field.widget.attrs.update({"aria-invalid": "true", "aria-describedby": "erreur-connexion"})
        return super().get_invalid_login_error()


class ResetForm(PasswordResetForm):
    email = forms.EmailField(
        label="Adresse e-mail",
        max_length=254,
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class InvitationForm(AptForm):
    email = forms.EmailField(label="Adresse e-mail de la personne", max_length=254, error_messages=EMAIL_ERRORS)
    role = forms.ChoiceField(label="Rôle", choices=Role.choices, initial=Role.MEMBER)


class ApiTokenForm(AptForm):
    name = forms.CharField(label="Nom de la clé", max_length=100, help_text="Par exemple : caisse de l'accueil.")


class InvitationAcceptForm(AptForm):
    full_name = forms.CharField(label="Votre nom complet", max_length=150)
    password = forms.CharField(
        label="Choisissez un mot de passe",
        help_text="Au moins 10 caractères, pas uniquement des chiffres.",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label="Confirmez le mot de passe",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_confirm"):
            self.add_error("password_confirm", "Les deux mots de passe ne sont pas identiques.")
        return data
