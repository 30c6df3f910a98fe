"""Funders sponsor the subscription of qualified providers of their territory."""

import datetime

import pytest
from django.urls import reverse

from aptic.core.errors import AccessDenied, DomainError
from aptic.core.tests.factories import (
    CommuneFactory,
    DepartementFactory,
    MembershipFactory,
    OrganisationFactory,
    RegionFactory,
)
from aptic.core.tests.helpers import text
from aptic.providers import selectors, services
from aptic.providers.dates import add_months
from aptic.providers.models import Sponsorship, Subscription

from .factories import ProviderFactory


@pytest.fixture
def bordeaux(db):
    gironde = DepartementFactory(code="33", name="Gironde", region=RegionFactory(code="75", name="Nouvelle-Aquitaine"))
    return CommuneFactory(
        insee_code="33063",
        name="Bordeaux",
        departement=gironde,
        postal_codes="33000 33100 33200 33300 33800",
        population=261804,
        latitude=44.8378,
        longitude=-0.5792,
    )


@pytest.fixture
def lyon(commune):
    rhone = DepartementFactory(code="69", name="Rhône", region=commune.region)
    return CommuneFactory(
        insee_code="69123",
        name="Lyon",
        departement=rhone,
        postal_codes="69001 69002",
        population=522250,
        latitude=45.758,
        longitude=4.835,
    )


@pytest.fixture
def funder_org(commune):
    return OrganisationFactory(kind="funder", name="CCAS de Saint-Étienne", legal_category="ccas", commune=commune)


@pytest.fixture
def funder_admin_user(funder_org):
    return MembershipFactory(organisation=funder_org, role="admin").user


@pytest.fixture
def providers(commune, bordeaux, lyon):
    return {
        "loire": ProviderFactory(
            organisation__commune=commune, organisation__name="Fablab de la Loire", status="qualified"
        ),
        "loire_pending": ProviderFactory(
            organisation__commune=commune, organisation__name="EPN en attente", status="pending"
        ),
        "gironde": ProviderFactory(
            organisation__commune=bordeaux, organisation__name="Tiers-lieu bordelais", status="qualified"
        ),
        "rhone": ProviderFactory(
            organisation__commune=lyon, organisation__name="Médiathèque lyonnaise", status="qualified"
        ),
    }


def url(funder):
    return reverse("providers:sponsorships", kwargs={"org_slug": funder.slug})


def written():
    return (Sponsorship.objects.count(), Subscription.objects.count())


def test_the_page_lists_the_qualified_providers_of_the_funders_departement(
    client, funder_org, funder_admin_user, providers
):
    client.force_login(funder_admin_user)
    page = text(client.get(url(funder_org)))
    assert "Votre territoire : département Loire (42)." in page
    assert "Fablab de la Loire" in page
    for other in ["EPN en attente", "Tiers-lieu bordelais", "Médiathèque lyonnaise"]:
        assert other not in page


def test_a_region_sponsors_in_the_whole_region(client, funder_org, funder_admin_user, providers):
    funder_org.legal_category = "region"
    funder_org.save()
    client.force_login(funder_admin_user)
    page = text(client.get(url(funder_org)))
    assert "région Auvergne-Rhône-Alpes" in page
    assert "Fablab de la Loire" in page and "Médiathèque lyonnaise" in page
    assert "Tiers-lieu bordelais" not in page


def test_a_funder_sponsors_chosen_providers_for_one_year(client, funder_org, funder_admin_user, providers):
    client.force_login(funder_admin_user)
    today = selectors.today()
    loire = providers["loire"]
    response = client.post(url(funder_org), {"providers": [loire.pk], "starts_on": today.isoformat()}, follow=True)
    assert "1 structure parrainée pour un an." in text(response)
    sponsorship = Sponsorship.objects.get()
    assert (sponsorship.funder, sponsorship.provider, sponsorship.created_by) == (funder_org, loire, funder_admin_user)
    assert (sponsorship.starts_on, sponsorship.ends_on) == (today, add_months(today, 12) - datetime.timedelta(days=1))
    assert sponsorship.amount_cents == 7700
    subscription = Subscription.objects.get(provider=loire)
    assert (subscription.payment_method, subscription.plan, subscription.price_cents) == ("sponsored", "yearly", 7700)
    page = text(client.get(url(funder_org)))
    assert "Abonnements que vous prenez en charge" in page and "77 €" in page and "en cours" in page


def test_an_existing_subscription_is_kept(funder_org, funder_admin_user, providers):
    loire = providers["loire"]
    Subscription.objects.create(
        provider=loire,
        plan="monthly",
        payment_method="transfer",
        price_cents=700,
        started_on=selectors.today(),
        trial_until=add_months(selectors.today(), 1),
    )
    services.sponsorships_create(
        funder=funder_org, providers=[loire], starts_on=selectors.today(), user=funder_admin_user
    )
    assert Subscription.objects.get(provider=loire).payment_method == "transfer"
    assert Sponsorship.objects.filter(provider=loire).exists()


