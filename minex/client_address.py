"""The address of the client behind a request: the one rule every rate limit and log uses.

Behind the TLS proxy every request arrives from the proxy's address, so REMOTE_ADDR would put
every visitor in one bucket (ten wrong passwords anywhere would lock everyone's login). Each
trusted proxy appends the address it received the request from to X-Forwarded-For; anything to
the left of those entries was written by the client and can be forged. With
TRUSTED_PROXY_COUNT = n, the client is the n-th entry counted from the right.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's IP address, normalised (e.g. "203.0.113.7", "2001:db8::1").

    REMOTE_ADDR with no trusted proxy (settings.TRUSTED_PROXY_COUNT = 0, the default) or when
    the proxies sent no usable X-Forwarded-For; otherwise the entry the outermost trusted
    proxy appended. A forged header cannot change the answer: the client's own entries are
    never read.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            entry.strip()
            for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if entry.strip()
        ]
        if forwarded:
            # Fewer entries than proxies: the request entered through an inner proxy, and the
            # leftmost entry is still one a trusted proxy wrote (the address it saw).
            address = _normalised(forwarded[-min(proxies, len(forwarded))])
            if address:
                return address
    return _normalised(request.META.get("REMOTE_ADDR", "")) or ""


def _normalised(value: str) -> str | None:
    """An IP address without port or brackets ("[2001:db8::1]:443" → "2001:db8::1"), or None
    when the value is not an address (e.g. a proxy's "unknown")."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has several colons
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None
