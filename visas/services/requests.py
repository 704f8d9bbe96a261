"""A visa request's life: asked for, reviewed, filed, issued, refused, withdrawn, corrected."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from events.models import Event
from registrations.models import Registration

from .. import emails
from ..models import VisaLetter, VisaRequest, VisaRequestHistory
from ..rules import filing_deadline, is_too_late, request_problems, today_on_event_clock
from ..selectors import trip_limits, visa_window
from .audit import _change_status, _lock, _record, _require_status
from .errors import (
    AlreadyRequested,
    PassportDataWiped,
    PetitionNumberInvalid,
    ReasonRequired,
    RegistrationNotActive,
    VisaLetterNotNeeded,
)
from .letters import VOID_REFUSED, VOID_WITHDRAWN, _issue_new_version, _void_current_letter

Status = VisaRequest.Status
Action = VisaRequestHistory.Action


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


def _withdraw(
    request: VisaRequest, *, actor: User | None, reason: str, registration_closed: bool = False
) -> None:
    _void_current_letter(request, reason=VOID_WITHDRAWN)
    _change_status(request, Status.WITHDRAWN, actor=actor, action=Action.WITHDRAWN, reason=reason)
    if registration_closed:
        emails.send_status_email(request, registration_closed=True)
    else:
        emails.send_status_email(request, reason=reason)
