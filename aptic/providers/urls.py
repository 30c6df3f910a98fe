from django.urls import path

from . import views

app_name = "providers"

urlpatterns = [
    path("espace/<slug:org_slug>/lieux/", views.places, name="places"),
]
