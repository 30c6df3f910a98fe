from django.shortcuts import redirect, render

from aptic.accounts.permissions import public
from aptic.core.errors import DomainError

from .. import services
from ..forms import HONEYPOT, ApplyForm, add_domain_error

SESSION_KEY = "provider_apply"


@public
def apply(request):
    form = ApplyForm(request.POST) if request.method == "POST" else ApplyForm()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
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
