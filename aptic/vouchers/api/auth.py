"""Who calls the API, and for which provider. Deny by default: an operation runs only when one of
these two returns an Actor; no credentials at all give 401, credentials that do not open the door
give 401 (bad key) or 403 (not a provider, not a member), never a fall-through to the next method.

1. `Authorization: Bearer aptic_…`: a per-organisation API key (a provider's till software),
   checked by accounts.services.api_token_authenticate (hashed, not revoked, organisation active).
   The actor is the organisation; its user, recorded on redemptions, is the key's creator.
2. The site's session cookie, for the site's own pages: the logged-in user acts for their one
   provider organisation, or for the one named by `X-Organisation: <slug>` when they belong to
   several. The membership is looked up through the user (ADR 0004), so a slug that is unknown,
   inactive or someone else's gets the same 403. CSRF is enforced on unsafe methods, as for forms.
"""

from dataclasses import dataclass

from django.conf import settings
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from aptic.accounts.models import ApiToken, Membership, Organisation, OrganisationKind, User
from aptic.accounts.services import api_token_authenticate

from .errors import ApiError

ORGANISATION_HEADER = "X-Organisation"
NOT_PROVIDER = "L'API d'encaissement est réservée aux structures de médiation numérique (prestataires)."
NOT_MEMBER = "Vous n'êtes pas membre de cette organisation."


@dataclass(frozen=True)
class Actor:
    organisation: Organisation
    user: User
    via: str  # "token" or "session"
    token: ApiToken | None = None


def _provider_only(organisation: Organisation) -> None:
    if organisation.kind != OrganisationKind.PROVIDER:
        raise ApiError(403, "not_provider", NOT_PROVIDER)


class ProviderApiKey(HttpBearer):
    """`Authorization: Bearer aptic_…` (OpenAPI: http bearer)."""

    def __call__(self, request):
        header = request.headers.get("Authorization")
        if header is None:
            return None  # not this method: try the session
        scheme, _, key = header.strip().partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            raise ApiError(
                401,
                "invalid_token",
                "En-tête Authorization invalide : « Bearer » suivi de la clé d'API est attendu.",
                headers={"WWW-Authenticate": 'Bearer realm="aptic", error="invalid_request"'},
            )
        return self.authenticate(request, key)

    def authenticate(self, request, token):
        api_token = api_token_authenticate(token)
        if api_token is None:
            raise ApiError(
                401,
                "invalid_token",
                "Clé d'API inconnue ou révoquée.",
                headers={"WWW-Authenticate": 'Bearer realm="aptic", error="invalid_token"'},
            )
        organisation = api_token.organisation
        _provider_only(organisation)
        named = request.headers.get(ORGANISATION_HEADER, "").strip()
        if named and named != organisation.slug:
            raise ApiError(403, "organisation_mismatch", "Cette clé d'API appartient à une autre organisation.")
        return Actor(organisation=organisation, user=api_token.created_by, via="token", token=api_token)


class ProviderSession(APIKeyCookie):
    """The site's session cookie, with CSRF on unsafe methods (OpenAPI: apiKey in cookie)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self):
        super().__init__(csrf=True)

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise ApiError(
                403,
                "csrf_failed",
                "Vérification CSRF échouée : envoyez le jeton CSRF de la page dans l'en-tête X-CSRFToken.",
            )
        return self.authenticate(request, None)

    def authenticate(self, request, key):
        user = request.user
        memberships = Membership.objects.select_related("organisation").filter(user=user, organisation__is_active=True)
        named = request.headers.get(ORGANISATION_HEADER, "").strip()
        if named:
            membership = memberships.filter(organisation__slug=named).first()
            if membership is None:
                raise ApiError(403, "not_member", NOT_MEMBER)
            _provider_only(membership.organisation)
        else:
            providers = list(memberships.filter(organisation__kind=OrganisationKind.PROVIDER)[:2])
            if not providers:
                raise ApiError(403, "not_provider", NOT_PROVIDER)
            if len(providers) > 1:
                raise ApiError(
                    400,
                    "organisation_required",
                    "Vous êtes membre de plusieurs structures : indiquez laquelle dans l'en-tête "
                    f"{ORGANISATION_HEADER} (son identifiant d'adresse).",
                )
            membership = providers[0]
        return Actor(organisation=membership.organisation, user=user, via="session")
