"""Secretariat and delegate actions after registration: approve, reject, cancel, promote,
check in, correct details, change capacity; each with its waitlist effect and history."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from registrations.models import Registration, RegistrationHistory
from registrations.selectors import waitlist_position
from registrations.services import (
    CategoryFull,
    EventFull,
    InvalidTransition,
    ReasonRequired,
    approve_registration,
    cancel_registration,
    change_category_capacity,
    change_event_capacity,
    check_in_registration,
    promote_registration,
    reject_registration,
    update_registration_details,
)
from tests.factories import make_category, make_event, make_registration, make_user

pytestmark = pytest.mark.django_db

Status = Registration.Status
Action = RegistrationHistory.Action


@pytest.fixture
def staff():
    return make_user(is_staff=True)


def reload(registration):
    return Registration.objects.get(pk=registration.pk)


def history(registration):
    return list(
        registration.history.order_by("at", "pk").values_list(
            "action", "from_status", "to_status", "actor_id", "reason"
        )
    )


# Approve ---------------------------------------------------------------------------------


def test_approve_confirms_pending_and_records_it(staff):
    registration = make_registration(make_category(requires_approval=True))

    approve_registration(registration, acting_user=staff)

    registration = reload(registration)
    assert registration.status == Status.CONFIRMED
    assert history(registration)[-1] == (Action.APPROVED, "pending", "confirmed", staff.pk, "")


@pytest.mark.parametrize("category_fields", [{}, {"requires_approval": True}])
def test_approve_refuses_anything_but_pending(staff, category_fields):
    registration = make_registration(make_category(**category_fields))
    if registration.status == Status.PENDING:
        approve_registration(registration, acting_user=staff)

    with pytest.raises(InvalidTransition):
        approve_registration(registration, acting_user=staff)

    assert registration.history.count() == (2 if category_fields else 1)


def test_approve_uses_the_current_status_not_the_callers_copy(staff):
    registration = make_registration(make_category(requires_approval=True))
    stale_copy = reload(registration)
    cancel_registration(registration, acting_user=registration.delegate)

    with pytest.raises(InvalidTransition):
        approve_registration(stale_copy, acting_user=staff)

    assert reload(registration).status == Status.CANCELLED


# Reject ----------------------------------------------------------------------------------


def test_reject_needs_a_reason(staff):
    registration = make_registration(make_category(requires_approval=True))

    with pytest.raises(ReasonRequired):
        reject_registration(registration, reason="  ", acting_user=staff)

    assert reload(registration).status == Status.PENDING


def test_reject_records_reason(staff):
    registration = make_registration(make_category(requires_approval=True))

    reject_registration(registration, reason="Not a government official.", acting_user=staff)

    registration = reload(registration)
    assert registration.status == Status.REJECTED
    assert history(registration)[-1] == (
        Action.REJECTED,
        "pending",
        "rejected",
        staff.pk,
        "Not a government official.",
    )


def test_reject_refuses_confirmed(staff):
    registration = make_registration()

    with pytest.raises(InvalidTransition):
        reject_registration(registration, reason="No.", acting_user=staff)


def test_reject_promotes_the_earliest_waitlisted(staff):
    event = make_event(capacity=1)
    category = make_category(event, requires_approval=True)
    pending = make_registration(category)
    first_in_line = make_registration(category)
    second_in_line = make_registration(category)

    reject_registration(pending, reason="Duplicate person.", acting_user=staff)

    # Promotion into an approval category goes to pending, not confirmed.
    assert reload(first_in_line).status == Status.PENDING
    assert reload(second_in_line).status == Status.WAITLISTED
    assert waitlist_position(reload(second_in_line)) == 1
    promoted_entry = reload(first_in_line).history.order_by("pk").last()
    assert (promoted_entry.action, promoted_entry.actor) == (Action.PROMOTED, None)
    assert promoted_entry.details == {"cause": "rejection"}


def test_reject_of_waitlisted_promotes_nobody(staff):
    event = make_event(capacity=1)
    category = make_category(event)
    make_registration(category)
    waitlisted = make_registration(category)
    behind = make_registration(category)

    reject_registration(waitlisted, reason="Not eligible.", acting_user=staff)

    assert reload(behind).status == Status.WAITLISTED
    assert waitlist_position(reload(behind)) == 1


# Cancel ----------------------------------------------------------------------------------


def test_cancel_by_delegate_records_it():
    registration = make_registration()

    cancel_registration(registration, acting_user=registration.delegate, reason="Cannot travel")

    registration = reload(registration)
    assert registration.status == Status.CANCELLED
    assert history(registration)[-1] == (
        Action.CANCELLED,
        "confirmed",
        "cancelled",
        registration.delegate_id,
        "Cannot travel",
    )


def test_cancel_twice_is_refused():
    registration = make_registration()
    cancel_registration(registration, acting_user=registration.delegate)

    with pytest.raises(InvalidTransition):
        cancel_registration(registration, acting_user=registration.delegate)


def test_cancel_promotes_the_earliest_waitlisted_that_fits():
    event = make_event(capacity=2)
    small = make_category(event, capacity=1)
    large = make_category(event)
    in_small = make_registration(small)
    in_large = make_registration(large)
    # All wait for the event; the first also waits for its full category.
    waiting_for_small = make_registration(small)
    waiting_for_large = make_registration(large)
    waiting_for_large_later = make_registration(large)

    cancel_registration(in_large, acting_user=in_large.delegate)

    # A place in "large" came free: "small" is still full, so the earliest that fits moves up.
    assert reload(waiting_for_small).status == Status.WAITLISTED
    assert reload(waiting_for_large).status == Status.CONFIRMED
    assert reload(waiting_for_large_later).status == Status.WAITLISTED
    assert reload(in_small).status == Status.CONFIRMED


def test_nobody_is_promoted_automatically_after_the_event_is_over(staff):

    from django.utils import timezone

    from events.models import Event
    from mail.models import OutgoingEmail

    event = make_event(capacity=1)
    category = make_category(event)
    held = make_registration(category)
    waiting = make_registration(category)
    assert reload(waiting).status == Status.WAITLISTED
    over = timezone.localdate() - datetime.timedelta(days=3)
    Event.objects.filter(pk=event.pk).update(start_date=over, end_date=over)
    event.refresh_from_db()

    cancel_registration(held, acting_user=staff)
    promoted = change_event_capacity(event, capacity=5, acting_user=staff)

    assert promoted == []
    assert reload(waiting).status == Status.WAITLISTED
    assert not OutgoingEmail.objects.filter(kind="registration.promoted").exists()
    # The secretariat can still promote by hand.
    promote_registration(waiting, acting_user=staff)
    assert reload(waiting).status == Status.CONFIRMED


def test_cancel_of_a_place_in_a_full_category_promotes_in_waitlist_order():
    event = make_event(capacity=2)
    small = make_category(event, capacity=1)
    large = make_category(event)
    in_small = make_registration(small)
    make_registration(large)
    waiting_for_small = make_registration(small)
    waiting_for_large = make_registration(large)

    cancel_registration(in_small, acting_user=in_small.delegate)

    # The freed place is an event place and a "small" place: the earliest in line fits.
    assert reload(waiting_for_small).status == Status.CONFIRMED
    assert reload(waiting_for_large).status == Status.WAITLISTED


@pytest.mark.parametrize("free_a_place", ["cancellation", "event_capacity"])
def test_promotion_follows_waitlisted_at_not_creation_order(staff, free_a_place):
    event = make_event(capacity=1)
    category = make_category(event)
    held = make_registration(category)
    created_first = make_registration(category)
    created_later = make_registration(category)
    # The later row joined the queue earlier: e.g. a registration carried over from the
    # previous system with its original waitlist time. Its id is higher, its time lower.
    Registration.objects.filter(pk=created_later.pk).update(
        waitlisted_at=reload(created_first).waitlisted_at - datetime.timedelta(hours=1)
    )
    assert created_later.pk > created_first.pk
    assert waitlist_position(reload(created_later)) == 1
    assert waitlist_position(reload(created_first)) == 2

    if free_a_place == "cancellation":
        cancel_registration(held, acting_user=held.delegate)
    else:
        change_event_capacity(event, capacity=2, acting_user=staff)

    assert reload(created_later).status == Status.CONFIRMED
    assert reload(created_first).status == Status.WAITLISTED
    assert waitlist_position(reload(created_first)) == 1


def test_cancel_of_waitlisted_frees_no_place():
    category = make_category(make_event(capacity=1))
    make_registration(category)
    waitlisted = make_registration(category)
    behind = make_registration(category)

    cancel_registration(waitlisted, acting_user=waitlisted.delegate)

    assert reload(behind).status == Status.WAITLISTED
    assert waitlist_position(reload(behind)) == 1


# Promote by hand -------------------------------------------------------------------------


def test_promote_by_hand_needs_a_place(staff):
    category = make_category(make_event(capacity=1))
    make_registration(category)
    waitlisted = make_registration(category)

    with pytest.raises(EventFull):
        promote_registration(waitlisted, acting_user=staff)

    assert reload(waitlisted).status == Status.WAITLISTED


def test_promote_by_hand_respects_category_capacity(staff):
    event = make_event(capacity=5)
    category = make_category(event, capacity=1)
    make_registration(category)
    waitlisted = make_registration(category)

    with pytest.raises(CategoryFull):
        promote_registration(waitlisted, acting_user=staff)


def test_promote_by_hand_with_override_records_it(staff):
    category = make_category(make_event(capacity=1))
    make_registration(category)
    first = make_registration(category)
    second = make_registration(category)

    promote_registration(second, acting_user=staff, override_capacity=True)

    assert reload(second).status == Status.CONFIRMED
    assert reload(first).status == Status.WAITLISTED
    entry = reload(second).history.order_by("pk").last()
    assert (entry.action, entry.actor, entry.details) == (
        Action.PROMOTED,
        staff,
        {"override_capacity": True},
    )


def test_promote_refuses_a_registration_not_waitlisted(staff):
    with pytest.raises(InvalidTransition):
        promote_registration(make_registration(), acting_user=staff)


# Capacity --------------------------------------------------------------------------------


def test_raising_event_capacity_promotes_in_order(staff):
    event = make_event(capacity=1)
    category = make_category(event)
    make_registration(category)
    first, second, third = (make_registration(category) for _ in range(3))

    promoted = change_event_capacity(event, capacity=3, acting_user=staff)

    assert [r.pk for r in promoted] == [first.pk, second.pk]
    assert [reload(r).status for r in (first, second, third)] == [
        Status.CONFIRMED,
        Status.CONFIRMED,
        Status.WAITLISTED,
    ]
    entry = reload(first).history.order_by("pk").last()
    assert (entry.action, entry.actor, entry.details) == (
        Action.PROMOTED,
        staff,
        {"cause": "event_capacity"},
    )


def test_lowering_event_capacity_removes_nobody(staff):
    event = make_event(capacity=3)
    category = make_category(event)
    registrations = [make_registration(category) for _ in range(3)]

    change_event_capacity(event, capacity=1, acting_user=staff)

    assert {reload(r).status for r in registrations} == {Status.CONFIRMED}
    assert make_registration(category).status == Status.WAITLISTED


def test_raising_category_capacity_promotes(staff):
    event = make_event(capacity=10)
    category = make_category(event, capacity=1, requires_approval=True)
    make_registration(category)
    waitlisted = make_registration(category)

    promoted = change_category_capacity(category, capacity=2, acting_user=staff)

    assert promoted == [waitlisted]
    assert reload(waitlisted).status == Status.PENDING


def test_removing_category_capacity_promotes_up_to_event_capacity(staff):
    event = make_event(capacity=3)
    category = make_category(event, capacity=1)
    make_registration(category)
    waiting = [make_registration(category) for _ in range(3)]

    change_category_capacity(category, capacity=None, acting_user=staff)

    assert [reload(r).status for r in waiting] == [
        Status.CONFIRMED,
        Status.CONFIRMED,
        Status.WAITLISTED,
    ]


def test_negative_capacity_is_refused(staff):
    with pytest.raises(ValidationError):
        change_event_capacity(make_event(), capacity=-1, acting_user=staff)


# Check-in --------------------------------------------------------------------------------


def test_check_in_records_time_once(staff):
    registration = make_registration()

    check_in_registration(registration, acting_user=staff)

    registration = reload(registration)
    assert registration.checked_in_at is not None
    assert history(registration)[-1] == (Action.CHECKED_IN, "confirmed", "confirmed", staff.pk, "")
    with pytest.raises(InvalidTransition) as refusal:
        check_in_registration(registration, acting_user=staff)
    assert "Already checked in at" in str(refusal.value.message)


def test_check_in_refuses_pending(staff):
    registration = make_registration(make_category(requires_approval=True))

    with pytest.raises(InvalidTransition):
        check_in_registration(registration, acting_user=staff)


# Details ---------------------------------------------------------------------------------


def test_update_details_records_old_and_new_values(staff):
    registration = make_registration()

    update_registration_details(
        registration,
        acting_user=staff,
        organisation="Kazatomprom",
        country="GB",
        phone="+442079460000",
        dietary_needs="Halal",
        job_title=registration.job_title,  # unchanged: not recorded
    )

    registration = reload(registration)
    assert registration.organisation == "Kazatomprom"
    entry = registration.history.order_by("pk").last()
    assert (entry.action, entry.actor) == (Action.DETAILS_UPDATED, staff)
    assert entry.details == {
        "changes": {
            "organisation": {"old": "Steppe Minerals LLP", "new": "Kazatomprom"},
            "country": {"old": "KZ", "new": "GB"},
            "phone": {"old": "+77012345678", "new": "+442079460000"},
            "dietary_needs": {"old": "", "new": "Halal"},
        }
    }


def test_update_details_without_change_writes_nothing(staff):
    registration = make_registration()

    update_registration_details(registration, acting_user=staff, organisation="Steppe Minerals LLP")

    assert registration.history.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"latin_name": "Айгерим"},
        {"phone": "not a phone"},
        {"first_name": "x" * 101},
        {"email": "not-an-address"},
        {"visa_letter_needed": True},
    ],
    ids=["cyrillic-latin-name", "phone", "long-name", "email", "visa-without-nationality"],
)
def test_update_details_refuses_bad_values(staff, changes):
    registration = make_registration()

    with pytest.raises(ValidationError):
        update_registration_details(registration, acting_user=staff, **changes)

    assert registration.history.count() == 1


def test_update_details_refuses_status_and_category(staff):
    registration = make_registration()

    with pytest.raises(TypeError):
        update_registration_details(registration, acting_user=staff, status="confirmed")


# The audit trail -------------------------------------------------------------------------


def test_each_action_leaves_one_history_entry_in_order(staff):
    event = make_event(capacity=1)
    category = make_category(event, requires_approval=True)
    make_registration(category)
    registration = make_registration(category)  # waitlisted: the event is full
    delegate = registration.delegate

    change_event_capacity(event, capacity=2, acting_user=staff)  # promoted → pending
    approve_registration(registration, acting_user=staff)
    update_registration_details(registration, acting_user=delegate, dietary_needs="Vegan")
    check_in_registration(registration, acting_user=staff)
    cancel_registration(registration, acting_user=staff, reason="Left early")

    assert history(registration) == [
        (Action.REGISTERED, "", "waitlisted", delegate.pk, ""),
        (Action.PROMOTED, "waitlisted", "pending", staff.pk, ""),
        (Action.APPROVED, "pending", "confirmed", staff.pk, ""),
        (Action.DETAILS_UPDATED, "confirmed", "confirmed", delegate.pk, ""),
        (Action.CHECKED_IN, "confirmed", "confirmed", staff.pk, ""),
        (Action.CANCELLED, "confirmed", "cancelled", staff.pk, "Left early"),
    ]
    times = list(registration.history.order_by("pk").values_list("at", flat=True))
    assert times == sorted(times)
