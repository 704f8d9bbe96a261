"""The add-on rules: every change to a booking goes through a function here.

Views, the admin, the registration form's receiver and other apps (delegations) call these,
so a rule holds whoever acts.

Locking. The documented order (docs/architecture.md) is user → event → category →
registration rows → code rows (pricing) → add-on rows → visa requests → invoices. A booking
service locks the event row, then the registration row (`select_for_update(no_key=True)`),
then the add-on rows it touches in id order, then counts the confirmed bookings and writes.
The add-on row lock serialises every change of an add-on's occupancy, so two processes can
never both see its last place as free (locking the booking rows would not stop a new insert).
The event lock comes first because a promotion re-prices the promoted registrations (pricing
writes their price lines and price) after the add-on lock: every other path that holds a
registration's row and then waits for an add-on row — a booking, a cancellation, the cascade
of a registration's status change — holds the event lock before it, so none can wait for the
promotion in a circle. Called from a receiver of registrations' signals, the caller already
holds the event, the category and the registration; locking them again in the same
transaction costs a query and never waits.

Prices. A priced add-on is a line of the registration's price (`pricing`, through the line
provider in `receivers.py`). A change of the registration's confirmed, priced bookings made
after it was registered re-prices it (`pricing.services.reprice_registration`) in the same
transaction (the form's bookings too: pricing's receiver priced the registration just
before this app's books them). An invoice already issued is not amended here.

Waitlists. A booking is confirmed while the add-on has a free place, else waitlisted with the
time it joined. A freed place (a cancellation, a capacity raised) goes to the oldest waitlisted
booking whose registration holds a place (pending or confirmed): a delegate still on the
event's own waitlist keeps their turn but does not take a seat before they have a place at the
forum; when their registration is promoted, their waitlisted add-ons are promoted as far as
there is room (`promote_from_waitlist`). A registration cancelled or rejected cancels its
bookings, and their places go on down the waitlists.

Side effects. Each change writes an `AddOnBookingHistory` row and queues its e-mails through
the outbox (`addons/emails.py`) in the same transaction; nothing is rendered under the locks.
"""

from collections import Counter
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from events.models import Event
from pricing.services import reprice_registration
from registrations.models import Registration

from . import emails
from .models import AddOn, AddOnBooking, AddOnBookingHistory

Status = AddOnBooking.Status
Action = AddOnBookingHistory.Action

_ONE_ACTIVE_CONSTRAINT = "addon_booking_one_active_per_registration"

# A registration in one of these may book add-ons; a waitlisted one joins their waitlists.
REGISTRATION_STATUSES_THAT_BOOK = (
    Registration.Status.PENDING,
    Registration.Status.CONFIRMED,
    Registration.Status.WAITLISTED,
)


