"""The audit journal: append-only in the database, read on a staff page with filters in the URL."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from aptic.audit.models import AuditAction, AuditEvent
from aptic.audit.services import audit_record
from aptic.core.tests.factories import OrganisationFactory, UserFactory
from aptic.core.tests.helpers import text

URL = "/equipe/journal/"


def rows(response) -> str:
    """The table's rows only (the filter's options also name every action)."""
    page = text(response)
    return page[page.index("<tbody>") : page.index("</tbody>")]


@pytest.fixture
def journal(db, staff):
    other = UserFactory(is_staff=True, full_name="Dominique Autre")
    funder = OrganisationFactory(kind="funder", name="Département du Journal")
    events = [
        audit_record(actor=staff, action=AuditAction.QUOTE_CANCELLED, target=funder, organisation=funder),
        audit_record(actor=other, action=AuditAction.RUN_APPROVED, details={"reason": "ok"}),
        audit_record(actor=None, action=AuditAction.PLACES_IMPORTED, details={"file": "lieux.csv"}),
    ]
    return {"staff": staff, "other": other, "funder": funder, "events": events}


def test_audit_record_snapshots_labels(journal, staff):
    event = journal["events"][0]
    assert event.actor == staff and event.actor_label == f"Camille Équipe <{staff.email}>"
    assert event.action_label == "Devis annulé"
    assert event.target_label == "Département du Journal" and event.target_id == str(journal["funder"].pk)
    assert journal["events"][2].actor_label == "Tâche automatique"
    with pytest.raises(ValueError):
        audit_record(actor=staff, action="quote.invented")


def test_the_database_refuses_to_update_an_event(journal):
    event = journal["events"][0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor_label="Quelqu'un d'autre")
    with pytest.raises(DatabaseError), transaction.atomic():
        event.details = {"reason": "réécrit"}
        event.save()
    event.refresh_from_db()
    assert event.actor_label.startswith("Camille Équipe") and event.details == {}


@pytest.mark.postgres
def test_the_database_refuses_to_delete_an_event_on_postgresql(journal):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=journal["events"][0].pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 3


def test_a_user_who_acted_cannot_be_deleted(journal):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        journal["other"].delete()


def test_staff_read_the_journal_newest_first(client, journal):
    client.force_login(journal["staff"])
    response = client.get(URL)
    assert response.status_code == 200
    page = rows(response)
    assert page.index("Lieux importés") < page.index("Virement approuvé") < page.index("Devis annulé")
    assert "Tâche automatique" in page and "Dominique Autre" in page and "Motif" in page
    assert 'href="/equipe/journal/"' in text(response)  # in the staff menu
    assert "style=" not in response.content.decode()


def test_filters_are_in_the_url(client, journal):
    client.force_login(journal["staff"])
    other, funder = journal["other"], journal["funder"]
    page = rows(client.get(URL, {"auteur": other.pk}))
    assert "Virement approuvé" in page and "Devis annulé" not in page
    page = rows(client.get(URL, {"action": "quote.cancelled"}))
    assert "Devis annulé" in page and "Virement approuvé" not in page
    page = rows(client.get(URL, {"organisation": funder.pk}))
    assert "Devis annulé" in page and "Lieux importés" not in page
    today = timezone.localdate()
    page = text(client.get(URL, {"du": today.isoformat(), "au": today.isoformat()}))
    assert "(3 au total)" in page
    tomorrow = today + datetime.timedelta(days=1)
    page = text(client.get(URL, {"du": tomorrow.isoformat()}))
    assert "Aucune action ne correspond" in page


@pytest.mark.parametrize(
    "params, message",
    [
        ({"auteur": "²"}, "Cet auteur n'existe pas"),
        ({"auteur": "99999999999999999999"}, "Cet auteur n'existe pas"),
        ({"action": "<script>"}, "Cette action n'existe pas"),
        ({"organisation": "-1"}, "Cette organisation n'est pas dans la liste"),
        ({"du": "31/02/2026"}, "Saisissez une date valide"),
        ({"du": "2026-12-06", "au": "2026-01-01"}, "La date de fin précède la date de début"),
        ({"page": "²"}, None),
        ({"page": "99999999999999999999999"}, None),
    ],
)
def test_bad_filters_get_a_french_message(client, journal, params, message):
    client.force_login(journal["staff"])
    response = client.get(URL, params)
    if message:
        assert response.status_code == 400 and message in text(response)
    else:
        assert response.status_code == 200


def test_the_journal_is_for_verified_staff_only(client, journal, funder_admin):
    client.force_login(funder_admin)
    assert client.get(URL).status_code == 403
    unverified = UserFactory(is_staff=True, otp_device=False)
    client.force_login(unverified)
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:two_factor_enrol"))


def test_the_journal_reads_labels_not_codes_and_leaves_empty_details_out(staff):
    """Found in review: "Type monthly" and an empty "Motif" in the journal."""
    audit_record(actor=staff, action=AuditAction.RUN_CANCELLED, details={"reason": "", "kind": "Mensuel"})
    assert AuditEvent.objects.get().details_display() == [("Type", "Mensuel")]


def test_the_journal_writes_numbers_and_dates_the_french_way(staff):
    """Found in review: "Carnets 5000" and "Posté le 2026-12-02"."""
    audit_record(
        actor=staff,
        action=AuditAction.MAILING_MAILED,
        details={"booklets": 5000, "mailed_on": datetime.date(2026, 12, 2), "vouchers": [12, 1500]},
    )
    # As a dict: PostgreSQL's jsonb keeps its own key order.
    assert dict(AuditEvent.objects.get().details_display()) == {
        "Carnets": "5\u202f000",
        "Posté le": "02/12/2026",
        "Chèques": "12, 1\u202f500",
    }
