from django.urls import path

from . import views

app_name = "opendata"

urlpatterns = [
    path("opendata/lieux.csv", views.places_csv, name="places_csv"),
    path("opendata/lieux.xlsx", views.places_xlsx, name="places_xlsx"),
    path("opendata/lieux.json", views.places_json, name="places_json"),
    path("equipe/import-lieux/", views.places_import, name="import"),
]
