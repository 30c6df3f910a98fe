"""Password reset e-mails are limited per address and per target address, without saying whether an
account exists (issue #12)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from aptic.core.tests.helpers import text

URL = reverse("accounts:password_reset")
REFUSED = "Plusieurs demandes de nouveau mot de passe ont déjà été faites depuis cette connexion"


def ask(client, email, ip="10.2.0.1"):
    return client.post(URL, {"email": email}, REMOTE_ADDR=ip)


def test_one_account_receives_at_most_its_limit_of_e_mails(client, funder_admin, settings):
    assert settings.APTIC_PASSWORD_RESET_THROTTLE["per_email"] == 3
    for n in range(3):
        assert ask(client, funder_admin.email, ip=f"10.2.1.{n}").status_code == 302
    response = ask(client, funder_admin.email.upper(), ip="10.2.1.9")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert REFUSED in text(response) and "Réessayez dans" in text(response)
    assert len(mail.outbox) == 3


def test_the_refusal_is_the_same_whether_the_account_exists_or_not(client, funder_admin):
    answers = []
    for email in (funder_admin.email, "personne@inconnu.fr"):
        statuses = [ask(client, email, ip=f"10.2.2.{n}").status_code for n in range(3)]
        assert statuses == [302, 302, 302]
        response = ask(client, email, ip="10.2.2.9")
        error = re.search(r'class="errorlist nonfield"[^>]*>(.*?)</ul>', text(response), re.S).group(1)
        answers.append((response.status_code, re.sub(r"\d+", "N", error)))  # the same but for the wait
    assert answers[0] == answers[1] and answers[0][0] == 429


def test_one_address_sends_at_most_its_limit_of_requests(client, db, settings):
    assert settings.APTIC_PASSWORD_RESET_THROTTLE["per_address"] == 10
    for n in range(10):
        assert ask(client, f"personne{n}@exemple.fr").status_code == 302
    assert ask(client, "personne10@exemple.fr").status_code == 429
    assert ask(client, "personne10@exemple.fr", ip="10.2.0.2").status_code == 302


def test_a_typo_does_not_count(client, funder_admin):
    for _ in range(12):
        assert ask(client, "pas-une-adresse").status_code == 200
    for _ in range(3):
        assert ask(client, funder_admin.email).status_code == 302
    assert len(mail.outbox) == 3


@pytest.mark.parametrize("email", ["Personne@Exemple.fr", "personne@exemple.fr "])
def test_spellings_of_one_address_share_its_limit(client, db, email):
    for _ in range(3):
        ask(client, "personne@exemple.fr", ip="10.2.3.1")
    assert ask(client, email, ip="10.2.3.2").status_code == 429
