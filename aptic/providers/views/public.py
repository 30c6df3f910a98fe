from django.conf import settings
from django.shortcuts import redirect, render

from aptic.accounts.models import email_key
from aptic.core import throttle
from aptic.core.access import public
from aptic.core.errors import DomainError

from .. import services
from ..forms import HONEYPOT, ApplyForm, add_domain_error

SESSION_KEY = "provider_apply"


@public
def apply(request):
    form = ApplyForm(request.POST) if request.method == "POST" else ApplyForm()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Counted once valid (a typo costs nothing), per address and per invited address (ADR 0018).
        limits = settings.APTIC_PROVIDER_APPLY_THROTTLE
        verdict = throttle.sent_form_hit(request, scope="provider_apply", email=email_key(data["email"]), limits=limits)
        if not verdict.allowed:
            form.add_error(
                None,
                "Plusieurs demandes d'inscription ont déjà été envoyées depuis cette connexion ou pour cette adresse "
                f"e-mail. Réessayez {throttle.retry_text(verdict)}, ou écrivez à l'équipe #APTIC.",
            )
            response = render(request, "providers/apply.html", {"form": form, "honeypot": HONEYPOT}, status=429)
            response["Retry-After"] = str(verdict.retry_after)
            return response
        try:
            provider = services.provider_apply(
                siret=data["siret"],
                name=data["name"],
                address=data["address"],
                commune=data["commune"],
                typology=data["typology"],
                legal_category=data["legal_category"],
                contact_name=data["contact_name"],
                email=data["email"],
                phone=data["phone"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            request.session[SESSION_KEY] = {"name": provider.organisation.name, "email": provider.organisation.email}
            return redirect("providers:apply_done")
    status = 400 if form.errors else 200
    return render(request, "providers/apply.html", {"form": form, "honeypot": HONEYPOT}, status=status)


@public
def apply_done(request):
    return render(request, "providers/apply_done.html", {"request_sent": request.session.get(SESSION_KEY)})
