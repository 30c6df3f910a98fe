from django.contrib import admin

from .models import AccessMode, PlaceTypology, Public, ServiceCategory, SupportMode


class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "standard_value", "position", "is_active", "from_standard"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "from_standard"]
    search_fields = ["label", "code", "standard_value"]
    prepopulated_fields = {"code": ["label"]}

    def get_readonly_fields(self, request, obj=None):
        # Terms of the standard keep their code and standard value, so exports stay valid.
        return ["code", "standard_value"] if obj and obj.from_standard else []

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj and obj.from_standard else super().get_prepopulated_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False if obj and obj.from_standard else super().has_delete_permission(request, obj)


for model in (ServiceCategory, PlaceTypology, Public, AccessMode, SupportMode):
    admin.site.register(model, VocabularyAdmin)
