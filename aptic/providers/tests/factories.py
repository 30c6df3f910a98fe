"""Factories for the provider's journey; organisations, people and communes come from core's factories."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from aptic.core.tests.factories import CommuneFactory, MembershipFactory, OrganisationFactory, UserFactory
from aptic.providers import models


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Provider
        skip_postgeneration_save = True

    organisation = factory.SubFactory(
        OrganisationFactory,
        kind="provider",
        name=factory.Sequence(lambda n: f"Fablab numéro {n}"),
        commune=factory.SubFactory(CommuneFactory),
    )
    status = "pending"
    qualified_at = factory.LazyAttribute(lambda o: timezone.now() if o.status == "qualified" else None)

    @factory.post_generation
    def opening_event(obj, create, extracted, **kwargs):
        # As provider_create does: the history starts with the structure's first status.
        if create:
            models.ProviderEvent.objects.create(provider=obj, to_status=obj.status)


def admin_of(provider: models.Provider, **kwargs):
    return MembershipFactory(organisation=provider.organisation, role="admin", **kwargs).user


def member_of(provider: models.Provider, **kwargs):
    return MembershipFactory(organisation=provider.organisation, role="member", **kwargs).user


class CharterVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CharterVersion

    version = factory.Sequence(lambda n: n + 2)  # version 1 comes with the migrations
    title = factory.LazyAttribute(lambda o: f"Charte #APTIC, version {o.version}")
    body = "Article 1 — La structure accueille tous les publics."
    published_at = factory.LazyFunction(timezone.now)


def accept_charter(provider: models.Provider, version: models.CharterVersion | None = None) -> models.CharterAcceptance:
    from aptic.providers.selectors import current_charter

    return models.CharterAcceptance.objects.create(
        provider=provider, version=version or current_charter(), accepted_by=UserFactory()
    )


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Subscription

    provider = factory.SubFactory(ProviderFactory, status="qualified")
    plan = "monthly"
    payment_method = "transfer"
    price_cents = 700
    started_on = datetime.date(2027, 1, 15)
    trial_until = factory.LazyAttribute(lambda o: o.started_on + datetime.timedelta(days=31))


class KitShipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.KitShipment

    provider = factory.SubFactory(ProviderFactory, status="qualified")
    shipped_on = datetime.date(2027, 1, 20)
    tracking = "Colissimo 6A12345678901"
    recorded_by = factory.SubFactory(UserFactory, is_staff=True)


def make_questionnaire(spec, threshold="60") -> models.Questionnaire:
    """The only active questionnaire. spec: [(theme code, weight, [points of each option]), ...]."""
    models.Questionnaire.objects.update(is_active=False)
    questionnaire = models.Questionnaire.objects.create(
        name="Questionnaire de test", threshold_percent=Decimal(threshold), is_active=True
    )
    for n, (code, weight, points) in enumerate(spec):
        theme, _ = models.QualificationTheme.objects.get_or_create(
            code=code, defaults={"name": code.capitalize(), "position": 10 + n}
        )
        question = models.Question.objects.create(
            questionnaire=questionnaire, theme=theme, text=f"Question {n + 1} ({code}) ?", weight=weight, position=n
        )
        for m, p in enumerate(points):
            models.AnswerOption.objects.create(question=question, label=f"Réponse {m + 1}", points=p, position=m)
    return questionnaire


def best_answers(questionnaire: models.Questionnaire) -> dict[int, int]:
    return {q.pk: max(q.options.all(), key=lambda o: o.points).pk for q in questionnaire.questions.all()}


def worst_answers(questionnaire: models.Questionnaire) -> dict[int, int]:
    return {q.pk: min(q.options.all(), key=lambda o: o.points).pk for q in questionnaire.questions.all()}


def as_post(answers: dict[int, int]) -> dict[str, str]:
    return {f"q{question}": str(option) for question, option in answers.items()}
