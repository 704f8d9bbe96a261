"""A request's letters: a new version "to render" (the old one voided), and the render task
published by name after commit."""

from celery import current_app
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from registrations.models import Registration

from ..models import VisaLetter, VisaRequest, VisaRequestHistory
from .audit import _record
from .errors import PassportDataWiped, RegistrationNotConfirmed

Status = VisaRequest.Status
Action = VisaRequestHistory.Action

# The render task, by name: the tasks module imports these services, so they address the task
# through Celery's registry instead of importing it back (imports flow one way).
RENDER_LETTER_TASK = "visas.tasks.render_letter"

# Reasons a letter is voided, recorded on the letter and shown on its verification page.
VOID_NEW_VERSION = "superseded"
VOID_REFUSED = "refused"
VOID_WITHDRAWN = "withdrawn"


def _void_current_letter(request: VisaRequest, *, reason: str) -> VisaLetter | None:
    """Void the request's letter that is not void yet (at most one). Caller holds the
    request's lock; the letter row is locked after it."""
    letter = (
        VisaLetter.objects.select_for_update()
        .filter(request=request)
        .exclude(status=VisaLetter.Status.VOID)
        .first()
    )
    if letter is None:
        return None
    letter.status = VisaLetter.Status.VOID
    letter.voided_at = timezone.now()
    letter.void_reason = reason
    letter.rendering_until = None
    letter.save(update_fields=["status", "voided_at", "void_reason", "rendering_until"])
    return letter


def letter_number(request: VisaRequest, version: int) -> str:
    """A letter's number: the request's number and the version, e.g. MX26-AST-V00042-2."""
    return f"{request.number}-{version}"


def _issue_new_version(request: VisaRequest, *, actor: User | None) -> VisaLetter:
    """Void the current letter, create the next version "to render", set the status, record
    it, and publish the render task after commit. Caller holds the request's lock."""
    if request.registration.status != Registration.Status.CONFIRMED:
        raise RegistrationNotConfirmed()
    if request.passport_data_wiped:
        raise PassportDataWiped()
    voided = _void_current_letter(request, reason=VOID_NEW_VERSION)
    last_version = (
        request.letters.order_by("-version").values_list("version", flat=True).first() or 0
    )
    version = last_version + 1
    letter = VisaLetter.objects.create(
        request=request, version=version, number=letter_number(request, version)
    )
    old_status = request.status
    if old_status != Status.LETTER_ISSUED:
        request.status = Status.LETTER_ISSUED
        request.save(update_fields=["status", "updated_at"])
    _record(
        request,
        actor=actor,
        action=Action.LETTER_ISSUED,
        from_status=old_status,
        to_status=request.status,
        letter=letter.number,
        voided=voided.number if voided else "",
    )
    transaction.on_commit(lambda: _hand_off(letter.pk), robust=True)
    return letter


def _hand_off(letter_id: int) -> None:
    """Publish the render task for this letter. Raises if the broker is unreachable (run from
    `on_commit(robust=True)`, so Django logs it); the letter then stays "to render"."""
    current_app.tasks[RENDER_LETTER_TASK].delay(letter_id)
