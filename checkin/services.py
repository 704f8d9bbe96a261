"""The door's rules: every scan, sync, search check-in and undo goes through a function here.

`scan_badge` decides one badge at one zone: green "admitted", amber "already" (admitted to
this zone before: when and by whom), or red "refused" with a reason (a forged or garbled
token, a reissued badge, another event's badge, a cancelled, rejected, waitlisted or pending
registration, unpaid where the event requires payment, a category this zone does not admit).
Every scan is recorded, refusals included; none is deleted.

Locking. A scan locks the registration's row (`select_for_update(no_key=True)`) and nothing
else: no place changes hands, so the event and category rows are not needed, and the lock
order of docs/architecture.md holds (registration rows after event and category). Two doors
scanning one badge at once queue on that lock: the first admits, the second sees the first's
scan and answers "already". The partial unique constraint `checkin_one_admission_per_zone` is
the last line behind it. The entrance's admission checks the delegate in through
`registrations.services.check_in_registration` in the same transaction (same row, already
locked).

Offline doors. A scan carries the door's `client_id` (a UUID): a sync sent twice records
nothing twice (`sync_scans`). When two doors admitted the same badge offline, the first by
the door's clock wins, whichever synced first: a later-arriving earlier scan takes the
admission and the other one is re-decided as "already"; both stay recorded.
"""

import contextlib
import datetime
import hashlib
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from badges.tokens import BadToken, read_badge_token
from billing.selectors import payment_required_for_check_in, registrations_owing
from events.models import Event
from events.templatetags.event_time import format_event_time, zone_label
from registrations.models import Registration
from registrations.services import InvalidTransition, check_in_registration, undo_check_in

from .models import Scan, Zone

Outcome = Scan.Outcome
Reason = Scan.Reason
Status = Registration.Status

COLOURS = {Outcome.ADMITTED: "green", Outcome.ALREADY: "amber", Outcome.REFUSED: "red"}
# A registration in one of these statuses is refused, with this reason.
REFUSED_STATUSES = {
    Status.CANCELLED: Reason.CANCELLED,
    Status.REJECTED: Reason.REJECTED,
    Status.WAITLISTED: Reason.WAITLISTED,
    Status.PENDING: Reason.PENDING,
}


