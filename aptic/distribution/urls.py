from django.urls import path

from . import views

app_name = "distribution"
urlpatterns = [
    path("equipe/expeditions/", views.staff_shipments, name="staff_shipments"),
    path("equipe/expeditions/envois/<int:pk>/poste/", views.staff_mailing_mailed, name="staff_mailing_mailed"),
    path("equipe/expeditions/envois/<int:pk>/<slug:kind>/", views.staff_mailing_file, name="staff_mailing_file"),
    path("espace/<slug:org_slug>/expeditions/", views.funder_shipments, name="funder_shipments"),
    path("espace/<slug:org_slug>/carnets/", views.distributor_booklets, name="distributor_booklets"),
    path("espace/<slug:org_slug>/envois/", views.funder_mailings, name="funder_mailings"),
    path("espace/<slug:org_slug>/oppositions/", views.stops, name="stops"),
    path("espace/<slug:org_slug>/oppositions/<int:order_pk>/<int:number>/", views.booklet_stop, name="booklet_stop"),
    path("espace/<slug:org_slug>/envois/<int:pk>/<slug:kind>/", views.funder_mailing_file, name="funder_mailing_file"),
]
