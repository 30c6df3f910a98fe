from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "aptic.jobs"
    verbose_name = "Travaux en arrière-plan"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import schedule

        schedule.start_embedded_scheduler_if_serving()
