"""The quality questionnaire in the provider's space, and the staff's review."""

import pytest
from django.core import mail
from django.urls import reverse

from aptic.core.errors import AccessDenied, DomainError
from aptic.core.tests.helpers import text
from aptic.providers import selectors, services
from aptic.providers.models import ProviderEvent, Submission, SubmissionAnswer

from .factories import as_post, best_answers, make_questionnaire, worst_answers


def url(provider):
    return reverse("providers:questionnaire", kwargs={"org_slug": provider.organisation.slug})


def review_url(submission):
    return reverse("providers:review", kwargs={"pk": submission.pk})


def written():
    return (Submission.objects.count(), SubmissionAnswer.objects.count(), ProviderEvent.objects.count())


@pytest.fixture
def questionnaire(db):
    return selectors.active_questionnaire()


@pytest.fixture
def under_review(structure, structure_admin, questionnaire):
    submission = services.submission_create(
        provider=structure, answers=best_answers(questionnaire), user=structure_admin
    )
    structure.refresh_from_db()
    return submission


def test_questions_are_grouped_by_theme_in_fieldsets(client, structure, structure_admin, questionnaire):
    client.force_login(structure_admin)
    html = text(client.get(url(structure)))
    for theme in ["Aptitudes", "Publics", "Territoires", "Innovation", "Compétences spécifiques"]:
        assert f"<legend>{theme}</legend>" in html
    assert "<legend>Combien de médiateurs numériques formés accueillent le public ?</legend>" in html
    assert 'type="radio"' in html


def test_below_the_threshold_the_structure_stays_pending_and_may_answer_again(
    client, structure, structure_admin, questionnaire
):
    client.force_login(structure_admin)
    response = client.post(url(structure), as_post(worst_answers(questionnaire)), follow=True)
    assert "sous le seuil de 60\xa0%" in text(response)
    structure.refresh_from_db()
    assert structure.status == "pending"
    submission = Submission.objects.get()
    assert submission.outcome == "below" and submission.score == 0 and submission.max_score == 62
    assert submission.answers.count() == questionnaire.questions.count()
    assert ProviderEvent.objects.filter(provider=structure).count() == 1  # no change of status, no event
    response = client.post(url(structure), as_post(best_answers(questionnaire)), follow=True)
    assert "atteint le seuil" in text(response)


def test_at_the_threshold_the_structure_goes_to_review_with_an_event(client, structure, structure_admin, questionnaire):
    client.force_login(structure_admin)
    client.post(url(structure), as_post(best_answers(questionnaire)))
    structure.refresh_from_db()
    assert structure.status == "review"
    submission = Submission.objects.get()
    assert submission.outcome == "to_review" and submission.score_percent == 100
    event = structure.events.last()
    assert (event.from_status, event.to_status, event.actor) == ("pending", "review", structure_admin)
    assert "100\xa0%" in event.reason and "seuil 60\xa0%" in event.reason
    page = text(client.get(url(structure)))
    assert "en cours d'examen" in page and "Aptitudes" in page and "21" in page


def test_an_incomplete_questionnaire_is_refused(client, structure, structure_admin, questionnaire):
    client.force_login(structure_admin)
    answers = as_post(best_answers(questionnaire))
    answers.pop(next(iter(answers)))
    before = written()
    response = client.post(url(structure), answers)
    assert response.status_code == 400
    assert "Répondez à cette question." in text(response)
    assert "1 question sans réponse valide" in text(response)
    assert written() == before


def test_an_option_of_another_question_is_refused(client, structure, structure_admin, questionnaire):
    client.force_login(structure_admin)
    answers = best_answers(questionnaire)
    first, second = list(answers)[:2]
    answers[first] = answers[second]
    before = written()
    response = client.post(url(structure), as_post(answers))
    assert response.status_code == 400
    assert "Choisissez l'une des réponses proposées." in text(response)
    assert written() == before


