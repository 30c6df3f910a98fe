"""'Labelled' is one derived notion used everywhere: qualified, current charter accepted, subscription
running (trial or paid, by any means). Everything that asks goes through these functions."""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .models import CharterAcceptance, CharterVersion, PaymentMethod, Provider, ProviderStatus, Sponsorship

TRIAL, ACTIVE, LAPSED = "trial", "active", "lapsed"
SUBSCRIPTION_STATES = {TRIAL: "Mois gratuit", ACTIVE: "Actif", LAPSED: "Expiré"}


def today() -> datetime.date:
    return timezone.localdate()


def current_charter(at: datetime.datetime | None = None) -> CharterVersion | None:
    """The latest published version, which every provider must have accepted."""
    at = at or timezone.now()
    return CharterVersion.objects.filter(published_at__lte=at).order_by("-version").first()


def _sponsored_on(day: datetime.date):
    return Exists(Sponsorship.objects.filter(provider=OuterRef("pk"), starts_on__lte=day, ends_on__gte=day))


def subscription_running_q(day: datetime.date) -> Q:
    """On Provider: a subscription exists, is not cancelled, and is free, paid, netted or sponsored on `day`."""
    not_cancelled = Q(subscription__cancelled_on__isnull=True) | Q(subscription__cancelled_on__gt=day)
    covered = (
        Q(subscription__trial_until__gte=day)
        | Q(subscription__covered_until__gte=day)
        | Q(subscription__payment_method=PaymentMethod.NETTING)
        | Q(_sponsored_on(day))
    )
    return Q(subscription__isnull=False) & not_cancelled & covered


def labelled_providers(day: datetime.date | None = None) -> QuerySet[Provider]:
    day = day or today()
    charter = current_charter()
    if charter is None:
        return Provider.objects.none()
    accepted = Exists(CharterAcceptance.objects.filter(provider=OuterRef("pk"), version=charter))
    return Provider.objects.filter(Q(status=ProviderStatus.QUALIFIED) & Q(accepted) & subscription_running_q(day))


def is_labelled(provider: Provider, day: datetime.date | None = None) -> bool:
    return labelled_providers(day).filter(pk=provider.pk).exists()


def subscription_state(provider: Provider, day: datetime.date | None = None) -> str | None:
    """trial, active or lapsed; None without a subscription."""
    day = day or today()
    subscription = getattr(provider, "subscription", None)
    if subscription is None:
        return None
    if Provider.objects.filter(pk=provider.pk).filter(subscription_running_q(day)).exists():
        return TRIAL if subscription.trial_until >= day and not subscription.cancelled_on else ACTIVE
    return LAPSED


def has_accepted_current_charter(provider: Provider) -> bool:
    charter = current_charter()
    return charter is not None and provider.charter_acceptances.filter(version=charter).exists()
