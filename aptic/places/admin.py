from django.contrib import admin

from .models import Offer, OfferSettings, Place


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


@admin.register(OfferSettings)
class OfferSettingsAdmin(admin.ModelAdmin):
    """One row of platform parameters: staff change it, nobody adds or deletes one."""

    fields = ["min_voucher_price_cents", "updated_at"]
    readonly_fields = ["updated_at"]

    def changelist_view(self, request, extra_context=None):
        from django.shortcuts import redirect

        OfferSettings.current()
        return redirect("admin:places_offersettings_change", 1)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
