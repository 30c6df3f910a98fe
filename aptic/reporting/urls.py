from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("espace/<slug:org_slug>/exports/", views.exports, name="exports"),
    path("espace/<slug:org_slug>/exports/<int:pk>/", views.export_download, name="export_download"),
]
