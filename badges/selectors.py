"""Reads for badges: finding a badge by its QR token, the badge lists, what changed since print."""

from .models import Badge
from .tokens import BadToken, read_badge_token


def badge_for_token(token: str) -> Badge:
    """The badge whose QR carries this token, with its registration, event and category.

    Raises `BadToken` for a forged or garbled token and for a well-signed one whose badge has
    since been reissued (its old code belongs to no badge any more)."""
    code = read_badge_token(token)
    try:
        return Badge.objects.select_related(
            "registration__event", "registration__category", "registration__delegate"
        ).get(code=code)
    except Badge.DoesNotExist:
        raise BadToken("no badge has this code (reissued?)") from None
