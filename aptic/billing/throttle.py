"""How many quote requests an address may send: a fixed window in the shared cache, per client address
(the address as vouchers.throttle reads it, behind trusted proxies). Every submission counts.

Settings: APTIC_QUOTE_REQUEST_LIMIT (5) per APTIC_QUOTE_REQUEST_WINDOW seconds (3600)."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

from aptic.vouchers.throttle import Verdict, client_address


def quote_request_hit(request) -> Verdict:
    limit = int(getattr(settings, "APTIC_QUOTE_REQUEST_LIMIT", 5))
    window = int(getattr(settings, "APTIC_QUOTE_REQUEST_WINDOW", 3600))
    who = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    now = time.time()
    key = f"aptic:quote_request:{who}:{int(now // window)}"
    if cache.add(key, 1, timeout=window + 60):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=window + 60)
            count = 1
    if count <= limit:
        return Verdict(True, 0)
    return Verdict(False, max(1, int(window - now % window)))
