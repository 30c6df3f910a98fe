from django.contrib import admin, messages

from aptic.core.errors import DomainError

from .models import Job
from .services import job_retry


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "status", "progress_done", "progress_total", "message", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Job._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Relancer les travaux en échec")
    def retry(self, request, queryset):
        for job in queryset:
            try:
                job_retry(job=job)
            except DomainError as exc:
                self.message_user(request, f"{job} : {exc}", messages.ERROR)
