from django.urls import path

from . import views

app_name = "providers"

urlpatterns = [
    path("structures/inscription/", views.apply, name="apply"),
    path("structures/inscription/envoyee/", views.apply_done, name="apply_done"),
    path("espace/<slug:org_slug>/structure/", views.dashboard, name="dashboard"),
    path("espace/<slug:org_slug>/qualification/", views.questionnaire, name="questionnaire"),
    path("espace/<slug:org_slug>/charte/", views.charter, name="charter"),
    path("espace/<slug:org_slug>/abonnement/", views.subscription, name="subscription"),
    path("espace/<slug:org_slug>/abonnement/resilier/", views.subscription_cancel, name="subscription_cancel"),
    path("espace/<slug:org_slug>/parrainages/", views.sponsorships, name="sponsorships"),
    path("equipe/qualifications/", views.review_list, name="review_list"),
    path("equipe/qualifications/<int:pk>/", views.review, name="review"),
    path("equipe/abonnements/", views.staff_subscriptions, name="staff_subscriptions"),
    path("equipe/abonnements/<int:pk>/", views.staff_subscription, name="staff_subscription"),
]
