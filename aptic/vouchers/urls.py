from django.urls import path, re_path

from . import views

app_name = "vouchers"

urlpatterns = [
    # Provider space: administrators and members of a provider.
    path("espace/<slug:org_slug>/encaisser/", views.counter, name="counter"),
    path("espace/<slug:org_slug>/encaissements/", views.redemptions, name="redemptions"),
    path("espace/<slug:org_slug>/encaissements/export.<str:fmt>", views.redemptions_export, name="redemptions_export"),
    path("espace/<slug:org_slug>/encaissements/<int:pk>/", views.redemption, name="redemption"),
    # Public: what the QR code of a voucher opens (also in capitals, see links.voucher_url), and a form.
    re_path(r"^[cC]/(?P<code>[^/]+)/$", views.public_voucher, name="public"),
    path("cheque/", views.lookup, name="lookup"),
    path("cheque/carte.geojson", views.places_geojson, name="places_geojson"),
]
