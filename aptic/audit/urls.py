from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("equipe/journal/", views.events, name="events"),
]
