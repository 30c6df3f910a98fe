"""The funder's side: sponsoring the subscription of qualified providers of its territory."""

from django.contrib import messages
from django.shortcuts import redirect, render

from aptic.accounts.models import OrganisationKind
from aptic.accounts.permissions import organisation_required
from aptic.core.errors import DomainError

from .. import selectors, services
from ..forms import SponsorshipForm, add_domain_error


@organisation_required(kinds=[OrganisationKind.FUNDER], admin=True)
def sponsorships(request):
    funder = request.organisation
    form = SponsorshipForm(initial={"starts_on": selectors.today()})
    if request.method == "POST":
        form = SponsorshipForm(request.POST)
        if form.is_valid():
            try:
                created = services.sponsorships_create(
                    funder=funder,
                    providers=form.cleaned_data["providers"],
                    starts_on=form.cleaned_data["starts_on"],
                    user=request.user,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                count = len(created)
                messages.success(
                    request,
                    f"{count} structure{'s' if count > 1 else ''} parrainée{'s' if count > 1 else ''} pour un an.",
                )
                return redirect("providers:sponsorships", org_slug=funder.slug)
    territory = selectors.funder_territory(funder)
    chosen = {str(v) for v in form["providers"].value() or []}
    context = {
        "organisation": funder,
        "territory": territory,
        "candidates": selectors.territory_providers(territory) if territory else [],
        "chosen": chosen,
        "sponsorships": selectors.sponsorships_of(funder),
        "form": form,
        "today": selectors.today(),
    }
    return render(request, "providers/sponsorships.html", context, status=400 if form.errors else 200)
