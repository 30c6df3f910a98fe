from django.contrib import admin

from .models import Offer, Place


class OfferInline(admin.TabularInline):
    model = Offer
    extra = 0
    fields = ["title", "category", "price_cents", "duration_minutes", "format", "accepts_aptic", "is_active"]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "provider", "commune", "is_mobile", "is_published"]
    list_filter = ["is_mobile", "is_published", "commune__departement"]
    search_fields = ["name", "provider__name", "commune__name"]
    autocomplete_fields = ["provider", "commune"]
    filter_horizontal = ["typologies", "service_categories", "publics", "access_modes", "support_modes"]
    list_select_related = ["provider", "commune"]
    inlines = [OfferInline]
