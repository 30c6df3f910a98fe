"""Read-only back office for payouts (ADR 0003): changes go through the staff pages and services."""

from django.contrib import admin

from aptic.core.admin import ReadOnlyAdmin

from .models import BankDetails, Payout, PayoutRun


@admin.register(BankDetails)
class BankDetailsAdmin(ReadOnlyAdmin):
    list_display = ["provider", "holder", "iban_masked", "status", "is_current", "submitted_at"]
    list_filter = ["status", "is_current"]
    search_fields = ["provider__name", "holder"]


@admin.register(PayoutRun)
class PayoutRunAdmin(ReadOnlyAdmin):
    list_display = ["reference", "kind", "status", "period_start", "created_at", "prepared_by", "approved_by"]
    list_filter = ["kind", "status"]


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["reference", "provider", "status", "voucher_count", "gross_cents", "net_cents"]
    list_filter = ["status"]
    search_fields = ["provider__name"]
    list_select_related = ["provider"]
