from django.contrib import admin

from aptic.core.admin import ReadOnlyAdmin

from .models import Account, Entry, Transaction


class EntryInline(admin.TabularInline):
    model = Entry
    extra = 0
    fields = ["account", "amount_cents"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "organisation"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "reference", "description", "created_at"]
    list_filter = ["kind"]
    search_fields = ["reference", "description"]
    inlines = [EntryInline]
