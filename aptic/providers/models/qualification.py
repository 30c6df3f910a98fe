"""The quality questionnaire: its content is data that staff edit; each submission keeps its scores."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .structure import Provider


class QualificationTheme(models.Model):
    """One of the five themes of the brief: Aptitudes, Publics, Territoires, Innovation, Compétences spécifiques."""

    code = models.SlugField("code", max_length=40, unique=True)
    name = models.CharField("nom", max_length=100)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "thème qualité"
        verbose_name_plural = "thèmes qualité"
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Questionnaire(models.Model):
    name = models.CharField("nom", max_length=150)
    threshold_percent = models.DecimalField(
        "seuil de qualification (%)",
        max_digits=5,
        decimal_places=2,
        help_text="Part du score maximal à atteindre pour passer à l'examen par l'équipe.",
    )
    is_active = models.BooleanField("questionnaire en service", default=False)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "questionnaire qualité"
        verbose_name_plural = "questionnaires qualité"
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="questionnaire_one_active"
            ),
            models.CheckConstraint(
                condition=models.Q(threshold_percent__gte=0, threshold_percent__lte=100),
                name="questionnaire_threshold_percent",
            ),
        ]

    def __str__(self):
        return self.name


class Question(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    theme = models.ForeignKey(QualificationTheme, verbose_name="thème", on_delete=models.PROTECT)
    text = models.CharField("question", max_length=300)
    help_text = models.CharField("aide", max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField("poids", default=1)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "question"
        verbose_name_plural = "questions"
        ordering = ["theme__position", "position", "pk"]

    def __str__(self):
        return self.text


class AnswerOption(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    label = models.CharField("réponse", max_length=200)
    points = models.PositiveSmallIntegerField("points")
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "réponse possible"
        verbose_name_plural = "réponses possibles"
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.label} ({self.points} pt)"


class SubmissionOutcome(models.TextChoices):
    BELOW_THRESHOLD = "below", "Score insuffisant"
    TO_REVIEW = "to_review", "En attente d'examen"
    APPROVED = "approved", "Qualifiée"
    REJECTED = "rejected", "Refusée"


class Submission(models.Model):
    """One answer to the questionnaire, with its scores frozen as computed then."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="submissions")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="submissions")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("envoyé le", default=timezone.now, editable=False)
    score = models.PositiveIntegerField("score")
    max_score = models.PositiveIntegerField("score maximal")
    score_percent = models.DecimalField("score (%)", max_digits=5, decimal_places=2)
    theme_scores = models.JSONField("scores par thème", default=dict)
    outcome = models.CharField("résultat", max_length=20, choices=SubmissionOutcome.choices)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField("examiné le", null=True, blank=True)
    review_reason = models.TextField("motif de la décision", blank=True)

    class Meta:
        verbose_name = "réponse au questionnaire"
        verbose_name_plural = "réponses au questionnaire"
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider"], condition=models.Q(outcome="to_review"), name="submission_one_under_review"
            ),
            models.CheckConstraint(
                condition=models.Q(score__lte=models.F("max_score")), name="submission_score_le_max"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=SubmissionOutcome.values), name="submission_outcome_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="rejected") | ~models.Q(review_reason=""),
                name="submission_rejection_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.provider} — {self.submitted_at:%d/%m/%Y} ({self.score_percent} %)"


class SubmissionAnswer(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    option = models.ForeignKey(AnswerOption, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "réponse"
        verbose_name_plural = "réponses"
        constraints = [models.UniqueConstraint(fields=["submission", "question"], name="answer_one_per_question")]

    def __str__(self):
        return f"{self.question} → {self.option}"
