from django.urls import path

from . import views

app_name = "payouts"
ESPACE = "espace/<slug:org_slug>/remboursements/"
EQUIPE = "equipe/remboursements/"
urlpatterns = [
    path(ESPACE, views.provider_statements, name="provider_statements"),
    path(ESPACE + "<int:pk>/releve.<str:fmt>", views.provider_statement, name="provider_statement"),
    path(ESPACE + "coordonnees-bancaires/", views.provider_bank, name="provider_bank"),
    path(ESPACE + "coordonnees-bancaires/<int:pk>/rib/", views.provider_rib, name="provider_rib"),
    path(EQUIPE, views.staff_runs, name="staff_runs"),
    path(EQUIPE + "<int:pk>/", views.staff_run, name="staff_run"),
    path(EQUIPE + "<int:pk>/sepa/", views.staff_sepa, name="staff_sepa"),
    path(EQUIPE + "structures/<int:pk>/", views.staff_payout, name="staff_payout"),
    path(EQUIPE + "structures/<int:pk>/releve.<str:fmt>", views.staff_statement, name="staff_statement"),
    path(EQUIPE + "coordonnees-bancaires/", views.staff_bank_details, name="staff_bank_details"),
    path(EQUIPE + "coordonnees-bancaires/<int:pk>/", views.staff_bank_detail, name="staff_bank_detail"),
    path(EQUIPE + "coordonnees-bancaires/<int:pk>/rib/", views.staff_rib, name="staff_rib"),
]
