"""Every change to a visa request: its creation, its statuses, its letters, its details.

Each service runs in one transaction, writes a `VisaRequestHistory` row for what it changed
and queues the delegate's e-mail through the outbox (`visas/emails.py`), so nothing leaves
the process before commit. A letter's PDF is rendered by the `visas.tasks.render_letter`
task, published by its registered name after commit with the letter's id.

Lock order (docs/architecture.md): the registration row (only to create a request), then
the visa request row, then its letter rows. The registration services lock event → category
→ registration and then, through `registration_status_changed`, reach `withdraw_for_closed_
registration` here, which locks the requests after: the same order, so no deadlock.

Passport data never goes into history rows, log lines or e-mails: history `details` name
the fields that changed, never their values.
"""

import datetime
import logging

from celery import current_app
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from events.models import Event
from registrations.models import Registration

from . import emails
from .models import PassportDataAccess, VisaLetter, VisaRequest, VisaRequestHistory
from .rules import filing_deadline, is_too_late, request_problems, today_on_event_clock
from .selectors import trip_limits, visa_window

logger = logging.getLogger(__name__)

Status = VisaRequest.Status
Action = VisaRequestHistory.Action

# The render task, by name: the tasks module imports these services, so they address the task
# through Celery's registry instead of importing it back (imports flow one way).
RENDER_LETTER_TASK = "visas.tasks.render_letter"

# Reasons a letter is voided, recorded on the letter and shown on its verification page.
VOID_NEW_VERSION = "superseded"
VOID_REFUSED = "refused"
VOID_WITHDRAWN = "withdrawn"


class VisaError(Exception):
    """A visa rule refused the action. `message` is translated and fit to show."""

    default_message = _("This visa letter request cannot be changed.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class AlreadyRequested(VisaError):
    default_message = _(
        "You have already requested a visa invitation letter for this registration."
    )

    def __init__(self, request: VisaRequest, message=None):
        self.request = request
        super().__init__(message)


class RegistrationNotActive(VisaError):
    default_message = _("A visa letter can only be requested for an active registration.")


class VisaLetterNotNeeded(VisaError):
    default_message = _(
        "Your registration does not ask for a visa invitation letter: change your "
        "registration first."
    )


class InvalidTransition(VisaError):
    default_message = _("This visa letter request's status does not allow this action.")


class ReasonRequired(VisaError):
    default_message = _("Please give a reason.")


class PetitionNumberInvalid(VisaError):
    default_message = _(
        "Enter the petition number the migration service gave (up to 50 characters)."
    )


class RegistrationNotConfirmed(VisaError):
    default_message = _("A letter can only be issued for a confirmed registration.")


class PassportDataWiped(VisaError):
    default_message = _("The passport data of this request has been wiped.")


def request_visa_letter(
    registration: Registration, *, acting_user: User | None, **passport_and_trip
) -> VisaRequest:
    """Record a delegate's request for an invitation letter with their passport and trip
    details (`VisaRequest.DELEGATE_FIELDS`; the nationality defaults to the registration's).

    Checks the details (`rules.request_problems`: raises `ValidationError` keyed by field),
    then, under the registration's row lock, that the registration is active, asks for a
    letter and has no open request (`AlreadyRequested`, carrying it: a replayed form lands
    on the existing one). Computes the filing deadline from the entry date and the event's
    window; a request after it is accepted and flagged `too_late`.

    Side effects, in order: the request row (passport data encrypted); a history row; the
    delegate's e-mail (with the too-late warning) and the secretariat's notification, both
    through the outbox."""
    values = _delegate_values(passport_and_trip)
    values.setdefault("nationality", registration.nationality)
    event = registration.event
    today = _event_today(event)
    _require_valid(values, event=event, today=today)
    window = visa_window(event)
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(no_key=True, of=("self",))
            .select_related("event__forum")
            .get(pk=registration.pk)
        )
        if not registration.is_active:
            raise RegistrationNotActive()
        if not registration.visa_letter_needed:
            raise VisaLetterNotNeeded()
        existing = VisaRequest.objects.filter(
            registration=registration, status__in=VisaRequest.OPEN_STATUSES
        ).first()
        if existing is not None:
            raise AlreadyRequested(existing)
        request = VisaRequest(
            registration=registration,
            status=Status.REQUESTED,
            filing_deadline=filing_deadline(values["entry_date"], window),
            too_late=is_too_late(values["entry_date"], window, today=today),
            **values,
        )
        _full_clean(request)
        request.save()
        _record(
            request,
            actor=acting_user,
            action=Action.REQUESTED,
            to_status=Status.REQUESTED,
            too_late=request.too_late,
            filing_deadline=request.filing_deadline.isoformat(),
        )
        emails.send_status_email(request)
        emails.notify_secretariat(request)
    return request


