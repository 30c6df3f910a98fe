from django.urls import path

from . import views

app_name = "opendata"

urlpatterns = [
    path("opendata/lieux.csv", views.places_csv, name="places_csv"),
    path("opendata/lieux.json", views.places_json, name="places_json"),
    path("equipe/import-lieux/", views.places_import, name="import"),
    path("equipe/lieux-de-reference/", views.reference_places, name="reference_places"),
    path("equipe/lieux-de-reference/<int:pk>/", views.reference_import, name="reference_import"),
]