@pytest.mark.parametrize("forged", ["999999", str(10**30), "abc", "-1", ""])
def test_forged_option_ids_are_refused(client, structure, structure_admin, questionnaire, forged):
    client.force_login(structure_admin)
    answers = as_post(best_answers(questionnaire))
    answers[next(iter(answers))] = forged
    answers["q999999"] = "1"  # a question of no questionnaire: ignored by the form
    before = written()
    response = client.post(url(structure), answers)
    assert response.status_code == 400
    assert written() == before


def test_the_service_refuses_forged_questions_and_options(structure, structure_admin, questionnaire):
    answers = best_answers(questionnaire)
    for forged, message in [
        ({**answers, 999999: 1}, "ne fait pas partie du questionnaire"),
        ({**answers, next(iter(answers)): 10**30}, "n'en fait pas partie"),
        (dict.fromkeys(answers, "x"), "illisible"),
        ([1, 2], "illisibles"),
        ({}, "Répondez à toutes les questions"),
    ]:
        with pytest.raises(DomainError, match=message):
            services.submission_create(provider=structure, answers=forged, user=structure_admin)
    assert not Submission.objects.exists()


def test_submitting_while_under_review_is_refused(client, structure, structure_admin, under_review, questionnaire):
    client.force_login(structure_admin)
    before = written()
    response = client.post(url(structure), as_post(best_answers(questionnaire)))
    assert response.status_code == 400
    assert "en cours d'examen par l'équipe #APTIC" in text(response)
    assert written() == before


def test_a_qualified_structure_cannot_answer_again(qualified, qualified_admin, questionnaire):
    with pytest.raises(DomainError, match="déjà qualifiée"):
        services.submission_create(provider=qualified, answers=best_answers(questionnaire), user=qualified_admin)


def test_a_member_cannot_submit(client, structure, structure_member, questionnaire):
    client.force_login(structure_member)
    assert "Un administrateur de votre structure peut répondre" in text(client.get(url(structure)))
    response = client.post(url(structure), as_post(best_answers(questionnaire)))
    assert response.status_code == 403
    assert "réservée aux administrateurs" in text(response)
    assert not Submission.objects.exists()
    with pytest.raises(AccessDenied):
        services.submission_create(provider=structure, answers=best_answers(questionnaire), user=structure_member)


def test_without_an_active_questionnaire_the_page_says_so(client, structure, structure_admin, questionnaire):
    questionnaire.is_active = False
    questionnaire.save()
    client.force_login(structure_admin)
    assert "n'est pas disponible" in text(client.get(url(structure)))
    response = client.post(url(structure), {}, follow=True)
    assert "n'est pas disponible" in text(response) and not Submission.objects.exists()


# --- Staff review -----------------------------------------------------------------------------


