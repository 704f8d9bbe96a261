"""The QR's content: a signed opaque token, `<code>.<signature>`, with no personal data.

`code` is the badge's random code (128 bits, url-safe base64); the signature is the first
12 bytes (96 bits) of an HMAC-SHA256 over it, keyed from SECRET_KEY with the salt
"badges.token" (`django.utils.crypto.salted_hmac`), url-safe base64 without padding. The whole
token is 39 characters: a version-3 QR at error-correction level M.

A token signed with a key in SECRET_KEY_FALLBACKS is still read, so rotating the key does not
void the badges already printed. A well-signed token whose code no longer belongs to a badge
(reissued after a loss) is refused by `selectors.badge_for_token`, not here: this module knows
nothing of the database.
"""

import base64
import hmac
import re

from django.conf import settings
from django.utils.crypto import salted_hmac

SALT = "badges.token"
SIGNATURE_BYTES = 12
_TOKEN = re.compile(r"\A([A-Za-z0-9_-]{16,32})\.([A-Za-z0-9_-]{16})\Z")


class BadToken(ValueError):
    """The token was not made by this portal (forged, garbled or truncated)."""


def _signature(code: str, secret: str | bytes) -> str:
    digest = salted_hmac(SALT, code, secret=secret, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:SIGNATURE_BYTES]).decode("ascii").rstrip("=")


def badge_token(badge) -> str:
    """The QR content for this badge's current code."""
    return f"{badge.code}.{_signature(badge.code, settings.SECRET_KEY)}"


def read_badge_token(token: str) -> str:
    """The badge code a token carries; raises BadToken unless the portal signed it."""
    match = _TOKEN.match(token.strip()) if isinstance(token, str) else None
    if match is None:
        raise BadToken("not a badge token")
    code, signature = match.groups()
    for secret in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())):
        if hmac.compare_digest(signature, _signature(code, secret)):
            return code
    raise BadToken("bad signature")