class AddOnError(Exception):
    """A refusal the person acting can understand; `message` is translated."""

    default_message = _("This add-on cannot be booked.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class AddOnNotOffered(AddOnError):
    default_message = _("This add-on is not offered for your registration.")


class AddOnClosed(AddOnError):
    default_message = _("This add-on is not on sale at the moment.")


class RegistrationNotActive(AddOnError):
    default_message = _("Add-ons can only be booked for an active registration.")


class BookingNotActive(AddOnError):
    default_message = _("This booking is already cancelled.")


# ---------------------------------------------------------------------------------------------
# What a registration may book (no locks: shown on pages, checked again under the locks)


def offered_to(add_on: AddOn, registration: Registration, *, category_ids=None) -> bool:
    """Whether `add_on` is offered to `registration` at all (the sale window aside): active,
    of the registration's event, for its category, and — when priced — in its currency.
    `category_ids` (the add-on's allowed category ids, empty for all) saves a query when the
    caller has them."""
    if not add_on.active or add_on.event_id != registration.event_id:
        return False
    if category_ids is None:
        category_ids = [category.pk for category in add_on.categories.all()]
    if category_ids and registration.category_id not in category_ids:
        return False
    return add_on.is_free or add_on.currency == registration.currency


def missing_details(add_on: AddOn, details: dict) -> dict:
    """{field: message} for the details `add_on` asks for that `details` lacks."""
    missing = {}
    if add_on.asks_ppe_size and not details.get("ppe_size"):
        missing["ppe_size"] = _("Choose your PPE size for %(add_on)s.") % {"add_on": add_on.name}
    if add_on.asks_passport_name and not details.get("passport_name"):
        missing["passport_name"] = _("Enter your name as in your passport for %(add_on)s.") % {
            "add_on": add_on.name
        }
    return missing


# ---------------------------------------------------------------------------------------------
# Book


def book_add_ons(
    registration: Registration,
    add_ons: Iterable[AddOn],
    *,
    acting_user: User | None,
    details: dict | None = None,
    override_window: bool = False,
    notify: bool = True,
    reprice: bool = True,
    locks_held: bool = False,
) -> list[AddOnBooking]:
    """Book `add_ons` for `registration`; return its active bookings of them (new or not).

    `details` holds what some add-ons ask for: `ppe_size` and `passport_name` (Latin
    letters; the registration's name in Latin letters when not given). An add-on already
    booked (confirmed or waitlisted) is left as it is: a replayed form books nothing twice.

    Rules, checked while holding the registration's lock, then the add-ons' (by id):
    - the registration must be pending, confirmed or waitlisted (`RegistrationNotActive`);
    - each add-on must be offered to it (`offered_to`: `AddOnNotOffered`) and on sale unless
      `override_window` (the secretariat) (`AddOnClosed`); the details it asks for must be
      there (`ValidationError`);
    - a booking is confirmed while the add-on has a free place, else waitlisted; a waitlisted
      registration's bookings are waitlisted (see the module's docstring).
    Every check runs before the first insert: a refusal books nothing.

    Side effects, in order: the booking rows with the add-on's price and currency; a history
    row each (actor: `acting_user`); one e-mail to the delegate listing the new bookings and
    their status (not with `notify=False`); the registration re-priced when a priced
    booking was confirmed (not with `reprice=False`: a caller that prices it itself next).
    `locks_held`: the caller holds the event's and the
    registration's locks and passes the registration as read under them (a receiver of
    registrations' signals).
    """
    details = {key: value for key, value in (details or {}).items() if value}
    wanted = {add_on.pk: add_on for add_on in add_ons}
    if not wanted:
        return []
    with transaction.atomic():
        if not locks_held:
            registration = _lock_registration(registration.pk)
        if registration.status not in REGISTRATION_STATUSES_THAT_BOOK:
            raise RegistrationNotActive()
        locked = _lock_add_ons(wanted)
        existing = {
            booking.add_on_id: booking
            for booking in AddOnBooking.objects.filter(
                registration=registration,
                add_on__in=list(locked),
                status__in=AddOnBooking.ACTIVE_STATUSES,
            )
        }
        now = timezone.now()
        passport_name = details.get("passport_name") or registration.latin_name
        to_book = [add_on for pk, add_on in locked.items() if pk not in existing]
        allowed = _allowed_category_ids([add_on.pk for add_on in to_book])
        for add_on in to_book:
            if not offered_to(add_on, registration, category_ids=allowed.get(add_on.pk, [])):
                raise AddOnNotOffered(
                    _("%(add_on)s is not offered for your registration.") % {"add_on": add_on.name}
                )
            if not override_window and not add_on.on_sale(now):
                raise AddOnClosed(
                    _("%(add_on)s is not on sale at the moment.") % {"add_on": add_on.name}
                )
            missing = missing_details(add_on, {**details, "passport_name": passport_name})
            if missing:
                raise ValidationError(missing)

        taken = _confirmed_counts([add_on.pk for add_on in to_book])
        new_bookings = []
        for add_on in to_book:
            if registration.status == Registration.Status.WAITLISTED or not _has_place(
                add_on, taken[add_on.pk]
            ):
                status = Status.WAITLISTED
            else:
                status = Status.CONFIRMED
                taken[add_on.pk] += 1
            booking = AddOnBooking(
                registration=registration,
                add_on=add_on,
                status=status,
                price=add_on.price,
                currency=add_on.currency,
                ppe_size=details.get("ppe_size", "") if add_on.asks_ppe_size else "",
                passport_name=passport_name if add_on.asks_passport_name else "",
                waitlisted_at=now if status == Status.WAITLISTED else None,
            )
            booking.full_clean(exclude=["registration", "add_on"], validate_constraints=False)
            try:
                with transaction.atomic():
                    booking.save(force_insert=True)
            except IntegrityError as error:
                # Only a caller that bypassed the registration lock could get here.
                if _ONE_ACTIVE_CONSTRAINT not in str(error):
                    raise
                raise AddOnError(
                    _("This add-on is already booked for this registration.")
                ) from error
            _record(
                booking,
                actor=acting_user,
                action=Action.BOOKED if status == Status.CONFIRMED else Action.WAITLISTED,
                to_status=status,
            )
            new_bookings.append(booking)
        if new_bookings:
            if reprice:
                _reprice(registration, [b for b in new_bookings if b.status == Status.CONFIRMED])
            if notify:
                emails.send_booking_email(registration, new_bookings)
    return [existing.get(pk) or next(b for b in new_bookings if b.add_on_id == pk) for pk in locked]


# ---------------------------------------------------------------------------------------------
# Cancel


def cancel_booking(
    booking: AddOnBooking,
    *,
    acting_user: User | None,
    reason: str = "",
    notify: bool = True,
) -> AddOnBooking:
    """Cancel a confirmed or waitlisted booking (by the delegate or the secretariat).

    Side effects, in order: status → cancelled; a history row; the delegate's e-mail (not with
    `notify=False`); if the booking held a place, the add-on's waitlist is promoted into it
    (`promote_from_waitlist`: history rows and e-mails) in the same transaction. Raises
    `BookingNotActive` if it is already cancelled.
    """
    with transaction.atomic():
        registration = _lock_registration(booking.registration_id)
        add_on = _lock_add_ons({booking.add_on_id: None})[booking.add_on_id]
        booking = AddOnBooking.objects.select_for_update(no_key=True).get(pk=booking.pk)
        booking.add_on = add_on
        if not booking.is_active:
            raise BookingNotActive()
        booking.registration = registration
        held_place = booking.status == Status.CONFIRMED
        _cancel(booking, actor=acting_user, reason=reason)
        if held_place:
            _reprice(registration, [booking])
        if notify:
            emails.send_cancelled_email(registration, [booking])
        if held_place:
            _promote_waitlist(booking.add_on, actor=None, cause="cancellation")
    return booking


def cancel_registration_bookings(
    registration: Registration, *, acting_user: User | None, reason: str = ""
) -> list[AddOnBooking]:
    """Cancel every active booking of `registration` (cancelled or rejected); return them.

    The caller (registrations' status change) holds the event's and the registration's
    locks; the add-ons are locked here by id, then the freed places go down each add-on's
    waitlist. No e-mail about
    the bookings themselves: the delegate gets the registration's own. Nothing is locked
    when there is nothing to cancel.
    """
    bookings = list(
        AddOnBooking.objects.filter(
            registration=registration, status__in=AddOnBooking.ACTIVE_STATUSES
        ).select_related("add_on")
    )
    if not bookings:
        return []
    with transaction.atomic():
        locked = _lock_add_ons({booking.add_on_id: None for booking in bookings})
        bookings = list(
            AddOnBooking.objects.select_for_update(no_key=True)
            .filter(
                pk__in=[booking.pk for booking in bookings], status__in=AddOnBooking.ACTIVE_STATUSES
            )
            .order_by("add_on_id")
        )
        freed = []
        for booking in bookings:
            booking.add_on = locked[booking.add_on_id]
            booking.registration = registration
            if booking.status == Status.CONFIRMED:
                freed.append(booking.add_on)
            _cancel(booking, actor=acting_user, reason=reason, cause="registration")
        for add_on in freed:
            _promote_waitlist(add_on, actor=None, cause="cancellation")
    return bookings


# ---------------------------------------------------------------------------------------------
# Waitlist


def promote_from_waitlist(
    add_on: AddOn, *, actor: User | None = None, cause: str = ""
) -> list[AddOnBooking]:
    """Fill `add_on`'s free places from its waitlist; return the promoted bookings.

    Locks the event, then the add-on row. Waitlisted bookings are taken oldest first
    (`waitlisted_at`, then id); one whose registration does not hold a place at the event
    (itself waitlisted) is skipped and keeps its position. Each promoted booking is confirmed,
    gets a history row (actor: `actor`, or none when the portal acted on its own; `cause` in
    the details), re-prices its registration when priced, and gets its "a place came free"
    e-mail. Nobody is promoted once the event is over.
    """
    with transaction.atomic():
        event_id = add_on.event_id or AddOn.objects.values_list("event_id", flat=True).get(
            pk=add_on.pk
        )
        _lock_event(event_id)
        add_on = _lock_add_ons({add_on.pk: None})[add_on.pk]
        return _promote_waitlist(add_on, actor=actor, cause=cause)


def _promote_waitlist(add_on: AddOn, *, actor: User | None, cause: str) -> list[AddOnBooking]:
    """promote_from_waitlist's work; the caller holds the event and the add-on locks."""
    promoted: list[AddOnBooking] = []
    if add_on.event.is_past:
        return promoted
    free = None
    if add_on.capacity is not None:
        free = add_on.capacity - _confirmed_counts([add_on.pk])[add_on.pk]
        if free <= 0:
            return promoted
    waitlist = (
        AddOnBooking.objects.filter(
            add_on=add_on,
            status=Status.WAITLISTED,
            registration__status__in=Registration.PLACE_HOLDING_STATUSES,
        )
        .select_related("registration__event", "registration__category")
        .order_by("waitlisted_at", "pk")
    )
    if free is not None:
        waitlist = waitlist[:free]
    for booking in waitlist:
        booking.add_on = add_on
        _change_status(booking, Status.CONFIRMED, actor=actor, action=Action.PROMOTED, cause=cause)
        _reprice(booking.registration, [booking])
        emails.send_promoted_email(booking)
        promoted.append(booking)
    return promoted


def promote_registration_waitlist(registration: Registration) -> list[AddOnBooking]:
    """A registration that now holds a place (promoted at the event): run the waitlists of the
    add-ons it waits for, in add-on id order, so its bookings get the free places in turn.
    The caller (registrations' status change) holds the event's and the registration's
    locks; the add-ons are locked here, by id."""
    add_on_ids = sorted(
        AddOnBooking.objects.filter(registration=registration, status=Status.WAITLISTED)
        .values_list("add_on_id", flat=True)
        .distinct()
    )
    promoted = []
    if not add_on_ids:
        return promoted
    with transaction.atomic():
        for add_on in _lock_add_ons(dict.fromkeys(add_on_ids)).values():
            promoted += _promote_waitlist(add_on, actor=None, cause="registration_promoted")
    return promoted


def change_add_on_capacity(
    add_on: AddOn, *, capacity: int | None, acting_user: User
) -> list[AddOnBooking]:
    """Set `add_on`'s capacity (None: unlimited); return the bookings promoted as a result.

    Lowering it below the places taken cancels nobody; raising it promotes the waitlist into
    the new places in the same transaction (`promote_from_waitlist`)."""
    if capacity is not None and capacity < 0:
        raise ValidationError({"capacity": _("The capacity cannot be negative.")})
    with transaction.atomic():
        _lock_event(add_on.event_id)
        add_on = _lock_add_ons({add_on.pk: None})[add_on.pk]
        add_on.capacity = capacity
        add_on.save(update_fields=["capacity", "updated_at"])
        return _promote_waitlist(add_on, actor=acting_user, cause="capacity")


# ---------------------------------------------------------------------------------------------
# Helpers


def _lock_event(event_id: int) -> None:
    list(Event.objects.select_for_update(no_key=True).filter(pk=event_id).values_list("pk"))


def _lock_registration(registration_id: int) -> Registration:
    """Lock the registration's event, then the registration; return it re-read."""
    event_id = Registration.objects.values_list("event_id", flat=True).get(pk=registration_id)
    event = Event.objects.select_for_update(no_key=True, of=("self",)).get(pk=event_id)
    registration = (
        Registration.objects.select_for_update(no_key=True, of=("self",))
        .select_related("category")
        .get(pk=registration_id)
    )
    registration.event = event
    return registration


def _lock_add_ons(add_ons: dict) -> dict[int, AddOn]:
    """Lock the add-on rows in id order (the one order, so two bookings never wait for each
    other in a circle); return them by id, in that order."""
    return {
        add_on.pk: add_on
        for add_on in AddOn.objects.select_for_update(no_key=True, of=("self",))
        .select_related("event")
        .filter(pk__in=sorted(add_ons))
        .order_by("pk")
    }


def _allowed_category_ids(add_on_ids: Sequence[int]) -> dict[int, list[int]]:
    allowed: dict[int, list[int]] = {}
    if not add_on_ids:
        return allowed
    for add_on_id, category_id in AddOn.categories.through.objects.filter(
        addon_id__in=add_on_ids
    ).values_list("addon_id", "delegatecategory_id"):
        allowed.setdefault(add_on_id, []).append(category_id)
    return allowed


def _confirmed_counts(add_on_ids: Sequence[int]) -> Counter:
    """Confirmed bookings per add-on: one query. Call under the add-ons' locks."""
    if not add_on_ids:
        return Counter()
    return Counter(
        {
            row["add_on"]: row["taken"]
            for row in AddOnBooking.objects.filter(add_on__in=add_on_ids, status=Status.CONFIRMED)
            .values("add_on")
            .annotate(taken=Count("pk"))
            .order_by()
        }
    )


def _has_place(add_on: AddOn, taken: int) -> bool:
    return add_on.capacity is None or taken < add_on.capacity


def _cancel(booking: AddOnBooking, *, actor: User | None, reason: str, **details) -> None:
    _change_status(
        booking,
        Status.CANCELLED,
        actor=actor,
        action=Action.CANCELLED,
        reason=(reason or "").strip(),
        **details,
    )


def _change_status(
    booking: AddOnBooking,
    new_status: str,
    *,
    actor: User | None,
    action: str,
    reason: str = "",
    **details,
) -> None:
    old_status = booking.status
    booking.status = new_status
    booking.save(update_fields=["status", "updated_at"])
    _record(
        booking,
        actor=actor,
        action=action,
        from_status=old_status,
        to_status=new_status,
        reason=reason,
        **{key: value for key, value in details.items() if value},
    )


def _record(
    booking: AddOnBooking,
    *,
    actor: User | None,
    action: str,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    **details,
) -> AddOnBookingHistory:
    return AddOnBookingHistory.objects.create(
        booking=booking,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        details=details,
    )


def _reprice(registration: Registration, bookings: Sequence[AddOnBooking]) -> None:
    """Re-price a registration whose priced bookings changed (see the module's docstring)."""
    if any(booking.price for booking in bookings):
        reprice_registration(registration)


def registration_bookings_ids(registration: Registration) -> list[int]:
    """The add-on ids the registration holds an active booking for (the page's form leaves
    them out)."""
    return list(
        AddOnBooking.objects.filter(
            registration=registration, status__in=AddOnBooking.ACTIVE_STATUSES
        ).values_list("add_on_id", flat=True)
    )
