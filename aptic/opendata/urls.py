from django.urls import path

from . import datainclusion_views, views

app_name = "opendata"

urlpatterns = [
    path("opendata/lieux.csv", views.places_csv, name="places_csv"),
    path("opendata/lieux.json", views.places_json, name="places_json"),
    path("equipe/import-lieux/", views.places_import, name="import"),
]

# The places in the data·inclusion schema (ADR 0053).
urlpatterns += [
    path("opendata/data-inclusion/structures.json", datainclusion_views.structures, name="datainclusion_structures"),
    path("opendata/data-inclusion/services.json", datainclusion_views.services, name="datainclusion_services"),
]
