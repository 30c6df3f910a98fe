"""The interactive documentation at /api/v1/docs, with no CDN.

django-ninja's Swagger page loads its JavaScript from its own static folder only when "ninja" is
in INSTALLED_APPS, and from cdn.jsdelivr.net otherwise. We serve Swagger UI from the files
vendored from npm (swagger-ui-dist, `make vendor`) into aptic/core/static/vendor/swagger-ui/.
The validator badge is off (it would send the document to validator.swagger.io). The page's
CSRF token lets a logged-in provider try the operations with their session. Its script is a static
file (aptic/core/static/aptic/js/api-docs.js), as the Content-Security-Policy allows no inline code.
"""

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.utils.html import format_html, json_script
from ninja.openapi.docs import DocsBase

PAGE = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — documentation</title>
<link rel="stylesheet" href="{css}">
</head>
<body>
<div id="swagger-ui"></div>
{settings}
<script src="{js}"></script>
<script src="{init}"></script>
</body>
</html>
"""


class OfflineSwagger(DocsBase):
    def render_page(self, request, api, **kwargs):
        settings = {
            "url": self.get_openapi_url(api, kwargs),
            "layout": "BaseLayout",
            "deepLinking": True,
            "validatorUrl": None,
            "csrfToken": get_token(request),
        }
        page = format_html(
            PAGE,
            title=api.title,
            css=static("vendor/swagger-ui/swagger-ui.css"),
            js=static("vendor/swagger-ui/swagger-ui-bundle.js"),
            init=static("aptic/js/api-docs.js"),
            settings=json_script(settings, "swagger-settings"),
        )
        # The site's Content-Security-Policy suits it (ADR 0020): Swagger UI styles through the DOM,
        # not style attributes in markup, and its icons are data: images, which the policy allows.
        return HttpResponse(page)
