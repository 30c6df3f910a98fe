"""The navigation, which depends on who is logged in and for which organisation they act."""

from django.urls import reverse

from aptic.accounts.models import OrganisationKind


def _organisation_links(organisation, membership):
    slug = organisation.slug
    links = [("Tableau de bord", reverse("accounts:organisation", kwargs={"org_slug": slug}))]
    if organisation.kind == OrganisationKind.PROVIDER:
        links.append(("Nos lieux", reverse("places:mine", kwargs={"org_slug": slug})))
    links.append(
        (
            "Membres et invitations" if membership.is_admin else "Membres",
            reverse("accounts:members", kwargs={"org_slug": slug}),
        )
    )
    if organisation.kind == OrganisationKind.PROVIDER and membership.is_admin:
        links.append(("Clés d'API", reverse("accounts:api_tokens", kwargs={"org_slug": slug})))
    return links


def navigation(request):
    user = getattr(request, "user", None)
    links = [("Accueil", reverse("core:home")), ("Territoires", reverse("territories:lookup"))]
    organisation = getattr(request, "organisation", None)
    membership = getattr(request, "membership", None)
    context = {"nav_links": links, "nav_organisation": organisation, "nav_org_links": []}
    if user is not None and user.is_authenticated:
        links.append(("Mon espace", reverse("accounts:home")))
        if user.is_staff:
            links.append(("Back-office", reverse("admin:index")))
        if organisation is not None and membership is not None:
            context["nav_org_links"] = _organisation_links(organisation, membership)
    current = request.path if request else ""
    context["nav_current"] = current
    return context
