"""The address a request came from, read one way everywhere: sign-in limits and the audit trail.

Behind reverse proxies the connection's address (REMOTE_ADDR) is the proxy's, so every member
would share one address: one person's failed sign-ins would lock everyone out, and the audit
trail would name the proxy. Each trusted proxy appends the address it was reached from to
X-Forwarded-For, so with TRUSTED_PROXY_COUNT = N the client is the Nth entry from the right.
Entries further left were written by the client and are never believed."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _clean(address: str) -> str | None:
    address = address.strip()
    if address.startswith("[") and "]" in address:  # [2001:db8::1]:443
        address = address[1 : address.index("]")]
    elif address.count(":") == 1:  # 192.0.2.1:443
        address = address.split(":")[0]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, or None when it cannot be known."""
    count = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    forwarded = request.headers.get("x-forwarded-for", "")
    if count > 0 and forwarded:
        hops = forwarded.split(",")
        trusted = _clean(hops[-count]) if len(hops) >= count else None
        if trusted is not None:
            return trusted
        # Fewer hops than proxies, or no address where the last proxy wrote one: the request did
        # not come through them all, so nothing in the header can be believed. The connection's
        # own address is the best there is (such requests then share one limit).
    return _clean(request.META.get("REMOTE_ADDR", ""))
