from django.urls import path

from . import journal_views, two_factor_views, views

app_name = "accounts"

urlpatterns = [
    path("compte/connexion/", views.login_view, name="login"),
    path("compte/deconnexion/", views.logout_view, name="logout"),
    path("compte/mot-de-passe/oublie/", views.password_reset, name="password_reset"),
    path("compte/mot-de-passe/envoye/", views.password_reset_done, name="password_reset_done"),
    path(
        "compte/mot-de-passe/nouveau/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("compte/mot-de-passe/change/", views.password_reset_complete, name="password_reset_complete"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("espace/", views.home, name="home"),
    path("espace/<slug:org_slug>/", views.organisation_home, name="organisation"),
    path("espace/<slug:org_slug>/organisation/", views.organisation_card, name="organisation_card"),
    path("espace/<slug:org_slug>/membres/", views.members, name="members"),
    path(
        "espace/<slug:org_slug>/membres/<int:membership_id>/retirer/",
        views.member_remove,
        name="member_remove",
    ),
    path("espace/<slug:org_slug>/api/", views.api_tokens, name="api_tokens"),
    path("espace/<slug:org_slug>/api/<int:token_id>/revoquer/", views.api_token_revoke, name="api_token_revoke"),
    path(
        "espace/<slug:org_slug>/invitations/<int:invitation_id>/annuler/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]

# Staff: the audit journal and the second factor (ADR 0019).
urlpatterns += [
    path("equipe/journal/", journal_views.events, name="journal"),
    path("compte/double-authentification/", two_factor_views.verify, name="two_factor_verify"),
    path("compte/double-authentification/activer/", two_factor_views.enrol, name="two_factor_enrol"),
    path(
        "compte/double-authentification/codes-de-secours/",
        two_factor_views.recovery_codes,
        name="two_factor_recovery_codes",
    ),
]
