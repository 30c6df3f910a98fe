from django.contrib import admin

from .models import Commune, Departement, Epci, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["name", "code"]


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["name", "code"]


@admin.register(Epci)
class EpciAdmin(admin.ModelAdmin):
    list_display = ["siren", "name", "nature"]
    list_filter = ["nature"]
    search_fields = ["name", "siren"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["insee_code", "name", "postal_codes", "departement", "epci", "population", "is_current"]
    list_filter = ["is_current", "region"]
    search_fields = ["name", "insee_code", "postal_codes", "search_name"]
    readonly_fields = ["search_name"]
    list_select_related = ["departement", "epci"]
