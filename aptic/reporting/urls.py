from django.urls import path

from . import space_views, views

app_name = "reporting"
urlpatterns = [
    path("espace/<slug:org_slug>/exports/", views.exports, name="exports"),
    path("espace/<slug:org_slug>/exports/<int:pk>/", views.export_download, name="export_download"),
    path("espace/<slug:org_slug>/tableau-de-bord/remises/", space_views.distributor_dashboard, name="distributor"),
    path("espace/<slug:org_slug>/tableau-de-bord/encaissements/", space_views.provider_dashboard, name="provider"),
]
