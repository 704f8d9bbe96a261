"""The log of who saw or downloaded passport data."""

from accounts.models import User
from events.models import Event

from ..models import PassportDataAccess, VisaRequest


def log_passport_access(
    user: User | None,
    *,
    what: str,
    request: VisaRequest | None = None,
    event: Event | None = None,
    detail: str = "",
) -> PassportDataAccess:
    """Record that `user` saw or downloaded passport data (`PassportDataAccess.What`): one row,
    written in the caller's transaction (or at once in autocommit)."""
    if event is None and request is not None:
        event = request.registration.event
    return PassportDataAccess.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        user_email=getattr(user, "email", "") or "",
        what=PassportDataAccess.What(what).value,
        request=request,
        event=event,
        detail=detail[:300],
    )
