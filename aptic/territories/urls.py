from django.urls import path

from . import views

app_name = "territories"

urlpatterns = [
    path("territoires/", views.lookup, name="lookup"),
    path("territoires/communes/recherche/", views.commune_search, name="commune_search"),
    path("territoires/communes/<str:insee_code>/", views.commune_detail, name="commune"),
]