class CheckinError(Exception):
    """A request the door cannot act on (unknown zone, undo too late). `message` is
    translated and fit to show."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def undo_seconds() -> int:
    return int(getattr(settings, "CHECKIN_UNDO_SECONDS", 60))


def token_hash(token: str) -> str:
    """What a scan keeps of the token shown: its SHA-256, in hex (the offline list's key)."""
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ScanResult:
    """What the door's screen shows for one scan."""

    scan: Scan
    message: str
    registration: Registration | None = None

    @property
    def outcome(self) -> str:
        return self.scan.outcome

    @property
    def colour(self) -> str:
        return COLOURS[self.scan.outcome]

    @property
    def undo_until(self) -> datetime.datetime | None:
        if self.scan.outcome != Outcome.ADMITTED or self.scan.undone_at is not None:
            return None
        until = self.scan.scanned_at + datetime.timedelta(seconds=undo_seconds())
        return until if until > timezone.now() else None

    def as_json(self) -> dict:
        registration = self.registration
        undo_until = self.undo_until
        return {
            "outcome": self.scan.outcome,
            "colour": self.colour,
            "message": str(self.message),
            "reason": self.scan.reason,
            "scan_id": self.scan.pk,
            "client_id": str(self.scan.client_id),
            "offline": self.scan.offline,
            "undone": self.scan.undone_at is not None,
            "undo_until": undo_until.isoformat() if undo_until else None,
            "delegate": delegate_json(registration) if registration is not None else None,
        }


def delegate_json(registration: Registration) -> dict:
    return {
        "name": registration.full_name,
        "organisation": registration.organisation,
        "category": registration.category_name_in_language,
        "reference": registration.reference,
    }


def staff_name(user) -> str:
    """How a door names a member of staff: their profile's name, else their e-mail."""
    if user is None:
        return ""
    profile = getattr(user, "delegate_profile", None)
    name = " ".join(
        p for p in (getattr(profile, "first_name", ""), getattr(profile, "last_name", "")) if p
    )
    return name or user.email


def ensure_entrance(event: Event) -> Zone:
    """The event's entrance, created on first need (events made after this app's migration
    have none until then). A concurrent creation is caught by the one-entrance constraint."""
    zone = Zone.objects.filter(event=event, is_entrance=True).first()
    if zone is not None:
        return zone
    try:
        with transaction.atomic():
            return Zone.objects.create(event=event, is_entrance=True)
    except IntegrityError:
        return Zone.objects.get(event=event, is_entrance=True)


# ---------------------------------------------------------------------------------------------
# Scanning


def scan_badge(
    *,
    event: Event,
    zone: Zone,
    token: str | None = None,
    registration: Registration | None = None,
    actor,
    client_id=None,
    scanned_at: datetime.datetime | None = None,
    device: str = "",
    offline: bool = False,
) -> ScanResult:
    """Decide one badge (its QR `token`, or a `registration` found by search) at `zone`.

    Returns the `ScanResult` (the recorded scan and the sentence to show). A `client_id` seen
    before returns that scan's result and records nothing. `scanned_at` is the door's clock
    for an offline scan (never later than now); online scans are timed by the server.

    Side effects, in one transaction: the registration's row locked; the scan inserted;
    for an admission at the entrance, `checked_in_at` set with a history row
    (`registrations.services.check_in_registration`); for an earlier offline scan than
    the recorded admission, that admission re-decided as "already" (and the check-in time
    moved earlier).
    """
    if zone.event_id != event.pk:
        raise CheckinError(_("This zone belongs to another event."))
    now = timezone.now()
    client_id = _client_uuid(client_id)
    if client_id is not None:
        replay = _replayed(client_id)
        if replay is not None:
            return replay
    scanned_at = min(scanned_at, now) if (offline and scanned_at) else now
    scan = Scan(
        event=event,
        zone=zone,
        scanned_at=scanned_at,
        received_at=now,
        by=actor,
        device=(device or "")[:100],
        offline=offline,
        client_id=client_id or uuid.uuid4(),
        method=Scan.Method.QR if token is not None else Scan.Method.SEARCH,
    )
    if token is not None:
        scan.token_hash = token_hash(token)
        try:
            code = read_badge_token(token)
        except BadToken:
            return _refuse(scan, Reason.FORGED, None)
        return _decide(scan, {"badge__code": code}, client_given=client_id is not None)
    if registration is None:
        return _refuse(scan, Reason.UNKNOWN, None)
    return _decide(scan, {"pk": registration.pk}, client_given=client_id is not None)


def _client_uuid(value) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    if isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))  # ValueError for garbage: the view answers 400


def _replayed(client_id: uuid.UUID) -> ScanResult | None:
    scan = (
        Scan.objects.select_related("registration", "zone__event", "event")
        .filter(client_id=client_id)
        .first()
    )
    return result_for(scan) if scan is not None else None


def _save_scan(scan: Scan, *, client_given: bool = True) -> ScanResult | None:
    """Insert the scan; on a client_id already recorded (the same sync sent twice at once),
    return that scan's result instead. Only a door's own client_id can collide, so a scan
    without one is inserted without the savepoint (two round trips fewer at a busy door)."""
    if not client_given:
        scan.save(force_insert=True)
        return None
    try:
        with transaction.atomic():
            scan.save(force_insert=True)
    except IntegrityError:
        replay = _replayed(scan.client_id)
        if replay is None:
            raise
        return replay
    return None


def _refuse(
    scan: Scan, reason: str, registration: Registration | None, *, client_given: bool = True
) -> ScanResult:
    scan.outcome, scan.reason, scan.registration = Outcome.REFUSED, reason, registration
    replay = _save_scan(scan, client_given=client_given)
    if replay is not None:
        return replay
    return ScanResult(scan, refusal_message(reason, registration, scan.zone), registration)


