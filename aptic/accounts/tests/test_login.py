"""Logging in, brute-force lockout and password reset, as a person does it through the pages."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from aptic.core.tests.factories import PASSWORD, MembershipFactory
from aptic.core.tests.helpers import text

LOGIN = reverse("accounts:login")


@pytest.fixture(autouse=True)
def _axes_reset(db):
    from axes.utils import reset

    reset()


def post_login(client, email, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_login_with_email_any_case_goes_to_the_organisation_space(client, funder_admin, funder):
    response = post_login(client, funder_admin.email.upper(), PASSWORD)
    assert response.status_code == 302
    response = client.get(response.url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("funders:dashboard", kwargs={"org_slug": funder.slug})
    assert funder.name in text(response)


def test_login_page_is_french_and_labelled(client, db):
    html = text(client.get(LOGIN))
    assert '<html lang="fr">' in html
    assert re.search(r'<label for="id_username">Adresse e-mail', html)
    assert re.search(r'<label for="id_password">Mot de passe', html)


@pytest.mark.parametrize(
    "email,password,message",
    [
        ("", "", "Ce champ est obligatoire."),
        ("pas-une-adresse", "x", "Saisissez une adresse e-mail valide"),
        ("a" * 300 + "@exemple.fr", "x", "Assurez-vous que cette valeur comporte au plus 254 caractères"),
        ("personne@exemple.fr\x00", "x", "Le caractère nul n’est pas autorisé."),
        ("' OR 1=1 --@exemple.fr", "' OR '1'='1", "Saisissez une adresse e-mail valide"),
        ("admin@exemple.fr", "' OR '1'='1", "Adresse e-mail ou mot de passe incorrect."),
        ("inconnu@exemple.fr", "x" * 5000, "Assurez-vous que cette valeur comporte au plus 4096 caractères"),
        ("inconnu@exemple.fr", "mauvais", "Adresse e-mail ou mot de passe incorrect."),
    ],
)
def test_bad_login_input_gets_a_french_message(client, funder_admin, email, password, message):
    response = post_login(client, email, password)
    assert response.status_code == 200
    assert message in text(response)
    assert "_auth_user_id" not in client.session


def test_login_with_undecodable_bytes_is_not_a_500(client, db):
    response = client.generic(
        "POST", LOGIN, b"username=%ff%fe%00&password=%c3%28", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (200, 400, 403)


def test_account_is_locked_after_five_failures_even_from_different_addresses(client, funder_admin):
    for n in range(5):
        post_login(client, funder_admin.email, "mauvais", ip=f"10.0.1.{n}")
    response = post_login(client, funder_admin.email, PASSWORD, ip="10.0.1.99")
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in text(response)
    assert "bloquée pendant 30 minutes." in text(response)
    assert "_auth_user_id" not in client.session


def spellings(email):
    """Ways of typing one address that all log in: letter case and surrounding spaces."""
    local, domain = email.split("@")
    return [email.upper(), email.title(), f"  {email} ", f"{local.upper()}@{domain}", f"{local}@{domain.upper()}"]


def test_every_spelling_of_an_address_logs_in(client, funder_admin):
    for spelling in spellings(funder_admin.email):
        client.logout()
        assert post_login(client, spelling, PASSWORD).status_code == 302, spelling


def test_failures_in_any_letter_case_count_against_one_account(client, funder_admin):
    """The review's attack: failures spread over spellings and addresses, then the right password."""
    typed = spellings(funder_admin.email)
    statuses = [post_login(client, typed[n], "mauvais", ip=f"10.0.3.{n}").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks
    for n, spelling in enumerate([*typed, funder_admin.email]):
        response = post_login(client, spelling, PASSWORD, ip=f"10.0.4.{n}")
        assert response.status_code == 429, spelling
        assert "_auth_user_id" not in client.session


def test_back_office_failures_in_any_letter_case_count_against_one_account(client, staff):
    url = reverse("admin:login")
    typed = spellings(staff.email)
    statuses = [
        client.post(url, {"username": typed[n], "password": "mauvais"}, REMOTE_ADDR=f"10.0.5.{n}").status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    response = client.post(url, {"username": staff.email.upper(), "password": PASSWORD}, REMOTE_ADDR="10.0.5.99")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Counted with the site's login page: the same account is locked there too.
    assert post_login(client, staff.email, PASSWORD, ip="10.0.5.98").status_code == 429


def test_failures_on_one_account_do_not_lock_the_others_behind_the_same_address(client, funder_admin, funder):
    """A library's or a France Services' staff share one address: one person's mistakes lock only them."""
    other = MembershipFactory(organisation=funder).user
    for _ in range(5):
        post_login(client, funder_admin.email, "mauvais", ip="10.0.2.1")
    assert post_login(client, funder_admin.email, PASSWORD, ip="10.0.2.1").status_code == 429
    assert post_login(client, other.email, PASSWORD, ip="10.0.2.1").status_code == 302


def test_an_address_alone_is_locked_at_its_own_higher_limit(client, funder_admin, settings):
    settings.APTIC_LOGIN_ADDRESS_FAILURE_LIMIT = 12
    assert settings.APTIC_LOGIN_ADDRESS_FAILURE_LIMIT > settings.APTIC_LOGIN_FAILURE_LIMIT
    for n in range(11):
        post_login(client, f"inconnu{n}@exemple.fr", "mauvais", ip="10.0.6.1")
    assert post_login(client, funder_admin.email, PASSWORD, ip="10.0.6.1").status_code == 302
    client.logout()
    post_login(client, "inconnu99@exemple.fr", "mauvais", ip="10.0.6.1")  # the twelfth failure
    response = post_login(client, funder_admin.email, PASSWORD, ip="10.0.6.1")
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    # Another address can still log in to that account.
    assert post_login(client, funder_admin.email, PASSWORD, ip="10.0.6.2").status_code == 302


def test_the_default_address_limit_is_much_higher_than_the_accounts():
    from aptic import settings as production_settings

    assert production_settings.APTIC_LOGIN_ADDRESS_FAILURE_LIMIT >= 10 * production_settings.APTIC_LOGIN_FAILURE_LIMIT


def test_password_reset_by_email_then_login_with_the_new_password(client, funder_admin):
    response = client.post(reverse("accounts:password_reset"), {"email": funder_admin.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "nouveau mot de passe" in body
    link = re.search(r"http://testserver(/compte/mot-de-passe/nouveau/\S+/)", body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choisissez un nouveau mot de passe" in text(form_page)
    new = "une-autre-phrase-secrete"
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    client.logout()
    assert post_login(client, funder_admin.email, new).status_code == 302


def test_password_reset_for_unknown_address_says_the_same_and_sends_nothing(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "personne@inconnu.fr"}, follow=True)
    assert "Vérifiez votre messagerie" in text(response)
    assert mail.outbox == []


def test_logout_needs_post_and_ends_the_session(client, funder_admin):
    client.force_login(funder_admin)
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_production_hasher_is_argon2():
    from aptic import settings as production_settings

    assert production_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_member_of_two_organisations_chooses_in_my_space(client, funder_admin, provider):
    MembershipFactory(user=funder_admin, organisation=provider)
    client.force_login(funder_admin)
    html = text(client.get(reverse("accounts:home")))
    assert provider.name in html and "Mes organisations" in html


def test_wrong_password_error_is_announced_and_tied_to_the_fields(client, funder_admin):
    html = text(post_login(client, funder_admin.email, "mauvais"))
    assert '<div id="erreur-connexion" class="errorlist nonfield" role="alert">' in html
    assert html.count('aria-describedby="erreur-connexion"') == 2
    assert "<title>Erreur : Connexion" in html


def test_password_reset_form_says_adresse_e_mail(client, db):
    assert '<label for="id_email">Adresse e-mail' in text(client.get(reverse("accounts:password_reset")))
