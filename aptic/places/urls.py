from django.urls import path

from . import views

app_name = "places"

urlpatterns = [
    path("espace/<slug:org_slug>/lieux/", views.my_places, name="mine"),
]
