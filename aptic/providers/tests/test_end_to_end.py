"""Issue #3, "Done when": a structure goes from its request to labelled through the web pages alone."""

import re

from django.core import mail
from django.urls import reverse

from aptic.accounts.models import Membership
from aptic.core.tests.factories import UserFactory
from aptic.core.tests.helpers import text
from aptic.providers import selectors
from aptic.providers.models import Provider, Submission

from .factories import as_post, best_answers

SIRET = "732 829 320 00074"
EMAIL = "Direction@Fablab-Forez.fr"
PASSWORD = "une-phrase-de-passe-solide"


def invitation_link() -> str:
    return re.search(r"http://127\.0\.0\.1:8000(/invitation/\S+/)", mail.outbox[-1].body).group(1)


def test_from_request_to_labelled_through_the_pages(client, commune, vocabulary, django_capture_on_commit_callbacks):
    # 1. The public eligibility request.
    form = client.get(reverse("providers:apply"))
    assert form.status_code == 200 and "Numéro SIRET" in text(form)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("providers:apply"),
            {
                "siret": SIRET,
                "name": "Fablab du Forez",
                "address": "12 rue Pierre Termier",
                "commune": commune.label,
                "typology": vocabulary_id("fablab"),
                "legal_category": "association",
                "contact_name": "Inès Roux",
                "email": EMAIL,
                "phone": "04 77 12 34 56",
                "website": "",
            },
        )
    assert response.status_code == 302 and response.url == reverse("providers:apply_done")
    done = text(client.get(response.url))
    assert "Fablab du Forez" in done and "direction@fablab-forez.fr" in done
    provider = Provider.objects.select_related("organisation").get(organisation__siret="73282932000074")
    assert provider.status == "pending" and provider.contact_name == "Inès Roux"
    assert provider.organisation.phone == "+33477123456" and provider.typology.code == "fablab"

    # 2. The invitation e-mail: the contact person chooses a password and becomes the administrator.
    assert mail.outbox[-1].to == ["direction@fablab-forez.fr"]
    link = invitation_link()
    response = client.post(link, {"full_name": "Inès Roux", "password": PASSWORD, "password_confirm": PASSWORD})
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="direction@fablab-forez.fr")
    assert membership.organisation_id == provider.pk and membership.role == "admin"
    slug = provider.organisation.slug
    client.logout()
    response = client.post(reverse("accounts:login"), {"username": EMAIL, "password": PASSWORD})
    assert response.status_code == 302

    # 3. The quality questionnaire, answered above the threshold.
    url = reverse("providers:questionnaire", kwargs={"org_slug": slug})
    page = text(client.get(url))
    for theme in ["Aptitudes", "Publics", "Territoires", "Innovation", "Compétences spécifiques"]:
        assert theme in page
    response = client.post(url, as_post(best_answers(selectors.active_questionnaire())), follow=True)
    assert "atteint le seuil" in text(response)
    provider.refresh_from_db()
    assert provider.status == "review"

    # 4. A staff member approves on the staff page; the administrator is told by e-mail.
    client.logout()
    client.force_login(UserFactory(is_staff=True))
    review_list = text(client.get(reverse("providers:review_list")))
    assert "Fablab du Forez" in review_list
    submission = Submission.objects.get(provider=provider)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("providers:review", kwargs={"pk": submission.pk}), {"decision": "approve"})
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["direction@fablab-forez.fr"]
    assert "qualifiée" in mail.outbox[-1].subject
    provider.refresh_from_db()
    assert provider.status == "qualified" and provider.qualified_at is not None

    # 5. The charter, accepted by the administrator.
    client.logout()
    client.post(reverse("accounts:login"), {"username": EMAIL, "password": PASSWORD})
    charter_url = reverse("providers:charter", kwargs={"org_slug": slug})
    assert "Charte #APTIC et conditions générales d'utilisation" in text(client.get(charter_url))
    current = selectors.current_charter()
    response = client.post(charter_url, {"version": current.pk, "accept": "on"})
    assert response.status_code == 302
    assert selectors.has_accepted_current_charter(provider)
    assert not selectors.is_labelled(provider)

    # 6. The subscription; the structure is labelled and its dashboard says so.
    response = client.post(
        reverse("providers:subscription", kwargs={"org_slug": slug}),
        {"plan": "yearly", "payment_method": "transfer"},
    )
    assert response.status_code == 302
    assert selectors.is_labelled(provider)
    dashboard = text(client.get(reverse("providers:dashboard", kwargs={"org_slug": slug})))
    assert "Labellisée #APTIC : oui" in dashboard
    assert "Mois gratuit" in dashboard


def vocabulary_id(code: str) -> int:
    from aptic.vocabulary.models import PlaceTypology

    return PlaceTypology.objects.get(code=code).pk
