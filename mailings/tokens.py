"""Signed unsubscribe links: whoever holds one may withdraw that person's consent to news,
without logging in; a forged or altered one is refused."""

from django.core import signing

# A salt of its own: a signature made for another purpose never passes as an unsubscribe.
SALT = "mailings.unsubscribe"


def unsubscribe_token(user_id: int) -> str:
    return signing.dumps(user_id, salt=SALT, compress=False)


def read_unsubscribe_token(token: str) -> int | None:
    """The user id the token was made for, or None when it is forged, altered or garbled."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None