def _decide(scan: Scan, lookup: dict, *, client_given: bool) -> ScanResult:
    """Lock the registration (found by its badge's code or its pk) and decide."""
    zone, event = scan.zone, scan.event
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(no_key=True, of=("self",))
            .select_related("event")
            .filter(**lookup)
            .first()
        )
        if registration is None:
            # A well-signed code that no badge has any more: the badge was reissued.
            reason = Reason.REISSUED if "badge__code" in lookup else Reason.UNKNOWN
            return _refuse(scan, reason, None, client_given=client_given)
        scan.registration = registration
        if registration.event_id != event.pk:
            return _refuse(scan, Reason.WRONG_EVENT, registration, client_given=client_given)
        reason = _refusal_reason(registration, zone, event)
        if reason:
            return _refuse(scan, reason, registration, client_given=client_given)
        admitted = (
            Scan.objects.select_related("by__delegate_profile")
            .filter(
                registration=registration,
                zone=zone,
                outcome=Outcome.ADMITTED,
                undone_at__isnull=True,
            )
            .first()
        )
        earlier = admitted is not None and scan.offline and scan.scanned_at < admitted.scanned_at
        if admitted is not None and not earlier:
            scan.outcome = Outcome.ALREADY
            replay = _save_scan(scan, client_given=client_given)
            if replay is not None:
                return replay
            return ScanResult(scan, already_message(admitted, registration, zone), registration)
        if admitted is None and zone.is_entrance and registration.checked_in_at is not None:
            # Checked in without a scan (the admin's action): nobody to name.
            scan.outcome = Outcome.ALREADY
            replay = _save_scan(scan, client_given=client_given)
            if replay is not None:
                return replay
            return ScanResult(scan, already_message(None, registration, zone), registration)
        if admitted is not None:
            # An earlier offline scan than the admission recorded: the first one wins.
            admitted.outcome = Outcome.ALREADY
            admitted.save(update_fields=["outcome"])
        scan.outcome = Outcome.ADMITTED
        replay = _save_scan(scan, client_given=client_given)
        if replay is not None:
            return replay
        if zone.is_entrance:
            check_in_registration(
                registration, acting_user=scan.by, at=scan.scanned_at, scan=scan.pk
            )
        return ScanResult(scan, admitted_message(registration, zone), registration)


def _refusal_reason(registration: Registration, zone: Zone, event: Event) -> str:
    """Why this (locked) registration may not enter `zone`, or ""."""
    if registration.status in REFUSED_STATUSES:
        return REFUSED_STATUSES[registration.status]
    # The view and the selectors load the ids with the zone; a bare Zone asks.
    ids = getattr(zone, "category_ids", None)
    if ids is None:
        ids = zone.categories.values_list("pk", flat=True)
    allowed = set(ids)
    if allowed and registration.category_id not in allowed:
        return Reason.CATEGORY
    if payment_required_for_check_in(event) and registrations_owing(event, [registration.pk]):
        return Reason.UNPAID
    return ""


# ---------------------------------------------------------------------------------------------
# The sentences


def admitted_message(registration: Registration, zone: Zone) -> str:
    if zone.is_entrance:
        return _("Checked in: %(name)s.") % {"name": registration.full_name}
    return _("Admitted to %(zone)s: %(name)s.") % {
        "zone": zone.label,
        "name": registration.full_name,
    }


def door_time(moment: datetime.datetime, event: Event) -> str:
    """09:14 (Asia/Almaty, UTC+5) on the event's day of the scan; with the date otherwise."""
    local = moment.astimezone(event.tz)
    if local.date() == timezone.now().astimezone(event.tz).date():
        return f"{local:%H:%M} ({zone_label(local, event)})"
    return format_event_time(moment, event)


def already_message(admitted: Scan | None, registration: Registration, zone: Zone) -> str:
    event = registration.event
    if admitted is None:
        return _("Already checked in at %(time)s.") % {
            "time": door_time(registration.checked_in_at, event)
        }
    values = {
        "time": door_time(admitted.scanned_at, event),
        "by": staff_name(admitted.by) or _("someone"),
        "zone": zone.label,
    }
    if zone.is_entrance:
        return _("Already checked in at %(time)s by %(by)s.") % values
    return _("Already admitted to %(zone)s at %(time)s by %(by)s.") % values


