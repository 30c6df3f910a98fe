from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "aptic.places"
    verbose_name = "Lieux et services"
