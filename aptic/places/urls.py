from django.urls import path

from . import views

app_name = "places"

urlpatterns = [
    # Provider space: every member of the provider manages its places and offers.
    path("espace/<slug:org_slug>/lieux/", views.my_places, name="mine"),
    path("espace/<slug:org_slug>/lieux/nouveau/", views.place_create, name="create"),
    path("espace/<slug:org_slug>/lieux/<int:pk>/", views.place_manage, name="manage"),
    path("espace/<slug:org_slug>/lieux/<int:pk>/modifier/", views.place_edit, name="edit"),
    path("espace/<slug:org_slug>/lieux/<int:pk>/publication/", views.place_publish, name="publish"),
    path("espace/<slug:org_slug>/lieux/<int:pk>/services/nouveau/", views.offer_create, name="offer_create"),
    path(
        "espace/<slug:org_slug>/lieux/<int:pk>/services/<int:offer_pk>/modifier/",
        views.offer_edit,
        name="offer_edit",
    ),
    path(
        "espace/<slug:org_slug>/lieux/<int:pk>/services/<int:offer_pk>/activation/",
        views.offer_set_active,
        name="offer_active",
    ),
]
