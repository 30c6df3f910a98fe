from .models import Place


def places_of(organisation):
    return Place.objects.filter(provider=organisation).select_related("commune").prefetch_related("typologies")
