from django.urls import path

from . import views

app_name = "diagnostic"

urlpatterns = [
    path("diagnostic/", views.france, name="france"),
    path("diagnostic/regions/<str:code>/", views.territory_page, {"level": "region"}, name="region"),
    path("diagnostic/departements/<str:code>/", views.territory_page, {"level": "departement"}, name="departement"),
    path("diagnostic/intercommunalites/<str:code>/", views.territory_page, {"level": "epci"}, name="epci"),
    path("diagnostic/communes/<str:code>/", views.territory_page, {"level": "commune"}, name="commune"),
    path("espace/<slug:org_slug>/diagnostic/", views.funder_page, name="funder"),
]
