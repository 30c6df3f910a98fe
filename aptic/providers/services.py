"""Writes about providers: creation here; qualification, charter and subscription alongside."""

from django.db import transaction
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret as siret_number

from aptic.accounts import services as accounts
from aptic.accounts.models import LegalCategory, Organisation, OrganisationKind
from aptic.core.errors import DomainError

from .models import Provider, ProviderEvent, ProviderStatus


def clean_siret(raw: str) -> str:
    """Digits only, checked (length and Luhn key), or a DomainError in French."""
    value = siret_number.compact(raw or "")
    if not value:
        raise DomainError("Indiquez le numéro SIRET de la structure (14 chiffres).", field="siret")
    try:
        return siret_number.validate(value)
    except StdnumError:
        raise DomainError(
            f"Le numéro SIRET « {str(raw)[:30]} » n'est pas valide : il compte 14 chiffres et sa clé doit être "
            "correcte. Vérifiez-le sur votre avis de situation INSEE ou sur annuaire-entreprises.data.gouv.fr.",
            field="siret",
        ) from None


@transaction.atomic
def provider_create(
    *,
    name: str,
    siret: str,
    commune,
    address: str = "",
    typology=None,
    legal_category: str = LegalCategory.OTHER,
    email: str = "",
    phone: str = "",
    actor=None,
) -> Provider:
    """A structure in state *pending*; the SIRET is unique among providers."""
    siret = clean_siret(siret)
    if Organisation.objects.filter(kind=OrganisationKind.PROVIDER, siret=siret).exists():
        raise DomainError(
            f"Une structure avec le SIRET {siret} est déjà inscrite sur #APTIC. Si c'est la vôtre, demandez à son "
            "administrateur de vous inviter, ou écrivez à l'équipe #APTIC.",
            field="siret",
        )
    if commune is None:
        raise DomainError("Indiquez la commune de la structure.", field="commune")
    organisation = accounts.organisation_create(
        kind=OrganisationKind.PROVIDER,
        name=name,
        legal_category=legal_category,
        siret=siret,
        commune=commune,
        address=(address or "").strip()[:250],
        email=email,
        phone=phone,
    )
    provider = Provider.objects.create(organisation=organisation, typology=typology)
    ProviderEvent.objects.create(provider=provider, to_status=ProviderStatus.PENDING, actor=actor)
    return provider
