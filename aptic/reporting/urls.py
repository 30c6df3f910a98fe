from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("espace/<slug:org_slug>/tableau-de-bord/remises/", views.distributor_dashboard, name="distributor"),
    path("espace/<slug:org_slug>/tableau-de-bord/encaissements/", views.provider_dashboard, name="provider"),
]