def test_staff_see_what_to_review_and_approve(
    client, structure, structure_admin, under_review, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    listing = text(client.get(reverse("providers:review_list")))
    assert structure.organisation.name in listing
    page = text(client.get(review_url(under_review)))
    assert "Combien de médiateurs numériques formés accueillent le public ?" in page
    assert "Quatre ou plus" in page and "Compétences spécifiques" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(review_url(under_review), {"decision": "approve", "reason": ""})
    assert response.status_code == 302
    structure.refresh_from_db()
    assert structure.status == "qualified" and structure.qualified_at is not None
    event = structure.events.last()
    assert (event.from_status, event.to_status, event.actor) == ("review", "qualified", staff)
    assert mail.outbox[-1].to == [structure_admin.email]
    assert "est qualifiée" in mail.outbox[-1].subject
    assert "/qualification/" in mail.outbox[-1].body
    decisions = text(client.get(reverse("providers:review_list")))
    assert "Aucun questionnaire n'attend d'examen." in decisions and "Qualifiée" in decisions


def test_a_rejection_needs_a_reason(client, structure, under_review, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(review_url(under_review), {"decision": "reject", "reason": "   "})
    assert response.status_code == 400
    assert "Indiquez le motif du refus" in text(response)
    under_review.refresh_from_db()
    structure.refresh_from_db()
    assert under_review.outcome == "to_review" and structure.status == "review"
    assert mail.outbox == []


def test_a_rejected_structure_reads_the_reason_and_answers_again(
    client, structure, structure_admin, under_review, staff, questionnaire, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    reason = "Aucun médiateur formé n'est présent le samedi, contrairement à vos réponses."
    with django_capture_on_commit_callbacks(execute=True):
        client.post(review_url(under_review), {"decision": "reject", "reason": reason})
    structure.refresh_from_db()
    assert structure.status == "rejected"
    assert reason in mail.outbox[-1].body and "non qualifiée" in mail.outbox[-1].subject
    client.force_login(structure_admin)
    page = text(client.get(url(structure)))
    assert reason in page and "Qualification refusée" in page
    response = client.post(url(structure), as_post(worst_answers(questionnaire)))
    assert response.status_code == 302
    structure.refresh_from_db()
    assert structure.status == "pending"  # below the threshold after a refusal: back to pending
    assert list(structure.events.values_list("to_status", flat=True)) == ["pending", "review", "rejected", "pending"]


def test_a_decision_is_taken_once(client, under_review, staff):
    client.force_login(staff)
    client.post(review_url(under_review), {"decision": "approve"})
    response = client.post(review_url(under_review), {"decision": "reject", "reason": "Trop tard"})
    assert response.status_code == 400
    assert "déjà été examinée" in text(response)
    under_review.refresh_from_db()
    assert under_review.outcome == "approved"


@pytest.mark.parametrize("data", [{}, {"decision": "peut-être"}, {"decision": "approve", "reason": "x" * 5001}])
def test_bad_review_input_is_refused(client, under_review, staff, data):
    client.force_login(staff)
    response = client.post(review_url(under_review), data)
    assert response.status_code == 400
    under_review.refresh_from_db()
    assert under_review.outcome == "to_review"


def test_review_pages_are_for_staff_only(client, structure_admin, under_review):
    client.force_login(structure_admin)
    for page in [reverse("providers:review_list"), review_url(under_review)]:
        response = client.get(page)
        assert response.status_code == 403 and "réservée à l'équipe #APTIC" in text(response)
    assert client.post(review_url(under_review), {"decision": "approve"}).status_code == 403
    with pytest.raises(AccessDenied):
        services.submission_review(submission=under_review, reviewer=structure_admin, approve=True, reason="")
    under_review.refresh_from_db()
    assert under_review.outcome == "to_review"
    client.logout()
    assert client.get(reverse("providers:review_list")).status_code == 302


@pytest.mark.parametrize("pk", [999999, 10**30])
def test_an_unknown_submission_is_not_found(client, staff, pk):
    client.force_login(staff)
    assert client.get(reverse("providers:review", kwargs={"pk": pk})).status_code == 404


def test_the_review_of_a_made_up_questionnaire_is_scored_per_theme(structure, structure_admin):
    questionnaire = make_questionnaire([("alpha", 2, [0, 1, 3]), ("alpha", 1, [0, 2]), ("beta", 3, [0, 1])])
    question_ids = list(questionnaire.questions.order_by("position").values_list("pk", flat=True))
    options = {q: list(questionnaire.questions.get(pk=q).options.values_list("pk", flat=True)) for q in question_ids}
    answers = {question_ids[0]: options[question_ids[0]][1], question_ids[1]: options[question_ids[1]][1]}
    answers[question_ids[2]] = options[question_ids[2]][0]
    submission = services.submission_create(provider=structure, answers=answers, user=structure_admin)
    # alpha: 1×2 + 2×1 = 4 of 3×2 + 2×1 = 8; beta: 0 of 3; total 4 of 11 = 36.3636… → 36.36
    assert submission.theme_scores["alpha"]["score"] == 4 and submission.theme_scores["alpha"]["max"] == 8
    assert submission.theme_scores["beta"] == {"name": "Beta", "position": 12, "score": 0, "max": 3, "percent": "0.00"}
    assert (submission.score, submission.max_score, str(submission.score_percent)) == (4, 11, "36.36")
    assert [row.name for row in selectors.theme_rows(submission)] == ["Alpha", "Beta"]
