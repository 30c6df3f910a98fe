from django.contrib import admin

from .models import Commune, Departement, Epci, Region


class ReferenceAdmin(admin.ModelAdmin):
    """Read-only: territories come from the committed files (`manage.py load_territories`)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(ReferenceAdmin):
    list_display = ["code", "name"]
    search_fields = ["name", "code"]


@admin.register(Departement)
class DepartementAdmin(ReferenceAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["name", "code"]


@admin.register(Epci)
class EpciAdmin(ReferenceAdmin):
    list_display = ["siren", "name", "nature"]
    list_filter = ["nature"]
    search_fields = ["name", "siren"]


@admin.register(Commune)
class CommuneAdmin(ReferenceAdmin):
    list_display = ["insee_code", "name", "postal_codes", "departement", "epci", "population", "is_current"]
    list_filter = ["is_current", "region"]
    search_fields = ["name", "insee_code", "postal_codes", "search_name"]
    list_select_related = ["departement", "epci"]
