from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "aptic.places"
    verbose_name = "Lieux et services"

    def ready(self):
        # The provider's dashboard counts places and offers without importing this app (ADR 0030).
        from aptic.providers.counters import counter_register

        from .selectors import active_offer_count, place_count

        counter_register("places", place_count)
        counter_register("offers", active_offer_count)
