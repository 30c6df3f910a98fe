"""The page shell: French, accessible landmarks, navigation by role, error pages."""

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from aptic.core.tests.factories import UserFactory
from aptic.core.tests.helpers import text


def test_home_page_speaks_to_each_kind_of_visitor(client, db):
    response = client.get("/")
    html = text(response)
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    for heading in [
        "Vous avez reçu des chèques #APTIC",
        "Vous financez l'inclusion numérique",
        "Vous distribuez des chèques",
        "Vous accompagnez au numérique",
    ]:
        assert heading in html
    assert reverse("accounts:login") in html


def test_shell_has_landmarks_and_skip_link(client, db):
    html = text(client.get("/"))
    assert '<a class="skip-link" href="#contenu">Aller au contenu</a>' in html
    assert 'role="banner"' in html and 'role="contentinfo"' in html
    assert '<main id="contenu"' in html
    assert 'aria-label="Navigation principale"' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def test_no_asset_comes_from_a_cdn(client, db):
    html = client.get("/").content.decode()
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not src.startswith(("http://", "https://", "//")), src
    assert client.get("/static/vendor/htmx/htmx.min.js").status_code == 200


def test_navigation_depends_on_role_and_kind(client, funder, funder_admin, funder_member, provider, provider_admin):
    client.force_login(funder_member)
    html = text(client.get(reverse("accounts:organisation_card", kwargs={"org_slug": funder.slug})))
    assert f'aria-label="Menu de l\'organisation {funder.name}"' in html
    assert ">Membres<" in html and "Membres et invitations" not in html and "Nos lieux" not in html
    assert "Back-office" not in html

    client.force_login(funder_admin)
    assert "Membres et invitations" in text(client.get(reverse("accounts:members", kwargs={"org_slug": funder.slug})))

    client.force_login(provider_admin)
    page = client.get(reverse("accounts:organisation", kwargs={"org_slug": provider.slug}), follow=True)
    assert page.redirect_chain[-1][0] == reverse("providers:dashboard", kwargs={"org_slug": provider.slug})
    for label in ["Nos lieux et services", "Qualification", "Charte", "Abonnement", "Clés d'API"]:
        assert label in text(page)


def test_staff_see_the_back_office_link(client, db):
    client.force_login(UserFactory(is_staff=True))
    assert "Back-office" in text(client.get(reverse("accounts:home")))


def test_french_404(client, db):
    response = client.get("/cette-page-nexiste-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in text(response)


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_french_500_without_leaking_details():
    from django.urls import path

    from aptic import urls

    def boom(request):
        raise RuntimeError("secret interne")

    boom.aptic_access = "public"
    boom.login_required = False
    urls.urlpatterns.append(path("__boom__/", boom))
    try:
        from django.urls import clear_url_caches

        clear_url_caches()
        response = Client(raise_request_exception=False).get("/__boom__/")
    finally:
        urls.urlpatterns.pop()
        clear_url_caches()
    assert response.status_code == 500
    body = text(response)
    assert "Une erreur est survenue" in body and "secret interne" not in body
    assert '<html lang="fr">' in body


def test_french_403_for_csrf_failure(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "a@b.fr", "password": "x"})
    assert response.status_code == 403
    assert "Le formulaire a expiré" in text(response)


def test_accessibility_statement(client, db):
    assert "RGAA" in text(client.get(reverse("site:accessibility")))


def test_first_field_in_error_gets_the_focus(client, funder, funder_admin):
    client.force_login(funder_admin)
    html = text(client.post(reverse("accounts:members", kwargs={"org_slug": funder.slug}), {"email": "", "role": "x"}))
    assert re.search(r'<input type="email" name="email"[^>]*autofocus', html)
    assert not re.search(r'<select name="role"[^>]*autofocus', html)
    assert "<title>Erreur : Membres" in html


def test_phone_menu_is_a_disclosure_button_over_menus_shown_without_javascript(client, funder_admin, funder):
    """One "Menu" button folds the menus on a phone (aptic/js/nav.js); it names what it controls, and
    the menus are in the page unhidden, so they show when the script does not run."""
    from django.contrib.staticfiles import finders

    client.force_login(funder_admin)
    html = client.get(reverse("accounts:organisation_card", kwargs={"org_slug": funder.slug})).content.decode()
    button = re.search(
        r'<button type="button" class="menu-toggle" aria-expanded="true" aria-controls="([^"]+)" hidden>', html
    )
    assert button, "no disclosure button"
    controlled = button.group(1).split()
    assert controlled == ["menu-site", "menu-organisation"]
    for panel in controlled:
        tag = re.search(rf'<[a-z]+ [^>]*id="{panel}"[^>]*>', html).group(0)
        assert "hidden" not in tag and "menu-panel" in tag
    assert '<script src="/static/aptic/js/nav.js" defer></script>' in html
    assert finders.find("aptic/js/nav.js")
