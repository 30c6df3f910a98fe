from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "#APTIC — back-office"
admin.site.site_title = "#APTIC back-office"
admin.site.index_title = "Administration de la plateforme"

urlpatterns = [
    # First: the tills' API is the busiest path, and resolving walks the list in order.
    path("api/v1/", include("aptic.vouchers.api.urls")),
    path("", include("aptic.site.urls")),
    path("", include("aptic.accounts.urls")),
    path("", include("aptic.territories.urls")),
    path("", include("aptic.providers.urls")),
    path("", include("aptic.places.urls")),
    path("", include("aptic.directory.urls")),
    path("", include("aptic.opendata.urls")),
    path("", include("aptic.diagnostic.urls")),
    path("", include("aptic.vouchers.urls")),
    path("", include("aptic.jobs.urls")),
    path("", include("aptic.billing.urls")),
    path("", include("aptic.printing.urls")),
    path("", include("aptic.distribution.urls")),
    path("", include("aptic.payouts.urls")),
    path("", include("aptic.reporting.urls")),
    path("", include("aptic.funders.urls")),
    path("back-office/", admin.site.urls),
]

handler400 = "aptic.core.views.bad_request"
handler403 = "aptic.core.views.permission_denied"
handler404 = "aptic.core.views.page_not_found"
handler500 = "aptic.core.views.server_error"
