"""The JSON API, /api/v1/: a provider's till software (API key) or the site's own pages (session)
test and redeem vouchers, cancel and list redemptions. OpenAPI at /api/v1/openapi.json, interactive
documentation at /api/v1/docs.

    auth.py       who calls, for which provider (deny by default)
    errors.py     every error as {"error", "message", …} with a precise status, in French
    schemas.py    request and response shapes (pydantic)
    endpoints.py  the operations, each one service call
    urls.py       mounted by aptic/urls.py; access marks for the URL guard test, body limits
"""

from ninja import NinjaAPI

from . import errors
from .auth import ProviderApiKey, ProviderSession
from .docs import OfflineSwagger
from .endpoints import router

DESCRIPTION = """
API d'encaissement des chèques #APTIC, pour les structures de médiation numérique labellisées.

**Authentification.** Une clé d'API de votre structure (créée dans « Clés d'API » de votre espace) dans
l'en-tête `Authorization: Bearer aptic_…` ; ou, depuis les pages du site, la session ouverte, avec le jeton
CSRF dans `X-CSRFToken` pour les POST, et `X-Organisation: <identifiant>` si vous êtes membre de
plusieurs structures. Sans identification : 401 ; organisation qui n'est pas une structure : 403.

**Erreurs.** Toujours `{"error": "<code>", "message": "<phrase en français>"}`, avec `details`
(champ, problème) pour une requête mal formée et `codes` (rang, code, motif) pour des chèques refusés.
400 requête mal formée (`invalid_json`, `invalid_request`, `invalid_idempotency_key`,
`organisation_required`) ; 401 `not_authenticated`, `invalid_token` ; 403 `not_provider`, `not_member`,
`organisation_mismatch`, `csrf_failed`, `not_labelled`, `forbidden_place` ; 404 ; 409 conflit avec l'état
actuel ; 413 `body_too_large` (64 Kio) ; 415 `unsupported_media_type` (JSON attendu) ; 422 refus par les
règles (`vouchers_refused`, `too_many_vouchers`, …).

Montants en centimes (1000 = 10 €). Dates et heures en ISO 8601, heure de Paris.
"""

api = NinjaAPI(
    title="API #APTIC",
    version="1",
    description=DESCRIPTION.strip(),
    urls_namespace="api-v1",
    auth=[ProviderApiKey(), ProviderSession()],
    docs=OfflineSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("/", router)