def start_review(request: VisaRequest, *, acting_user: User) -> VisaRequest:
    """The secretariat starts checking a request: requested → in review.

    Side effects, in order: the status; a history row; the delegate's e-mail."""
    with transaction.atomic():
        request = _lock(request)
        _require_status(request, Status.REQUESTED)
        _change_status(request, Status.IN_REVIEW, actor=acting_user, action=Action.REVIEW_STARTED)
        emails.send_status_email(request)
    return request


def record_petition(
    request: VisaRequest, *, petition_number: str, acting_user: User | None
) -> VisaRequest:
    """Record the number the migration service gave the invitation petition: requested or in
    review → petition filed (a number already recorded may be corrected while no letter is
    issued).

    Side effects, in order: the number and status; a history row (old and new number); the
    delegate's e-mail (the number is shown on their page, not in the e-mail). Raises
    `PetitionNumberInvalid` for an empty, too long or multi-line number."""
    number = (petition_number or "").strip()
    if not number or len(number) > 50 or not number.isprintable():
        raise PetitionNumberInvalid()
    with transaction.atomic():
        request = _lock(request)
        _require_status(request, Status.REQUESTED, Status.IN_REVIEW, Status.PETITION_FILED)
        old_number = request.petition_number
        if request.status == Status.PETITION_FILED and old_number == number:
            return request  # a replay: nothing changes
        old_status = request.status
        request.petition_number = number
        request.status = Status.PETITION_FILED
        request.save(update_fields=["petition_number", "status", "updated_at"])
        _record(
            request,
            actor=acting_user,
            action=Action.PETITION_RECORDED,
            from_status=old_status,
            to_status=request.status,
            petition_number={"old": old_number, "new": number},
        )
        emails.send_status_email(request)
    return request


def issue_letter(request: VisaRequest, *, acting_user: User | None) -> VisaLetter:
    """Issue the invitation letter of a request whose petition is filed (or a new version of
    an issued one): petition filed → letter issued.

    Side effects, in order: the current letter voided (a new version supersedes it); a new
    `VisaLetter` "to render" with the next version and its number; the status; a history row
    with the letter number; the delegate's e-mail; after commit, the render task published
    with the letter's id (if the broker is down the letter stays "to render" and the sweep
    hands it out). Raises `RegistrationNotConfirmed` unless the registration is confirmed and
    `PassportDataWiped` once the data is gone."""
    with transaction.atomic():
        request = _lock(request)
        _require_status(request, Status.PETITION_FILED, Status.LETTER_ISSUED)
        letter = _issue_new_version(request, actor=acting_user)
        emails.send_status_email(request, letter_number=letter.number)
    return letter


def refuse_visa_request(request: VisaRequest, *, reason: str, acting_user: User) -> VisaRequest:
    """The secretariat refuses a request, with a reason the delegate will read.

    Side effects, in order: the current letter voided; the status; a history row with the
    reason; the delegate's e-mail quoting it. Raises `ReasonRequired` without a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    with transaction.atomic():
        request = _lock(request)
        _require_status(request, *VisaRequest.OPEN_STATUSES)
        _void_current_letter(request, reason=VOID_REFUSED)
        _change_status(
            request, Status.REFUSED, actor=acting_user, action=Action.REFUSED, reason=reason
        )
        emails.send_status_email(request, reason=reason)
    return request


def withdraw_visa_request(
    request: VisaRequest, *, acting_user: User | None, reason: str = ""
) -> VisaRequest:
    """Withdraw an open request (the delegate no longer needs it, or the secretariat on their
    behalf); the delegate may ask again later.

    Side effects, in order: the current letter voided (its verification page says so); the
    status; a history row; the delegate's e-mail."""
    with transaction.atomic():
        request = _lock(request)
        _require_status(request, *VisaRequest.OPEN_STATUSES)
        _withdraw(request, actor=acting_user, reason=(reason or "").strip())
    return request


