from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the journal is append-only (the staff page /equipe/journal/ reads it with filters)."""

    list_display = ["created_at", "actor_label", "action_label", "target_label", "organisation"]
    list_filter = ["action"]
    search_fields = ["actor_label", "target_label"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
