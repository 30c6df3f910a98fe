"""The navigation, which depends on who is logged in and for which organisation they act."""

from django.urls import NoReverseMatch, reverse

from aptic.accounts.models import OrganisationKind

# (label, url name, admins only) per kind of organisation, after its dashboard.
ORGANISATION_LINKS = {
    OrganisationKind.PROVIDER: [
        ("Tableau de bord", "reporting:provider", False),
        ("Encaisser", "vouchers:counter", False),
        ("Mes encaissements", "vouchers:redemptions", False),
        ("Ma structure", "providers:dashboard", False),
        ("Nos lieux et services", "places:mine", False),
        ("Qualification", "providers:questionnaire", False),
        ("Charte", "providers:charter", False),
        ("Abonnement", "providers:subscription", False),
        ("Clés d'API", "accounts:api_tokens", True),
        ("Remboursements", "payouts:provider_statements", False),
        ("Coordonnées bancaires", "payouts:provider_bank", True),
    ],
    OrganisationKind.FUNDER: [
        ("Tableau de bord", "funders:dashboard", False),
        ("Organisation", "accounts:organisation_card", False),
        ("Commandes", "funders:commercial_orders", False),
        ("Suivi des chèques", "funders:orders", False),
        ("Carte des utilisations", "funders:map", False),
        ("Diagnostic territorial", "diagnostic:funder", False),
        ("Exports", "reporting:exports", False),
        ("Factures et avoirs", "billing:funder_documents", False),
        ("Fonds territorial", "billing:funder_fund", False),
        ("Expéditions", "distribution:funder_shipments", False),
        ("Carnets à remettre", "distribution:distributor_booklets", False),
        ("Oppositions", "distribution:stops", False),
        ("Envois postaux", "distribution:funder_mailings", True),
        ("Parrainages", "providers:sponsorships", True),
    ],
    OrganisationKind.DISTRIBUTOR: [
        ("Tableau de bord", "reporting:distributor", False),
        ("Organisation", "accounts:organisation_card", False),
        ("Carnets à remettre", "distribution:distributor_booklets", False),
        ("Oppositions", "distribution:stops", False),
    ],
}
DEFAULT_LINKS = [("Tableau de bord", "accounts:organisation", False)]
STAFF_LINKS = [
    ("Back-office", "admin:index"),
    ("Tableau de bord national", "funders:staff_dashboard"),
    ("Qualifications", "providers:review_list"),
    ("Abonnements", "providers:staff_subscriptions"),
    ("Import de lieux", "opendata:import"),
    ("Lieux de référence", "opendata:reference_places"),
    ("Demandes de devis", "billing:staff_requests"),
    ("Devis", "billing:staff_quotes"),
    ("Factures", "billing:staff_invoices"),
    ("Fonds territorial", "billing:staff_fund"),
    ("Impression", "printing:staff_orders"),
    ("Expéditions", "distribution:staff_shipments"),
    ("Coordonnées bancaires", "payouts:staff_bank_details"),
    ("Remboursements", "payouts:staff_runs"),
    ("Journal des actions", "accounts:journal"),
    ("Codes de secours", "accounts:two_factor_recovery_codes"),
]


def _reverse(name, **kwargs):
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:  # an app not installed in this deployment
        return None


def _organisation_links(organisation, membership):
    links = []
    for label, name, admin_only in ORGANISATION_LINKS.get(organisation.kind, DEFAULT_LINKS):
        if admin_only and not membership.is_admin:
            continue
        links.append((label, _reverse(name, org_slug=organisation.slug)))
    label = "Membres et invitations" if membership.is_admin else "Membres"
    links.append((label, _reverse("accounts:members", org_slug=organisation.slug)))
    return [(label, url) for label, url in links if url]


def navigation(request):
    user = getattr(request, "user", None)
    links = [
        ("Accueil", reverse("site:home")),
        ("Lieux et services", _reverse("directory:catalogue")),
        ("Vérifier un chèque", _reverse("vouchers:lookup")),
        ("Demander un devis", _reverse("billing:quote_request")),
        ("Territoires", _reverse("diagnostic:france")),
    ]
    organisation = getattr(request, "organisation", None)
    membership = getattr(request, "membership", None)
    context = {"nav_organisation": organisation, "nav_org_links": [], "nav_staff_links": []}
    if user is not None and user.is_authenticated:
        links.append(("Mon espace", reverse("accounts:home")))
        if user.is_staff:
            context["nav_staff_links"] = [(label, _reverse(name)) for label, name in STAFF_LINKS if _reverse(name)]
        if organisation is not None and membership is not None:
            context["nav_org_links"] = _organisation_links(organisation, membership)
    context["nav_links"] = [(label, url) for label, url in links if url]
    context["nav_current"] = request.path if request else ""
    return context