def test_a_provider_outside_the_territory_is_refused(client, funder_org, funder_admin_user, providers):
    client.force_login(funder_admin_user)
    before = written()
    response = client.post(
        url(funder_org),
        {"providers": [providers["loire"].pk, providers["gironde"].pk], "starts_on": selectors.today().isoformat()},
    )
    assert response.status_code == 400
    assert "« Tiers-lieu bordelais » n'est pas sur votre territoire (département Loire (42))" in text(response)
    assert written() == before  # all or nothing: the Loire provider is not sponsored either


@pytest.mark.parametrize(
    "choice,message",
    [
        ("pending", "ne peut pas être parrainée : choisissez dans la liste"),
        ("999999", "ne peut pas être parrainée : choisissez dans la liste"),
        (str(10**30), "ne peut pas être parrainée : choisissez dans la liste"),
        ("abc", "ne peut pas être parrainée : choisissez dans la liste"),
        (None, "Choisissez au moins une structure à parrainer."),
    ],
)
def test_forged_or_missing_choices_are_refused(client, funder_org, funder_admin_user, providers, choice, message):
    client.force_login(funder_admin_user)
    data = {"starts_on": selectors.today().isoformat()}
    if choice is not None:
        data["providers"] = [providers["loire_pending"].pk if choice == "pending" else choice]
    before = written()
    response = client.post(url(funder_org), data)
    assert response.status_code == 400 and message in text(response)
    assert written() == before


@pytest.mark.parametrize(
    "starts_on,message",
    [
        ("2020-01-01", "ne peut pas commencer dans le passé"),
        ("2999-01-01", "au plus tard dans un an"),
        ("demain", "Saisissez une date valide"),
    ],
)
def test_bad_dates_are_refused(client, funder_org, funder_admin_user, providers, starts_on, message):
    client.force_login(funder_admin_user)
    response = client.post(url(funder_org), {"providers": [providers["loire"].pk], "starts_on": starts_on})
    assert response.status_code == 400 and message in text(response)
    assert written() == (0, 0)


def test_a_provider_already_sponsored_is_refused(funder_org, funder_admin_user, providers):
    today = selectors.today()
    services.sponsorships_create(
        funder=funder_org, providers=[providers["loire"]], starts_on=today, user=funder_admin_user
    )
    with pytest.raises(DomainError, match="est déjà parrainée du"):
        services.sponsorships_create(
            funder=funder_org,
            providers=[providers["loire"]],
            starts_on=today + datetime.timedelta(days=30),
            user=funder_admin_user,
        )
    assert Sponsorship.objects.count() == 1


def test_the_service_checks_dates_qualification_and_cancellation(funder_org, funder_admin_user, providers):
    today = selectors.today()
    loire = providers["loire"]
    with pytest.raises(DomainError, match="un an au plus"):
        services.sponsorship_create(
            funder=funder_org, provider=loire, starts_on=today, ends_on=add_months(today, 12), user=funder_admin_user
        )
    with pytest.raises(DomainError, match="n'est pas qualifiée"):
        services.sponsorship_create(
            funder=funder_org,
            provider=providers["loire_pending"],
            starts_on=today,
            ends_on=add_months(today, 6),
            user=funder_admin_user,
        )
    Subscription.objects.create(
        provider=loire,
        plan="monthly",
        payment_method="transfer",
        price_cents=700,
        started_on=today,
        trial_until=add_months(today, 1),
        cancelled_on=today,
    )
    with pytest.raises(DomainError, match="a résilié son abonnement"):
        services.sponsorship_create(
            funder=funder_org, provider=loire, starts_on=today, ends_on=add_months(today, 6), user=funder_admin_user
        )
    assert not Sponsorship.objects.exists()


def test_a_funder_without_commune_is_told_why(client, funder_org, funder_admin_user, providers):
    funder_org.commune = None
    funder_org.save()
    client.force_login(funder_admin_user)
    assert "La commune de votre organisation n'est pas renseignée" in text(client.get(url(funder_org)))
    with pytest.raises(DomainError, match="n'est pas renseignée"):
        services.sponsorships_create(
            funder=funder_org, providers=[providers["loire"]], starts_on=selectors.today(), user=funder_admin_user
        )


def test_only_funder_administrators_sponsor(client, funder_org, providers):
    member = MembershipFactory(organisation=funder_org, role="member").user
    client.force_login(member)
    response = client.get(url(funder_org))
    assert response.status_code == 403 and "réservée aux administrateurs" in text(response)
    assert client.post(url(funder_org), {"providers": [providers["loire"].pk]}).status_code == 403
    with pytest.raises(AccessDenied):
        services.sponsorships_create(
            funder=funder_org, providers=[providers["loire"]], starts_on=selectors.today(), user=member
        )
    assert written() == (0, 0)


def test_a_provider_cannot_sponsor(qualified, qualified_admin, providers):
    with pytest.raises(DomainError, match="Seul un commanditaire"):
        services.sponsorships_create(
            funder=qualified.organisation,
            providers=[providers["loire"]],
            starts_on=selectors.today(),
            user=qualified_admin,
        )
