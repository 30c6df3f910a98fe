"""The back office, in French: every providers model registered, histories read-only, the kit
recorded through its service, one questionnaire in service."""

import pytest
from django.contrib import admin
from django.urls import reverse

from aptic.core.tests.factories import UserFactory
from aptic.core.tests.helpers import text
from aptic.providers import models, selectors, services
from aptic.providers.models import KitShipment, Questionnaire

from .factories import SubscriptionFactory, accept_charter, best_answers

READ_ONLY = [
    models.ProviderEvent,
    models.Submission,
    models.SubmissionAnswer,
    models.CharterAcceptance,
    models.Subscription,
    models.Sponsorship,
]


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


def admin_url(model, action, *args):
    return reverse(f"admin:providers_{model._meta.model_name}_{action}", args=args)


def test_every_providers_model_is_registered():
    from django.apps import apps

    for model in apps.get_app_config("providers").get_models():
        assert admin.site.is_registered(model), model


def test_every_list_and_page_opens(client, superuser, structure, structure_admin, staff):
    submission = services.submission_create(
        provider=structure, answers=best_answers(selectors.active_questionnaire()), user=structure_admin
    )
    accept_charter(structure)
    subscription = SubscriptionFactory(provider=structure)
    client.force_login(superuser)
    html = text(client.get(reverse("admin:index")))
    assert "Structures de médiation numérique" in html and "Questionnaires qualité" in html
    for model in admin.site._registry:
        if model._meta.app_label == "providers":
            assert client.get(admin_url(model, "changelist")).status_code == 200, model
    for obj in [structure, submission, subscription, selectors.current_charter(), selectors.active_questionnaire()]:
        assert client.get(admin_url(type(obj), "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", READ_ONLY)
def test_histories_are_read_only(client, superuser, model):
    client.force_login(superuser)
    assert client.get(admin_url(model, "add")).status_code == 403
    model_admin = admin.site._registry[model]
    assert not model_admin.has_change_permission(None) and not model_admin.has_delete_permission(None)


def test_a_structures_status_cannot_be_edited(client, superuser, structure):
    client.force_login(superuser)
    html = text(client.get(admin_url(models.Provider, "change", structure.pk)))
    assert 'name="status"' not in html and 'name="typology"' in html


def test_only_one_questionnaire_in_service(client, superuser):
    client.force_login(superuser)
    response = client.post(
        admin_url(Questionnaire, "add"),
        {
            "name": "Deuxième questionnaire",
            "threshold_percent": "50",
            "is_active": "on",
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "est déjà en service : désactivez-le d'abord" in text(response)
    assert Questionnaire.objects.count() == 1


def test_the_kit_is_recorded_through_the_service(client, superuser, staff):
    subscription = SubscriptionFactory()
    client.force_login(superuser)
    response = client.post(
        admin_url(KitShipment, "add"),
        {"provider": subscription.provider.pk, "shipped_on": "01/01/2026", "tracking": "  Colissimo   6A1 "},
    )
    assert response.status_code == 302
    kit = KitShipment.objects.get()
    assert (kit.tracking, kit.recorded_by) == ("Colissimo 6A1", superuser)


def test_the_kit_of_a_structure_without_subscription_is_refused_in_the_admin(client, superuser, qualified):
    client.force_login(superuser)
    response = client.post(admin_url(KitShipment, "add"), {"provider": qualified.pk, "shipped_on": "01/01/2026"})
    assert response.status_code == 200
    assert "n'a pas d'abonnement" in text(response)
    assert not KitShipment.objects.exists()


def test_an_accepted_charter_text_is_frozen(client, superuser, structure):
    accept_charter(structure)
    client.force_login(superuser)
    html = text(client.get(admin_url(models.CharterVersion, "change", selectors.current_charter().pk)))
    assert 'name="body"' not in html
