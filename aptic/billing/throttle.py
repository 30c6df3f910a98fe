"""How many quote requests an address may send, with the site's one rate limiter (core.throttle).

Settings: APTIC_QUOTE_REQUEST_LIMIT (5) per APTIC_QUOTE_REQUEST_WINDOW seconds (3600)."""

from django.conf import settings

from aptic.core.throttle import Verdict, rate_hit


def quote_request_hit(request) -> Verdict:
    return rate_hit(
        request,
        scope="quote_request",
        limit=int(getattr(settings, "APTIC_QUOTE_REQUEST_LIMIT", 5)),
        window=int(getattr(settings, "APTIC_QUOTE_REQUEST_WINDOW", 3600)),
    )
