"""Where webhooks may go (SSRF): only http(s), and never to the portal's own network.

A subscription's URL is checked when it is saved (scheme, and a literal address), and its
host is resolved again at every delivery: a name that pointed to a public address when the
subscription was made may point to 10.0.0.5 or 127.0.0.1 today (DNS rebinding). Delivery then
connects to the very address that was checked (`api/delivery.py`), not to a second lookup.

Every address that is not globally reachable (loopback, private, link-local, shared,
reserved, unspecified) and every multicast address is refused.
`WEBHOOK_ALLOW_LOOPBACK` (on in development and tests, off by default) lets loopback through,
so a receiver on 127.0.0.1 can be used; it never opens the private ranges.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class UnsafeAddress(Exception):
    """The URL's host is (or resolves to) an address webhooks may not reach."""


def _refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return not settings.WEBHOOK_ALLOW_LOOPBACK
    # Not "globally reachable" covers private, link-local, reserved, unspecified, shared
    # (100.64/10, carrier NAT) and documentation ranges alike.
    return not address.is_global or address.is_multicast


def validate_webhook_url(url: str) -> None:
    """Refuse a URL that is not http(s) or whose host is a refused literal address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Only http:// and https:// addresses can receive webhooks."))
    host = parts.hostname
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or host.endswith(".localhost"):
            address = ipaddress.ip_address("127.0.0.1")
        else:
            return
    if _refused(address):
        raise ValidationError(_("Webhooks cannot be sent to this address."))


def resolve_safely(host: str, port: int) -> str:
    """One address of `host` to connect to, after checking every address it resolves to.

    Raises `UnsafeAddress` if any is refused (a name with one public and one private address
    is refused whole: the connection could go to either) or if it does not resolve.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise UnsafeAddress(f"cannot resolve {host}: {error}") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    refused = [str(address) for address in addresses if _refused(address)]
    if refused or not addresses:
        raise UnsafeAddress(f"{host} resolves to a refused address ({', '.join(refused)})")
    return str(addresses[0])