def refusal_message(reason: str, registration: Registration | None, zone: Zone) -> str:
    if reason == Reason.FORGED:
        return _("Not a badge of this portal: the code is forged or damaged.")
    if reason == Reason.REISSUED:
        return _("This badge was replaced by a newer one and is no longer valid.")
    if reason == Reason.UNKNOWN:
        return _("No registration with this reference.")
    if reason == Reason.WRONG_EVENT:
        return _("This badge is for another event: %(event)s.") % {
            "event": registration.event.title
        }
    if reason == Reason.CANCELLED:
        return _("This registration was cancelled.")
    if reason == Reason.REJECTED:
        return _("This registration was rejected.")
    if reason == Reason.WAITLISTED:
        return _("This delegate is on the waitlist, not confirmed.")
    if reason == Reason.PENDING:
        return _("This registration is still waiting for approval.")
    if reason == Reason.UNPAID:
        return _("Not paid: this event requires payment before check-in.")
    if reason == Reason.CATEGORY:
        return _("The category %(category)s is not admitted to %(zone)s.") % {
            "category": registration.category_name_in_language,
            "zone": zone.label,
        }
    return ""


def result_for(scan: Scan) -> ScanResult:
    """A recorded scan's result as the door showed it, rebuilt from the database (a replayed
    sync, an undo)."""
    registration = scan.registration
    if scan.outcome == Outcome.REFUSED:
        return ScanResult(scan, refusal_message(scan.reason, registration, scan.zone), registration)
    if scan.outcome == Outcome.ADMITTED:
        return ScanResult(scan, admitted_message(registration, scan.zone), registration)
    admitted = (
        Scan.objects.select_related("by__delegate_profile")
        .filter(
            registration=registration,
            zone=scan.zone,
            outcome=Outcome.ADMITTED,
            undone_at__isnull=True,
        )
        .first()
    )
    if admitted is None and not (scan.zone.is_entrance and registration.checked_in_at):
        return ScanResult(
            scan, _("Was already admitted; that admission has since been undone."), registration
        )
    return ScanResult(scan, already_message(admitted, registration, scan.zone), registration)


# ---------------------------------------------------------------------------------------------
# Offline sync, search check-in, undo


def sync_scans(event: Event, actor, scans: list[dict], *, device: str = "") -> list[ScanResult]:
    """Record the scans an offline door queued: each {client_id, token, zone (a Zone of
    `event`), scanned_at}. Idempotent by client_id. Scans are decided in the order the
    door made them; each in its own transaction (one bad badge does not hold the others)."""
    results = []
    for item in sorted(scans, key=lambda each: each["scanned_at"]):
        results.append(
            scan_badge(
                event=event,
                zone=item["zone"],
                token=item["token"],
                actor=actor,
                client_id=item["client_id"],
                scanned_at=item["scanned_at"],
                device=device,
                offline=True,
            )
        )
    return results


def undo_scan(scan: Scan, actor) -> ScanResult:
    """Undo an admission within `CHECKIN_UNDO_SECONDS` of the scan (a badge scanned at the
    wrong door, the wrong person found by search).

    Side effects, in one transaction: the registration's row locked; the scan marked undone
    (who, when); at the entrance, `checked_in_at` cleared with a history row
    (`registrations.services.undo_check_in`). Raises `CheckinError` for a scan that admitted
    nobody, was undone already, or is older than the window.
    """
    if scan.outcome != Outcome.ADMITTED:
        raise CheckinError(_("Only an admission can be undone."))
    with transaction.atomic():
        Registration.objects.select_for_update(no_key=True).filter(pk=scan.registration_id).first()
        scan = Scan.objects.select_related("registration__event", "zone", "event").get(pk=scan.pk)
        if scan.outcome != Outcome.ADMITTED:
            raise CheckinError(_("Only an admission can be undone."))
        if scan.undone_at is not None:
            raise CheckinError(_("This admission was already undone."))
        now = timezone.now()
        if now > scan.scanned_at + datetime.timedelta(seconds=undo_seconds()):
            raise CheckinError(
                _("Too late to undo: an admission can be undone within %(seconds)s seconds.")
                % {"seconds": undo_seconds()}
            )
        scan.undone_at, scan.undone_by = now, actor
        scan.save(update_fields=["undone_at", "undone_by"])
        if scan.zone.is_entrance:
            # Already cleared by the secretariat: nothing more to undo.
            with contextlib.suppress(InvalidTransition):
                undo_check_in(
                    scan.registration, acting_user=actor, reason=_("Scan undone"), scan=scan.pk
                )
        registration = scan.registration
    return ScanResult(
        scan,
        _("Undone: %(name)s is not admitted.") % {"name": registration.full_name},
        registration,
    )
