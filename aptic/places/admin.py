from django.contrib import admin

from .models import Offer, OfferSettings, Place, ReferenceImport, ReferencePlace


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written only by the import of their source (ADR 0050): staff read them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReferencePlace)
class ReferencePlaceAdmin(ReadOnlyAdmin):
    list_display = ["name", "commune", "source", "source_updated_on", "updated_at", "retired_at"]
    list_filter = ["source", ("retired_at", admin.EmptyFieldListFilter), "service_categories", "commune__departement"]
    search_fields = ["name", "source_id", "siret", "commune__name"]
    list_select_related = ["commune"]
    show_full_result_count = False  # tens of thousands of rows


@admin.register(ReferenceImport)
class ReferenceImportAdmin(ReadOnlyAdmin):
    list_display = ["source", "filename", "status", "rows", "created", "updated", "retired", "created_at"]
    list_filter = ["source", "status"]
    exclude = ["file"]
