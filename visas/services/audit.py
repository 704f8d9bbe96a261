"""What every visa service does the same way: lock the request, check its status, change
it and write the history row."""

from django.utils.translation import gettext_lazy as _

from accounts.models import User

from ..models import VisaRequest, VisaRequestHistory
from .errors import InvalidTransition


def _lock(request: VisaRequest) -> VisaRequest:
    """The request re-read under its row lock (its status may have changed since the caller
    loaded it), with its registration, event and forum joined but not locked."""
    return (
        VisaRequest.objects.select_for_update(no_key=True, of=("self",))
        .select_related("registration__event__forum")
        .get(pk=request.pk)
    )


def _require_status(request: VisaRequest, *allowed: str) -> None:
    if request.status not in allowed:
        raise InvalidTransition(
            _("This visa letter request is %(status)s; this action is not possible.")
            % {"status": request.get_status_display().lower()}
        )


def _change_status(
    request: VisaRequest, new_status: str, *, actor: User | None, action: str, reason: str = ""
) -> None:
    old_status = request.status
    request.status = new_status
    request.save(update_fields=["status", "updated_at"])
    _record(
        request,
        actor=actor,
        action=action,
        from_status=old_status,
        to_status=new_status,
        reason=reason,
    )


def _record(
    request: VisaRequest,
    *,
    actor: User | None,
    action: str,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    **details,
) -> VisaRequestHistory:
    return VisaRequestHistory.objects.create(
        request=request,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        details=details,
    )
