from django.urls import path

from . import views

app_name = "funders"
urlpatterns = [
    path("espace/<slug:org_slug>/tableau-de-bord/", views.dashboard, name="dashboard"),
    path("equipe/tableau-de-bord/", views.staff_dashboard, name="staff_dashboard"),
    path(
        "equipe/tableau-de-bord/commanditaires/<int:pk>/", views.staff_funder_dashboard, name="staff_funder_dashboard"
    ),
    path("espace/<slug:org_slug>/commandes/", views.commercial_orders, name="commercial_orders"),
    path("espace/<slug:org_slug>/suivi-des-cheques/", views.orders, name="orders"),
]
