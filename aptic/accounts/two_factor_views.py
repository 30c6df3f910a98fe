"""Pages of the staff second factor (ADR 0019): enrol an authenticator application, enter a code."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse

from aptic.core.access import authenticated

from . import two_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code de l'application",
        max_length=32,
        help_text="Les 6 chiffres affichés par votre application d'authentification.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": "Saisissez le code."},
    )


class RecoveryForm(forms.Form):
    prefix = "secours"
    code = forms.CharField(
        label="Code de secours",
        max_length=32,
        help_text="Un des dix codes reçus à l'activation ; chacun ne sert qu'une fois.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
        error_messages={"required": "Saisissez un code de secours."},
    )


def _staff_only(request):
    if not request.user.is_staff:
        raise PermissionDenied("La double authentification concerne l'équipe #APTIC.")


def _throttled(user) -> str | None:
    """Before an attempt: django-otp's delay after failed attempts, in French."""
    wait = two_factor.throttle_wait(user)
    if wait:
        return f"Trop d'essais : patientez {wait} seconde{'s' if wait > 1 else ''} avant de saisir un nouveau code."
    return None


WRONG_CODE = "Ce code n'est pas valide. Vérifiez l'heure de votre téléphone et saisissez le code affiché."


@authenticated
def enrol(request):
    """First visit: a QR code and the secret; a first code confirms it, then the recovery codes show once."""
    _staff_only(request)
    next_url = two_factor.safe_next(request, reverse("accounts:home"))
    if two_factor.has_confirmed_device(request.user):
        return redirect(two_factor.gate_url(request.user, next_url) if not request.user.is_verified() else next_url)
    enrolment = two_factor.totp_enrolment_start(user=request.user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        codes = _try_code(
            form,
            request.user,
            lambda code: two_factor.totp_enrolment_confirm(request=request, device=enrolment.device, token=code),
        )
        if codes is not None:
            return render(request, "accounts/two_factor_codes.html", {"codes": codes, "next": next_url})
        status = 400
    context = {"form": form, "enrolment": enrolment, "next": next_url}
    return render(request, "accounts/two_factor_enrol.html", context, status=status)


def _try_code(form, user, attempt):
    """What attempt(code) gives for the form's code, or None with the reason on the form: an invalid
    form, too many tries (django-otp's throttle), or a wrong code."""
    if not form.is_valid():
        return None
    refusal = _throttled(user)
    if refusal:
        form.add_error("code", refusal)
        return None
    result = attempt(form.cleaned_data["code"])
    if result is None:
        form.add_error("code", WRONG_CODE)
    return result


@authenticated
def verify(request):
    """Enter a code from the application, or a recovery code, to open the staff pages for this session."""
    _staff_only(request)
    next_url = two_factor.safe_next(request, reverse("accounts:home"))
    if not two_factor.has_confirmed_device(request.user):
        return redirect(two_factor.gate_url(request.user, next_url))
    if request.user.is_verified():
        return redirect(next_url)
    posted = request.POST if request.method == "POST" else None
    recovery = posted is not None and "secours-code" in posted
    form = CodeForm(None if recovery else posted)
    recovery_form = RecoveryForm(posted if recovery else None)
    status = 200
    if posted is not None:
        submitted = recovery_form if recovery else form
        if _try_code(submitted, request.user, lambda code: two_factor.two_factor_verify(request=request, token=code)):
            return redirect(next_url)
        status = 400
    context = {"form": form, "recovery_form": recovery_form, "next": next_url}
    return render(request, "accounts/two_factor_verify.html", context, status=status)


@authenticated
def recovery_codes(request):
    """New recovery codes (the old ones stop working), for a verified staff member who used some up."""
    _staff_only(request)
    if not request.user.is_verified():
        return redirect(two_factor.gate_url(request.user, request.get_full_path()))
    if request.method == "POST":
        codes = two_factor.recovery_codes_create(user=request.user)
        return render(request, "accounts/two_factor_codes.html", {"codes": codes, "next": reverse("accounts:home")})
    return render(request, "accounts/two_factor_recovery.html")