def update_passport_details(
    request: VisaRequest, *, acting_user: User | None, **changes
) -> VisaRequest:
    """Correct an open request's passport or trip details (any of `DELEGATE_FIELDS`).

    Checks the details as they would be after the change (`ValidationError` by field); a
    new entry date moves the filing deadline (and the too-late flag, as of today). When a
    letter was issued, it is voided and a new version issued with the new details.

    Side effects, in order: the changed fields; a history row naming them (not their
    values); if a letter was issued, the new version as in `issue_letter`; the delegate's
    e-mail. Changing nothing changes nothing."""
    changes = _delegate_values(changes)
    with transaction.atomic():
        request = _lock(request)
        _require_status(request, *VisaRequest.OPEN_STATUSES)
        if request.passport_data_wiped:
            raise PassportDataWiped()
        changed = {
            name: value for name, value in changes.items() if getattr(request, name) != value
        }
        if not changed:
            return request
        event = request.registration.event
        today = _event_today(event)
        merged = {name: getattr(request, name) for name in VisaRequest.DELEGATE_FIELDS}
        merged.update(changed)
        _require_valid(merged, event=event, today=today)
        for name, value in changed.items():
            setattr(request, name, value)
        update_fields = [*changed, "updated_at"]
        if "entry_date" in changed:
            window = visa_window(event)
            request.filing_deadline = filing_deadline(request.entry_date, window)
            request.too_late = is_too_late(request.entry_date, window, today=today)
            update_fields += ["filing_deadline", "too_late"]
        _full_clean(request)
        request.save(update_fields=update_fields)
        _record(
            request,
            actor=acting_user,
            action=Action.DETAILS_UPDATED,
            from_status=request.status,
            to_status=request.status,
            fields=sorted(changed),
        )
        letter_number = ""
        if request.status == Status.LETTER_ISSUED:
            letter_number = _issue_new_version(request, actor=acting_user).number
        emails.send_details_updated_email(request, letter_number=letter_number)
    return request


def withdraw_for_closed_registration(
    registration: Registration, *, actor: User | None, to_status: str
) -> list[VisaRequest]:
    """Withdraw the open requests of a registration just cancelled or rejected.

    Called inside the registration service's transaction (through
    `registration_status_changed`), after its locks: the requests are locked next, in the
    lock order. Side effects as `withdraw_visa_request`, for each."""
    withdrawn = []
    open_requests = VisaRequest.objects.filter(
        registration=registration, status__in=VisaRequest.OPEN_STATUSES
    )
    # Most registrations have none: look before locking, so they take no lock here. No new
    # open request can appear meanwhile: creating one locks the registration row, which the
    # caller holds; the locking query checks the status again.
    if not open_requests.exists():
        return withdrawn
    locked = open_requests.select_for_update(no_key=True, of=("self",))
    for request in locked.select_related("registration__event__forum"):
        reason = (
            _("The registration was cancelled.")
            if to_status == Registration.Status.CANCELLED
            else _("The registration was rejected.")
        )
        # The history keeps the reason; the e-mail says it in the delegate's language.
        _withdraw(request, actor=actor, reason=str(reason), registration_closed=True)
        withdrawn.append(request)
    return withdrawn


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


# Helpers ---------------------------------------------------------------------------------


def _delegate_values(values: dict) -> dict:
    unknown = set(values) - set(VisaRequest.DELEGATE_FIELDS)
    if unknown:
        raise TypeError(f"not a visa request detail: {', '.join(sorted(unknown))}")
    return {
        name: value.strip() if isinstance(value, str) else value for name, value in values.items()
    }


def _event_today(event: Event) -> datetime.date:
    return today_on_event_clock(event.tz, timezone.now())


def _require_valid(values: dict, *, event: Event, today: datetime.date) -> None:
    problems = request_problems(values, limits=trip_limits(event), today=today)
    if problems:
        raise ValidationError(problems)


def _full_clean(request: VisaRequest) -> None:
    # Lengths and choices (the form checks them too; a service caller may not have a form).
    # The one-open-request constraint is checked under the lock by the caller.
    request.full_clean(exclude=["registration"], validate_constraints=False)


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


def _withdraw(
    request: VisaRequest, *, actor: User | None, reason: str, registration_closed: bool = False
) -> None:
    _void_current_letter(request, reason=VOID_WITHDRAWN)
    _change_status(request, Status.WITHDRAWN, actor=actor, action=Action.WITHDRAWN, reason=reason)
    if registration_closed:
        emails.send_status_email(request, registration_closed=True)
    else:
        emails.send_status_email(request, reason=reason)


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
