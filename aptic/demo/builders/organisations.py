"""Demo organisations and their people: the platform team, funders of each kind, distributors,
and about forty providers spread over Gironde (33) and Loire (42)."""

import datetime

from stdnum import luhn

from aptic.accounts import services as accounts
from aptic.accounts.models import LegalCategory, OrganisationKind, Role
from aptic.demo.names import distinct_name, of_place
from aptic.demo.timeline import working_day
from aptic.providers import services as providers
from aptic.territories.models import Commune
from aptic.vocabulary.models import PlaceTypology

DEPARTEMENTS = ("33", "42")
PROVIDER_COUNT = 40

# (key, kind, legal category, name, commune INSEE, admin e-mail, admin name, member e-mail, member name)
NAMED = [
    (
        "platform",
        OrganisationKind.PLATFORM,
        LegalCategory.COOPERATIVE,
        "Équipe #APTIC",
        "33063",
        "equipe@demo.aptic.fr",
        "Camille Martin",
        None,
        None,
    ),
    (
        "funder_dep",
        OrganisationKind.FUNDER,
        LegalCategory.DEPARTEMENT,
        "Département de la Gironde",
        "33063",
        "commanditaire.gironde@demo.aptic.fr",
        "Nadia Benali",
        "suivi.gironde@demo.aptic.fr",
        "Hugo Lefèvre",
    ),
    (
        "funder_ccas",
        OrganisationKind.FUNDER,
        LegalCategory.CCAS,
        "CCAS de Saint-Étienne",
        "42218",
        "commanditaire.ccas-st-etienne@demo.aptic.fr",
        "Sylvie Roche",
        None,
        None,
    ),
    (
        "funder_company",
        OrganisationKind.FUNDER,
        LegalCategory.COMPANY,
        "Atlantique Énergies Coopératives (démo)",
        "33281",
        "rse@demo.aptic.fr",
        "Julien Garnier",
        None,
        None,
    ),
    (
        "dist_ccas",
        OrganisationKind.DISTRIBUTOR,
        LegalCategory.CCAS,
        "CCAS de Mérignac",
        "33281",
        "aiguilleur.merignac@demo.aptic.fr",
        "Fatou Diallo",
        "accueil.merignac@demo.aptic.fr",
        "Léa Moreau",
    ),
    (
        "dist_mission",
        OrganisationKind.DISTRIBUTOR,
        LegalCategory.ASSOCIATION,
        "Mission locale Loire Sud (démo)",
        "42218",
        "aiguilleur.loire@demo.aptic.fr",
        "Karim Haddad",
        None,
        None,
    ),
    (
        "dist_medoc",
        OrganisationKind.DISTRIBUTOR,
        LegalCategory.ASSOCIATION,
        "Solidarités Médoc (démo)",
        "33240",
        "aiguilleur.medoc@demo.aptic.fr",
        "Anne Girard",
        None,
        None,
    ),
]

PROVIDER_KINDS = [
    # (name pattern, legal category, typology codes of the standard)
    ("Espace public numérique {of_c}", LegalCategory.COMMUNE, ["EPN", "MUNI"]),
    ("Médiathèque {of_c}", LegalCategory.COMMUNE, ["BIB"]),
    ("Fablab {c}", LegalCategory.ASSOCIATION, ["FABLAB", "ASSO"]),
    ("Tiers-lieu La Fabrique {of_c}", LegalCategory.ASSOCIATION, ["TIERS_LIEUX", "ASSO"]),
    ("Centre social {of_c}", LegalCategory.ASSOCIATION, ["CS", "ASSO"]),
    ("France Services {of_c}", LegalCategory.PUBLIC_BODY, ["RFS"]),
    ("Repair café numérique {of_c}", LegalCategory.ASSOCIATION, ["ASSO"]),
    ("Coopérative Clic & Lien {c}", LegalCategory.COOPERATIVE, ["TIERS_LIEUX"]),
]
FIRST_NAMES = [
    "Alice",
    "Bruno",
    "Chloé",
    "David",
    "Emma",
    "Farid",
    "Gaëlle",
    "Hélène",
    "Inès",
    "Jules",
    "Kevin",
    "Laura",
    "Mehdi",
    "Nina",
    "Olivier",
    "Pauline",
    "Quentin",
    "Rania",
    "Sami",
    "Thomas",
]
LAST_NAMES = [
    "Bernard",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
]

