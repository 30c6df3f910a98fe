"""How many voucher lookups an address may make: codes must not be guessable by trying.

A sliding window over two fixed buckets in the cache (the previous bucket weighs for the part of
it still inside the window), per client address: IPv4 as is, IPv6 by /64 network, since one
subscriber holds a whole /64. Every lookup counts, found or not, and so do refused ones, so that
a client hammering the page stays out. The cache must be shared by all web processes (Redis, or
Django's database cache): a per-process cache multiplies the limit by the number of processes.

Settings (read at each call, so tests may override them):
- APTIC_VOUCHER_LOOKUP_LIMIT: lookups allowed per window (30);
- APTIC_VOUCHER_LOOKUP_WINDOW: the window, in seconds (600);
- APTIC_VOUCHER_LOOKUP_CACHE: the cache alias (default);
- APTIC_PASSWORD_RESET_THROTTLE, APTIC_PROVIDER_APPLY_THROTTLE: the public forms that send
  e-mails, per address and per target e-mail (`sent_form_hit`);
- APTIC_TRUSTED_PROXY_COUNT: reverse proxies in front of the site that append to X-Forwarded-For
  (0: the client is REMOTE_ADDR).
"""

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

DEFAULT_LIMIT = 30
DEFAULT_WINDOW = 600


def client_address(request) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    proxies = int(getattr(settings, "APTIC_TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        # Each trusted proxy appends the address it received from: the client is `proxies` from the right.
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds


def lookup_hit(request, scope: str = "voucher") -> Verdict:
    """Count one lookup from this request's address; allowed while under the limit."""
    return rate_hit(
        request,
        scope=scope,
        limit=int(getattr(settings, "APTIC_VOUCHER_LOOKUP_LIMIT", DEFAULT_LIMIT)),
        window=int(getattr(settings, "APTIC_VOUCHER_LOOKUP_WINDOW", DEFAULT_WINDOW)),
    )


def rate_hit(request, *, scope: str, limit: int, window: int, key: str | None = None) -> Verdict:
    """Count one hit of `scope` from this request's address, or for `key` when given (an e-mail
    address, say); allowed while under `limit` per `window` s."""
    cache = caches[getattr(settings, "APTIC_VOUCHER_LOOKUP_CACHE", "default")]
    who = key if key is not None else client_address(request)
    who = hashlib.sha256(who.encode()).hexdigest()[:32]  # no address kept in clear
    now = time.time()
    bucket = int(now // window)
    key = f"aptic:lookup:{scope}:{who}:{bucket}"
    if cache.add(key, 1, timeout=2 * window):
        current = 1
    else:
        try:
            current = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=2 * window)
            current = 1
    previous = cache.get(f"aptic:lookup:{scope}:{who}:{bucket - 1}", 0)
    elapsed = (now % window) / window
    weighted = current + previous * (1 - elapsed)
    if weighted <= limit:
        return Verdict(True, 0)
    # When the previous bucket's share will have faded enough, or at the next bucket.
    if previous and current <= limit:
        wait = ((1 - (limit - current) / previous) - elapsed) * window
    else:
        wait = (1 - elapsed) * window
    return Verdict(False, max(1, math.ceil(wait)))


def sent_form_hit(request, *, scope: str, email: str, limits: dict) -> Verdict:
    """Count one public form that passed validation and will send an e-mail: per client address and
    per target e-mail address (`email`, in its one spelling), each under its limit
    (`limits`: per_address, per_email, window in seconds). A client over its limit does not use up
    the target's budget. The same answer whether an account exists for `email` or not."""
    window = int(limits["window"])
    verdict = rate_hit(request, scope=f"{scope}:address", limit=int(limits["per_address"]), window=window)
    if not verdict.allowed:
        return verdict
    return rate_hit(request, scope=f"{scope}:email", limit=int(limits["per_email"]), window=window, key=email)


def retry_text(verdict: Verdict) -> str:
    """When to try again, in French: « dans 12 minutes », « dans 3 heures »."""
    minutes = max(1, math.ceil(verdict.retry_after / 60))
    if minutes < 90:
        return f"dans {minutes} minute{'s' if minutes > 1 else ''}"
    hours = round(minutes / 60)
    return f"dans {hours} heure{'s' if hours > 1 else ''}"
