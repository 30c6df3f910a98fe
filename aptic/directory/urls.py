from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("lieux/", views.catalogue, name="catalogue"),
    path("lieux/carte.geojson", views.geojson, name="geojson"),
    path("lieux/<int:pk>/", views.detail, name="detail"),
]
