"""Who may see which letter: the public verification (by token), the delegate's own download,
the secretariat's download. Reads only; the downloads' access log is written by the views
through `visas.services.log_passport_access`."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.http import Http404
from django.utils.crypto import constant_time_compare

from events.selectors import events_visible_to

from ..models import VisaLetter, VisaRequest

# What `models.new_verification_token` makes: 32 random bytes, URL-safe base64 (43 chars).
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")

PASSPORT_PERMISSION = "visas.view_passport_data"


@dataclass(frozen=True)
class Verification:
    """All the verification page shows: nothing else about the holder or the trip."""

    holder_name: str  # empty once the data was wiped after the event, or the letter replaced
    passport_last_digits: str
    event_title: str
    letter_number: str
    issued_at: datetime
    valid: bool
    voided_at: datetime | None
    replaced_by_version: int | None  # void because a newer version was issued
    event_time_zone: str


def verify_letter(token: str) -> Verification:
    """What the public page says about the letter with this token; a 404 for anything that is
    not a rendered letter's token (a malformed token never reaches the database)."""
    if not TOKEN_PATTERN.fullmatch(token):
        raise Http404
    letter = (
        VisaLetter.objects.select_related("request__registration__event")
        .filter(verification_token=token, rendered_at__isnull=False)
        .first()
    )
    # The index finds the row; comparing again in constant time keeps the page's answer time
    # from depending on how much of a guessed token matched a real one.
    if letter is None or not constant_time_compare(letter.verification_token, token):
        raise Http404
    visa_request = letter.request
    replaced_by = None
    if letter.is_void:
        replaced_by = (
            visa_request.letters.filter(version__gt=letter.version)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
    event = visa_request.registration.event
    # The request holds the current details only: a replaced letter may have printed others
    # (that is why it was replaced), so its page names no holder.
    holder_shown = replaced_by is None
    return Verification(
        holder_name=" ".join(
            part for part in (visa_request.given_names, visa_request.surname) if part
        )
        if holder_shown
        else "",
        passport_last_digits=visa_request.passport_number[-4:] if holder_shown else "",
        event_title=event.title,
        letter_number=letter.number,
        issued_at=letter.created_at,
        # A withdrawn or refused request's letter is voided by its service; checking the
        # request too keeps the page right should a letter be left behind.
        valid=letter.status == VisaLetter.Status.READY
        and visa_request.status not in VisaRequest.CLOSED_STATUSES,
        voided_at=letter.voided_at,
        replaced_by_version=replaced_by,
        event_time_zone=event.time_zone,
    )


def _downloadable():
    return VisaLetter.objects.select_related("request__registration__event").exclude(file="")


def delegate_letter(user, letter_id: int) -> VisaLetter:
    """The delegate's own ready letter; anyone else's, a void one or one not rendered: 404."""
    return _get(
        _downloadable().filter(
            status=VisaLetter.Status.READY, request__registration__delegate=user
        ),
        letter_id,
    )


def may_download_any_letter(user) -> bool:
    """Staff with the passport-data permission (the secretariat)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(PASSPORT_PERMISSION)
    )


def staff_letter(user, letter_id: int) -> VisaLetter:
    """A rendered letter (void ones too: the secretariat keeps the record) of an event the
    user may see; a letter of another forum's event is a 404."""
    return _get(
        _downloadable().filter(
            status__in=[VisaLetter.Status.READY, VisaLetter.Status.VOID],
            request__registration__event__in=events_visible_to(user),
        ),
        letter_id,
    )


def _get(queryset, letter_id: int) -> VisaLetter:
    letter = queryset.filter(pk=letter_id).first()
    if letter is None:
        raise Http404
    return letter
