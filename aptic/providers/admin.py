"""Back office of the provider's journey. Staff edit the questionnaire and the charter here; histories
are read-only; statuses, subscriptions and sponsorships change only through services (ADR 0003)."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from aptic.core.admin import ReadOnlyMixin
from aptic.core.errors import DomainError
from aptic.core.params import parse_id

from . import services
from .models import (
    AnswerOption,
    CharterAcceptance,
    CharterVersion,
    KitShipment,
    Provider,
    ProviderEvent,
    QualificationTheme,
    Question,
    Questionnaire,
    Sponsorship,
    Submission,
    SubmissionAnswer,
    Subscription,
)


class ProviderEventInline(ReadOnlyMixin, admin.TabularInline):
    model = ProviderEvent
    extra = 0
    fields = ["created_at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    def get_object(self, request, object_id, from_field=None):
        # The key is the organisation's (a one-to-one): Django bounds `=` lookups on integer keys,
        # not through a relation, so an id beyond a bigint reached the database (a 500 on SQLite).
        if from_field is None and parse_id(object_id) is None:
            return None
        return super().get_object(request, object_id, from_field)

    list_display = ["organisation", "status", "typology", "requested_at", "qualified_at"]
    list_filter = ["status"]
    search_fields = ["organisation__name", "organisation__siret", "contact_name"]
    list_select_related = ["organisation", "typology"]
    fields = ["organisation", "status", "qualified_at", "requested_at", "typology", "contact_name"]
    readonly_fields = ["organisation", "status", "qualified_at", "requested_at"]
    autocomplete_fields = ["typology"]
    inlines = [ProviderEventInline]

    def has_add_permission(self, request):
        return False  # structures come from the eligibility request (services.provider_create)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["provider", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status"]
    search_fields = ["provider__organisation__name"]
    list_select_related = ["provider__organisation", "actor"]


@admin.register(QualificationTheme)
class QualificationThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position"]
    list_editable = ["position"]
    search_fields = ["name"]


class QuestionnaireAdminForm(forms.ModelForm):
    class Meta:
        model = Questionnaire
        fields = ["name", "threshold_percent", "is_active"]

    def clean(self):
        data = super().clean()
        others = Questionnaire.objects.filter(is_active=True).exclude(pk=self.instance.pk)
        if data.get("is_active") and others.exists():
            raise forms.ValidationError(
                f"« {others.first()} » est déjà en service : désactivez-le d'abord, un seul questionnaire sert "
                "à la fois."
            )
        return data


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["theme", "text", "weight", "position"]
    show_change_link = True  # the answer options are edited on the question's page


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    form = QuestionnaireAdminForm
    list_display = ["name", "threshold_percent", "is_active", "created_at"]
    inlines = [QuestionInline]


class AnswerOptionInline(admin.TabularInline):
    model = AnswerOption
    extra = 0
    fields = ["label", "points", "position"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "questionnaire", "theme", "weight", "position"]
    list_filter = ["questionnaire", "theme"]
    search_fields = ["text"]
    list_select_related = ["questionnaire", "theme"]
    inlines = [AnswerOptionInline]


@admin.register(AnswerOption)
class AnswerOptionAdmin(admin.ModelAdmin):
    list_display = ["label", "question", "points", "position"]
    list_filter = ["question__questionnaire", "question__theme"]
    search_fields = ["label", "question__text"]
    list_select_related = ["question"]


class SubmissionAnswerInline(ReadOnlyMixin, admin.TabularInline):
    model = SubmissionAnswer
    extra = 0
    fields = ["question", "option"]
    readonly_fields = fields


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["provider", "submitted_at", "score_percent", "outcome", "review_link"]
    list_filter = ["outcome"]
    search_fields = ["provider__organisation__name"]
    list_select_related = ["provider__organisation"]
    inlines = [SubmissionAnswerInline]

    @admin.display(description="examen")
    def review_link(self, obj):
        return format_html('<a href="{}">Page d\'examen</a>', reverse("providers:review", kwargs={"pk": obj.pk}))


@admin.register(SubmissionAnswer)
class SubmissionAnswerAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["submission", "question", "option"]
    list_select_related = ["submission__provider__organisation", "question", "option"]


@admin.register(CharterVersion)
class CharterVersionAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "published_at", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        # Structures accepted this very text: it can no longer change; publish a new version instead.
        if obj is not None and obj.acceptances.exists():
            return ["version", "title", "body", "published_at"]
        return []

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.acceptances.exists()


@admin.register(CharterAcceptance)
class CharterAcceptanceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["provider", "version", "accepted_by", "accepted_at"]
    search_fields = ["provider__organisation__name"]
    list_select_related = ["provider__organisation", "version", "accepted_by"]


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["provider", "plan", "payment_method", "started_on", "trial_until", "covered_until", "staff_link"]
    list_filter = ["plan", "payment_method"]
    search_fields = ["provider__organisation__name"]
    list_select_related = ["provider__organisation"]

    @admin.display(description="paiements et kit")
    def staff_link(self, obj):
        url = reverse("providers:staff_subscription", kwargs={"pk": obj.pk})
        return format_html('<a href="{}">Enregistrer un paiement ou le kit</a>', url)


@admin.register(Sponsorship)
class SponsorshipAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["funder", "provider", "starts_on", "ends_on", "amount_cents", "created_by"]
    search_fields = ["funder__name", "provider__organisation__name"]
    list_select_related = ["funder", "provider__organisation", "created_by"]


class KitShipmentAdminForm(forms.ModelForm):
    class Meta:
        model = KitShipment
        fields = ["provider", "shipped_on", "tracking"]

    def clean(self):
        data = super().clean()
        if data.get("provider") is not None and data.get("shipped_on") is not None:
            try:
                data["tracking"] = services.clean_kit_shipment(
                    data["provider"], data["shipped_on"], data.get("tracking")
                )
            except DomainError as exc:
                self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


@admin.register(KitShipment)
class KitShipmentAdmin(admin.ModelAdmin):
    form = KitShipmentAdminForm
    list_display = ["provider", "shipped_on", "tracking", "recorded_by"]
    search_fields = ["provider__organisation__name", "tracking"]
    list_select_related = ["provider__organisation", "recorded_by"]
    autocomplete_fields = ["provider"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        shipment = services.kit_shipment_record(
            provider=obj.provider, shipped_on=obj.shipped_on, tracking=obj.tracking, staff=request.user
        )
        obj.pk = shipment.pk
        obj.recorded_by = shipment.recorded_by
