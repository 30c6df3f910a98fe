from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top of the layers under demo (ADR 0030): home page, navigation, the staff's to-do counts."""

    name = "aptic.site"
    verbose_name = "Site"
