"""Back-office pieces shared by the apps."""

from django.contrib import admin


class ReadOnlyMixin:
    """History and money-bearing records: shown, never edited in the back office (changes go
    through the services and their pages)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass
