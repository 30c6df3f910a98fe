from django.urls import path

from . import datainclusion_views, views

app_name = "opendata"

urlpatterns = [
    path("opendata/lieux.csv", views.places_csv, name="places_csv"),
    path("opendata/lieux.xlsx", views.places_xlsx, name="places_xlsx"),
    path("opendata/lieux.json", views.places_json, name="places_json"),
    path("equipe/import-lieux/", views.places_import, name="import"),
    path("equipe/lieux-de-reference/", views.reference_places, name="reference_places"),
    path("equipe/lieux-de-reference/<int:pk>/", views.reference_import, name="reference_import"),
]

# The open-data page and the open statistics (ADR 0051).
urlpatterns += [
    path("opendata/", views.index, name="index"),
    path("opendata/statistiques/datapackage.json", views.statistics_datapackage, name="statistics_datapackage"),
    path("opendata/statistiques/<str:name>.schema.json", views.statistics_schema, name="statistics_schema"),
    path("opendata/statistiques/<str:name>.csv", views.statistics_csv, name="statistics_csv"),
    path("opendata/statistiques/<str:name>.xlsx", views.statistics_xlsx, name="statistics_xlsx"),
]

# The places in the data·inclusion schema (ADR 0053).
urlpatterns += [
    path("opendata/data-inclusion/structures.json", datainclusion_views.structures, name="datainclusion_structures"),
    path("opendata/data-inclusion/services.json", datainclusion_views.services, name="datainclusion_services"),
]