# The accounts `make run` prints, one per kind of visitor (structure 5 is labelled: it can take vouchers).
SHOWN = [
    "equipe@demo.aptic.fr",
    "commanditaire.gironde@demo.aptic.fr",
    "suivi.gironde@demo.aptic.fr",
    "aiguilleur.merignac@demo.aptic.fr",
    "structure.5@demo.aptic.fr",
    "structure.5.membre@demo.aptic.fr",
]


def demo_siret(rng) -> str:
    """A SIRET that passes the Luhn check, as real ones do (the platform validates them)."""
    siren = f"9{rng.randrange(10**7):07d}"
    siren += luhn.calc_check_digit(siren)
    nic = f"{rng.randrange(10**4):04d}"
    return siren + nic + luhn.calc_check_digit(siren + nic)


def _person(rng):
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _add_user(context, organisation, email, name, role, *, is_staff=False, at=None):
    user = accounts.user_create(email=email, password=context.password, full_name=name, is_staff=is_staff, at=at)
    if is_staff:
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    accounts.membership_add(user=user, organisation=organisation, role=role, at=at)
    context.accounts.append((email, organisation.get_kind_display(), organisation.name))
    return user


def build(context) -> None:
    rng = context.rng
    calendar = context.calendar
    opened = calendar.platform_opened  # the team, the funders and the distributors, on the first day
    communes = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=[n[4] for n in NAMED])}
    for key, kind, category, name, insee, admin_email, admin_name, member_email, member_name in NAMED:
        organisation = accounts.organisation_create(
            kind=kind,
            name=name,
            legal_category=category,
            commune=communes[insee],
            siret=demo_siret(rng),
            address=f"{rng.randint(1, 80)} rue de la République",
            email=admin_email,
            at=opened,
        )
        _add_user(
            context,
            organisation,
            admin_email,
            admin_name,
            Role.ADMIN,
            is_staff=kind == OrganisationKind.PLATFORM,
            at=opened,
        )
        if member_email:
            _add_user(context, organisation, member_email, member_name, Role.MEMBER, at=opened)
        context.organisations.setdefault(key, []).append(organisation)

    # Providers sit where people live: communes of 3,000+ inhabitants, drawn in proportion to population.
    candidates = list(
        Commune.objects.filter(departement_id__in=DEPARTEMENTS, is_current=True, population__gte=3000).order_by(
            "insee_code"
        )
    )
    weights = [c.population for c in candidates]
    typologies = {t.standard_value: t for t in PlaceTypology.objects.all()}
    used_names = set()
    first, last = calendar.providers_join
    # The day each asks to be eligible, in the order of their numbers.
    joined = sorted(first + datetime.timedelta(days=rng.randint(0, (last - first).days)) for _ in range(PROVIDER_COUNT))
    for n in range(1, PROVIDER_COUNT + 1):
        commune = rng.choices(candidates, weights=weights)[0]
        pattern, category, typology_codes = PROVIDER_KINDS[(n - 1) % len(PROVIDER_KINDS)]
        name = pattern.format(c=commune.name, of_c=of_place(commune.name))
        name = distinct_name(name, used_names)
        used_names.add(name)
        requested = calendar.moment(working_day(joined[n - 1]), rng.randint(9, 17), rng.randint(0, 59))
        provider = providers.provider_create(
            name=name,
            legal_category=category,
            commune=commune,
            typology=typologies.get(typology_codes[0]),
            siret=demo_siret(rng),
            address=f"{rng.randint(1, 120)} {rng.choice(['rue', 'avenue', 'place', 'allée'])} "
            f"{rng.choice(['Jean Jaurès', 'Victor Hugo', 'de la Mairie', 'des Écoles', 'du Marché', 'Pasteur'])}",
            email=f"structure.{n}@demo.aptic.fr",
            at=requested,
        )
        organisation = provider.organisation
        organisation.demo_typologies = typology_codes
        organisation.demo_requested_at = requested  # the providers and places builders start from it
        _add_user(context, organisation, f"structure.{n}@demo.aptic.fr", _person(rng), Role.ADMIN, at=requested)
        if n % 4 == 1:
            _add_user(
                context, organisation, f"structure.{n}.membre@demo.aptic.fr", _person(rng), Role.MEMBER, at=requested
            )
        context.organisations.setdefault("providers", []).append(organisation)
