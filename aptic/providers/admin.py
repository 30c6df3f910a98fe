from django.contrib import admin

from .models import Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "provider", "commune", "is_mobile"]
    list_filter = ["is_mobile", "commune__departement"]
    search_fields = ["name", "provider__name", "commune__name"]
    autocomplete_fields = ["provider", "commune"]
    filter_horizontal = ["typologies"]
    list_select_related = ["provider", "commune"]
