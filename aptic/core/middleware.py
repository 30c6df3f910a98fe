"""Response headers the platform adds to every page."""

from django.conf import settings


def permissions_policy(features: dict[str, list[str]]) -> str:
    """`camera=(self), microphone=()`: each feature and the origins allowed to use it."""
    return ", ".join(f"{name}=({' '.join(origins)})" for name, origins in features.items())


class PermissionsPolicyMiddleware:
    """Permissions-Policy from settings.APTIC_PERMISSIONS_POLICY: browser features off unless a page
    of ours uses them (ADR 0020)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy(settings.APTIC_PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
