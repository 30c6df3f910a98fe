"""Back office of billing (ADR 0003): the offers table is edited here; quotes, invoices, credit notes,
payments and fund movements are read-only (their changes go through the staff pages and services;
accounting documents are never edited at all, see the database triggers)."""

from django.contrib import admin

from aptic.core.admin import ReadOnlyAdmin
from aptic.vouchers.models import RULE_FIELDS

from .models import (
    CreditNote,
    DocumentCounter,
    FundMovement,
    Invoice,
    InvoiceLine,
    Offer,
    Payment,
    Quote,
    QuoteRequest,
)


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["name", "minimum_quantity", "allows_booklet_5", "allows_booklet_10", "allows_custom_cover",
                    "allows_service_targeting", "is_active"]  # fmt: skip
    list_editable = ["minimum_quantity", "is_active"]
    ordering = ["position"]

    def has_delete_permission(self, request, obj=None):
        return False  # quotes refer to their offer: deactivate it instead


@admin.register(QuoteRequest)
class QuoteRequestAdmin(ReadOnlyAdmin):
    list_display = ["organisation_name", "siren", "quantity", "wished_offer", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["organisation_name", "siren", "siret", "email"]


@admin.register(Quote)
class QuoteAdmin(ReadOnlyAdmin):
    list_display = ["number", "buyer_name", "offer", "quantity", "total_cents", "status", "created_at"]
    list_filter = ["status", "offer"]
    search_fields = ["number", "buyer_name", "buyer_siren"]
    exclude = ["pdf", "token_hash"]

    def get_fields(self, request, obj=None):
        # The usage rules, inherited from UsageRules, would come first: show them after the activation.
        rules = ["max_vouchers_per_act", *RULE_FIELDS]
        fields = [name for name in super().get_fields(request, obj) if name not in rules]
        at = fields.index("activation") + 1
        return [*fields[:at], *rules, *fields[at:]]


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "buyer_name", "issued_on", "total_cents", "credits_cents", "due_cents"]
    search_fields = ["number", "buyer_name"]
    exclude = ["pdf"]
    inlines = [InvoiceLineInline]


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin):
    list_display = ["number", "buyer_name", "kind", "issued_on", "total_cents"]
    list_filter = ["kind"]
    search_fields = ["number", "buyer_name"]
    exclude = ["pdf"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "amount_cents", "received_on", "method", "reference"]


@admin.register(FundMovement)
class FundMovementAdmin(ReadOnlyAdmin):
    list_display = ["territory_name", "funder", "order", "amount_cents", "created_at"]
    list_filter = ["territory_kind"]


@admin.register(DocumentCounter)
class DocumentCounterAdmin(ReadOnlyAdmin):
    list_display = ["kind", "year", "last"]
