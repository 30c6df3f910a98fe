from django.urls import path

from . import views

app_name = "jobs"
urlpatterns = [
    path("espace/<slug:org_slug>/travaux/<int:pk>/", views.organisation_job, name="organisation_job"),
    path("equipe/travaux/<int:pk>/", views.staff_job, name="staff_job"),
]
