"""Subscription: plans, free month, payments, netting, sponsorship, cancellation; 'labelled' over time."""

import datetime

import pytest
from django.urls import reverse

from aptic.core.errors import AccessDenied, DomainError
from aptic.core.tests.factories import OrganisationFactory, UserFactory
from aptic.core.tests.helpers import text
from aptic.providers import selectors, services
from aptic.providers.dates import add_months
from aptic.providers.models import KitShipment, Sponsorship, Subscription

from .factories import CharterVersionFactory, ProviderFactory, SubscriptionFactory, accept_charter, member_of

D = datetime.date
START = D(2027, 1, 31)


@pytest.mark.parametrize(
    "day,months,expected",
    [
        (D(2027, 1, 31), 1, D(2027, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2027, 1, 15), 1, D(2027, 2, 15)),
        (D(2027, 3, 31), 1, D(2027, 4, 30)),
        (D(2027, 12, 31), 1, D(2028, 1, 31)),
        (D(2027, 11, 30), 3, D(2028, 2, 29)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2027, 5, 10), 24, D(2029, 5, 10)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


@pytest.fixture
def ready(qualified):
    """Qualified, current charter accepted: only the subscription is missing to be labelled."""
    accept_charter(qualified)
    return qualified


def url(provider):
    return reverse("providers:subscription", kwargs={"org_slug": provider.organisation.slug})


# --- States over time -------------------------------------------------------------------------


def states(provider, days):
    return [(selectors.subscription_state(provider, d), selectors.is_labelled(provider, d)) for d in days]


def test_trial_then_lapsed_without_payment(ready, qualified_admin):
    subscription = services.subscription_start(
        provider=ready, plan="monthly", payment_method="transfer", user=qualified_admin, today=START
    )
    assert (subscription.started_on, subscription.trial_until, subscription.price_cents) == (START, D(2027, 2, 28), 700)
    assert states(ready, [D(2027, 1, 30), START, D(2027, 2, 28), D(2027, 3, 1)]) == [
        ("scheduled", False),
        ("trial", True),
        ("trial", True),
        ("lapsed", False),
    ]


def test_a_recorded_payment_covers_the_subscription(ready, qualified_admin, staff):
    subscription = services.subscription_start(
        provider=ready, plan="yearly", payment_method="transfer", user=qualified_admin, today=START
    )
    assert subscription.price_cents == 7700
    services.subscription_record_payment(subscription=subscription, covered_until=D(2027, 3, 31), staff=staff)
    assert states(ready, [D(2027, 3, 15), D(2027, 3, 31), D(2027, 4, 1)]) == [
        ("active", True),
        ("active", True),
        ("lapsed", False),
    ]


def test_netting_keeps_the_subscription_running(ready, qualified_admin):
    services.subscription_start(
        provider=ready, plan="monthly", payment_method="netting", user=qualified_admin, today=START
    )
    assert states(ready, [D(2027, 2, 1), D(2027, 3, 1), D(2030, 1, 1)]) == [
        ("trial", True),
        ("active", True),
        ("active", True),
    ]


def test_a_sponsored_subscription_runs_during_the_sponsorship(ready):
    funder = OrganisationFactory(kind="funder", commune=ready.organisation.commune)
    funder_admin = UserFactory()
    funder.memberships.create(user=funder_admin, role="admin")
    today = selectors.today()
    services.sponsorships_create(funder=funder, providers=[ready], starts_on=today, user=funder_admin)
    subscription = Subscription.objects.get(provider=ready)
    assert (subscription.payment_method, subscription.plan, subscription.started_on) == ("sponsored", "yearly", today)
    sponsorship = Sponsorship.objects.get()
    assert sponsorship.ends_on == add_months(today, 12) - datetime.timedelta(days=1)
    assert sponsorship.amount_cents == 7700
    after_trial = add_months(today, 2)
    assert states(
        ready, [today, after_trial, sponsorship.ends_on, sponsorship.ends_on + datetime.timedelta(days=1)]
    ) == [
        ("trial", True),
        ("active", True),
        ("active", True),
        ("lapsed", False),
    ]


def test_a_cancellation_ends_after_the_paid_period(ready, qualified_admin, staff):
    subscription = services.subscription_start(
        provider=ready, plan="monthly", payment_method="transfer", user=qualified_admin, today=START
    )
    services.subscription_record_payment(subscription=subscription, covered_until=D(2027, 6, 30), staff=staff)
    cancelled = services.subscription_cancel(subscription=subscription, user=qualified_admin, today=D(2027, 3, 10))
    assert cancelled.cancelled_on == D(2027, 7, 1)
    assert states(ready, [D(2027, 6, 30), D(2027, 7, 1)]) == [("active", True), ("lapsed", False)]
    with pytest.raises(DomainError, match="déjà résilié"):
        services.subscription_cancel(subscription=subscription, user=qualified_admin, today=D(2027, 3, 11))


def test_a_cancelled_netting_subscription_ends_at_once(ready, qualified_admin):
    subscription = services.subscription_start(
        provider=ready, plan="monthly", payment_method="netting", user=qualified_admin, today=START
    )
    cancelled = services.subscription_cancel(subscription=subscription, user=qualified_admin, today=D(2027, 5, 3))
    assert cancelled.cancelled_on == D(2027, 5, 3)
    assert states(ready, [D(2027, 5, 2), D(2027, 5, 3)]) == [("active", True), ("lapsed", False)]


def test_resuming_after_a_cancellation_gives_no_second_free_month(ready, qualified_admin):
    subscription = services.subscription_start(
        provider=ready, plan="monthly", payment_method="transfer", user=qualified_admin, today=START
    )
    services.subscription_cancel(subscription=subscription, user=qualified_admin, today=D(2027, 2, 1))
    resumed = services.subscription_start(
        provider=ready, plan="yearly", payment_method="netting", user=qualified_admin, today=D(2027, 6, 1)
    )
    assert resumed.pk == subscription.pk and resumed.cancelled_on is None
    assert (resumed.started_on, resumed.trial_until, resumed.plan, resumed.price_cents) == (
        START,
        D(2027, 2, 28),
        "yearly",
        7700,
    )
    assert states(ready, [D(2027, 6, 1)]) == [("active", True)]


def sub(started_on, **fields):
    """A subscription started on `started_on`, its free month ending one month later."""
    return {"started_on": started_on, "trial_until": add_months(started_on, 1), **fields}


MAY, JANUARY, LAST_YEAR, JUNE = D(2027, 5, 1), D(2027, 1, 1), D(2026, 1, 1), D(2027, 6, 1)
LABELLED_CASES = {
    # name: (provider status, charter accepted, subscription, sponsored, labelled on 15 May 2027)
    "qualified, accepted, trial": ("qualified", "current", sub(MAY), False, True),
    "pending": ("pending", "current", sub(MAY), False, False),
    "under review": ("review", "current", sub(MAY), False, False),
    "rejected": ("rejected", "current", sub(MAY), False, False),
    "charter not accepted": ("qualified", None, sub(MAY), False, False),
    "old charter only": ("qualified", "old", sub(MAY), False, False),
    "no subscription": ("qualified", "current", None, False, False),
    "lapsed": ("qualified", "current", sub(JANUARY), False, False),
    "covered": ("qualified", "current", sub(JANUARY, covered_until=D(2027, 12, 31)), False, True),
    "covered until yesterday": ("qualified", "current", sub(JANUARY, covered_until=D(2027, 5, 14)), False, False),
    "netting": ("qualified", "current", sub(JANUARY, payment_method="netting"), False, True),
    "sponsored": ("qualified", "current", sub(JANUARY, payment_method="sponsored"), True, True),
    "sponsorship over": ("qualified", "current", sub(LAST_YEAR, payment_method="sponsored"), "over", False),
    "cancelled": ("qualified", "current", sub(JANUARY, payment_method="netting", cancelled_on=MAY), False, False),
    "cancellation ahead": (
        "qualified",
        "current",
        sub(JANUARY, payment_method="netting", cancelled_on=JUNE),
        False,
        True,
    ),
    "starts later": ("qualified", "current", sub(JUNE), False, False),
}


@pytest.mark.parametrize("case", LABELLED_CASES)
def test_labelled_providers_for_each_combination(commune, staff, case):
    status, charter, subscription, sponsored, expected = LABELLED_CASES[case]
    day = D(2027, 5, 15)
    old = selectors.current_charter()
    provider = ProviderFactory(organisation__commune=commune, status=status)
    bystander = ProviderFactory(organisation__commune=commune, status="qualified")  # never labelled
    if charter == "old":
        accept_charter(provider, old)
        CharterVersionFactory()
    elif charter == "current":
        accept_charter(provider)
    if subscription is not None:
        SubscriptionFactory(provider=provider, **subscription)
    if sponsored:
        starts = D(2026, 1, 1) if sponsored == "over" else D(2027, 1, 1)
        Sponsorship.objects.create(
            funder=OrganisationFactory(kind="funder"),
            provider=provider,
            starts_on=starts,
            ends_on=add_months(starts, 12) - datetime.timedelta(days=1),
            amount_cents=7700,
            created_by=staff,
        )
    assert list(selectors.labelled_providers(day)) == ([provider] if expected else [])
    assert selectors.is_labelled(provider, day) is expected
    assert not selectors.is_labelled(bystander, day)


# --- Starting and cancelling through the page -------------------------------------------------


def test_an_administrator_subscribes_through_the_page(client, ready, qualified_admin):
    client.force_login(qualified_admin)
    page = text(client.get(url(ready)))
    assert "7 € HT par mois ou 77 € HT par an" in page and "S'abonner — premier mois offert" in page
    response = client.post(url(ready), {"plan": "monthly", "payment_method": "netting"}, follow=True)
    assert "Abonnement enregistré" in text(response)
    subscription = Subscription.objects.get(provider=ready)
    today = selectors.today()
    assert (subscription.started_on, subscription.trial_until) == (today, add_months(today, 1))
    assert (subscription.price_cents, subscription.payment_method) == (700, "netting")
    page = text(client.get(url(ready)))
    assert "Mois gratuit" in page and "Déduit des remboursements de chèques" in page


@pytest.mark.parametrize(
    "data,message",
    [
        ({"plan": "monthly", "payment_method": "sponsored"}, "Choisissez un mode de paiement proposé."),
        ({"plan": "lifetime", "payment_method": "transfer"}, "Choisissez une formule proposée."),
        ({}, "Choisissez une formule."),
    ],
)
def test_bad_subscription_input_is_refused(client, ready, qualified_admin, data, message):
    client.force_login(qualified_admin)
    response = client.post(url(ready), data)
    assert response.status_code == 400 and message in text(response)
    assert not Subscription.objects.exists()


def test_a_structure_must_be_qualified_and_have_accepted_the_charter(
    client, structure, structure_admin, qualified, qualified_admin
):
    client.force_login(structure_admin)
    assert "une fois votre structure qualifiée" in text(client.get(url(structure)))
    response = client.post(url(structure), {"plan": "monthly", "payment_method": "transfer"})
    assert response.status_code == 400 and "doit d'abord être qualifiée" in text(response)
    client.force_login(qualified_admin)
    response = client.post(url(qualified), {"plan": "monthly", "payment_method": "transfer"})
    assert response.status_code == 400 and "Acceptez d'abord la charte" in text(response)
    assert not Subscription.objects.exists()


def test_a_running_subscription_cannot_be_started_again(client, ready, qualified_admin):
    client.force_login(qualified_admin)
    client.post(url(ready), {"plan": "monthly", "payment_method": "transfer"})
    response = client.post(url(ready), {"plan": "yearly", "payment_method": "transfer"})
    assert response.status_code == 400 and "déjà un abonnement en cours" in text(response)
    assert Subscription.objects.get().plan == "monthly"


def test_a_member_can_neither_subscribe_nor_cancel(client, ready, qualified_admin):
    member = member_of(ready)
    client.force_login(member)
    assert client.post(url(ready), {"plan": "monthly", "payment_method": "transfer"}).status_code == 403
    assert not Subscription.objects.exists()
    services.subscription_start(provider=ready, plan="monthly", payment_method="transfer", user=qualified_admin)
    cancel = reverse("providers:subscription_cancel", kwargs={"org_slug": ready.organisation.slug})
    assert client.post(cancel).status_code == 403
    assert Subscription.objects.get().cancelled_on is None
    with pytest.raises(AccessDenied):
        services.subscription_cancel(subscription=Subscription.objects.get(), user=member)


def test_an_administrator_cancels_and_resumes_through_the_pages(client, ready, qualified_admin):
    client.force_login(qualified_admin)
    client.post(url(ready), {"plan": "monthly", "payment_method": "transfer"})
    cancel = reverse("providers:subscription_cancel", kwargs={"org_slug": ready.organisation.slug})
    response = client.post(cancel, follow=True)
    subscription = Subscription.objects.get()
    assert subscription.cancelled_on == subscription.trial_until + datetime.timedelta(days=1)
    assert "Abonnement résilié" in text(response) and "Reprendre l'abonnement" in text(response)
    response = client.post(cancel, follow=True)
    assert "déjà résilié" in text(response)
    assert client.get(cancel).status_code == 405
    client.post(url(ready), {"plan": "yearly", "payment_method": "netting"})
    subscription.refresh_from_db()
    assert subscription.cancelled_on is None and subscription.plan == "yearly"


# --- Staff: payments and kit ------------------------------------------------------------------


@pytest.fixture
def subscription(ready, qualified_admin):
    return services.subscription_start(provider=ready, plan="yearly", payment_method="transfer", user=qualified_admin)


def staff_url(subscription):
    return reverse("providers:staff_subscription", kwargs={"pk": subscription.pk})


def test_staff_record_a_payment_and_the_kit(client, subscription, staff, qualified_admin):
    client.force_login(staff)
    assert subscription.provider.organisation.name in text(client.get(reverse("providers:staff_subscriptions")))
    covered = add_months(selectors.today(), 13)
    response = client.post(staff_url(subscription), {"action": "payment", "payment-covered_until": covered.isoformat()})
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.covered_until == covered
    shipped = selectors.today()
    response = client.post(
        staff_url(subscription),
        {"action": "kit", "kit-shipped_on": shipped.strftime("%d/%m/%Y"), "kit-tracking": " Colissimo  6A123 "},
    )
    assert response.status_code == 302
    kit = KitShipment.objects.get()
    assert (kit.shipped_on, kit.tracking, kit.recorded_by) == (shipped, "Colissimo 6A123", staff)
    client.force_login(qualified_admin)
    dashboard = text(
        client.get(reverse("providers:dashboard", kwargs={"org_slug": subscription.provider.organisation.slug}))
    )
    assert "Expédié le" in dashboard and "Colissimo 6A123" in dashboard


@pytest.mark.parametrize(
    "data,message",
    [
        ({"action": "payment", "payment-covered_until": "2020-01-01"}, "doit finir après le début"),
        ({"action": "payment", "payment-covered_until": "pas une date"}, "Saisissez une date valide"),
        ({"action": "payment", "payment-covered_until": "2999-01-01"}, "plus de deux ans"),
        ({"action": "kit", "kit-shipped_on": "2999-01-01"}, "ne peut pas être dans le futur"),
        ({"action": "kit", "kit-shipped_on": "2027-01-01", "kit-tracking": "x" * 201}, "au plus 200 caractères"),
        ({"action": "rien"}, "Action inconnue"),
    ],
)
def test_bad_staff_input_is_refused(client, subscription, staff, data, message):
    client.force_login(staff)
    response = client.post(staff_url(subscription), data)
    assert response.status_code == 400 and message in text(response)
    subscription.refresh_from_db()
    assert subscription.covered_until is None and not KitShipment.objects.exists()


def test_a_payment_cannot_shorten_the_coverage(subscription, staff):
    later = add_months(selectors.today(), 6)
    services.subscription_record_payment(subscription=subscription, covered_until=later, staff=staff)
    with pytest.raises(DomainError, match="déjà payé jusqu'au"):
        services.subscription_record_payment(subscription=subscription, covered_until=later, staff=staff)


def test_staff_pages_and_services_are_for_staff(client, subscription, qualified_admin):
    client.force_login(qualified_admin)
    assert client.get(reverse("providers:staff_subscriptions")).status_code == 403
    assert (
        client.post(staff_url(subscription), {"action": "payment", "payment-covered_until": "2030-01-01"}).status_code
        == 403
    )
    with pytest.raises(AccessDenied):
        services.subscription_record_payment(
            subscription=subscription, covered_until=D(2030, 1, 1), staff=qualified_admin
        )
    with pytest.raises(AccessDenied):
        services.kit_shipment_record(
            provider=subscription.provider, shipped_on=START, tracking="", staff=qualified_admin
        )
    subscription.refresh_from_db()
    assert subscription.covered_until is None and not KitShipment.objects.exists()


def test_the_kit_goes_to_subscribed_structures_only(qualified, staff):
    with pytest.raises(DomainError, match="n'a pas d'abonnement"):
        services.kit_shipment_record(provider=qualified, shipped_on=START, tracking="", staff=staff)


@pytest.mark.parametrize("pk", [999999, 10**30])
def test_an_unknown_subscription_is_not_found(client, staff, pk):
    client.force_login(staff)
    assert client.get(reverse("providers:staff_subscription", kwargs={"pk": pk})).status_code == 404
