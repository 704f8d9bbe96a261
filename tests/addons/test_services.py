"""The booking rules: places, waitlists in order, the cascade, refusals that save nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from addons import services
from addons.models import AddOn, AddOnBooking, AddOnBookingHistory
from addons.selectors import waitlist_positions
from mail.models import OutgoingEmail
from registrations.models import Registration
from registrations.services import approve_registration, cancel_registration, reject_registration
from tests.factories import make_category, make_event, make_registration, make_user

from .factories import make_add_on

pytestmark = pytest.mark.django_db

Status = AddOnBooking.Status


def addon_emails(registration, kind):
    return OutgoingEmail.objects.filter(related_id=str(registration.pk), kind=f"addons.{kind}")


@pytest.fixture
def category():
    return make_category(make_event(capacity=50))


def test_booking_confirms_until_full_then_waitlists_in_order(category):
    gala = make_add_on(category.event, capacity=2, price=Decimal("150"))
    registrations = [make_registration(category) for _ in range(4)]

    bookings = [services.book_add_ons(r, [gala], acting_user=r.delegate)[0] for r in registrations]

    assert [b.status for b in bookings] == [Status.CONFIRMED] * 2 + [Status.WAITLISTED] * 2
    assert bookings[0].price == Decimal("150.00") and bookings[0].currency == "EUR"
    assert list(waitlist_positions(bookings).values()) == [1, 2]
    assert addon_emails(registrations[3], "booked").count() == 1
    history = AddOnBookingHistory.objects.get(booking=bookings[3])
    assert (history.action, history.to_status, history.actor) == (
        AddOnBookingHistory.Action.WAITLISTED,
        Status.WAITLISTED,
        registrations[3].delegate,
    )


def test_booking_twice_books_once(category):
    gala = make_add_on(category.event, capacity=5)
    registration = make_registration(category)

    first = services.book_add_ons(registration, [gala], acting_user=registration.delegate)
    again = services.book_add_ons(registration, [gala], acting_user=registration.delegate)

    assert first[0].pk == again[0].pk
    assert AddOnBooking.objects.filter(registration=registration).count() == 1
    assert addon_emails(registration, "booked").count() == 1


def test_cancelling_a_place_promotes_the_oldest_waiting_with_an_email(category):
    gala = make_add_on(category.event, capacity=1)
    holder, first, second = (make_registration(category) for _ in range(3))
    held = services.book_add_ons(holder, [gala], acting_user=holder.delegate)[0]
    services.book_add_ons(first, [gala], acting_user=first.delegate)
    services.book_add_ons(second, [gala], acting_user=second.delegate)

    services.cancel_booking(held, acting_user=holder.delegate)

    statuses = dict(AddOnBooking.objects.values_list("registration_id", "status"))
    assert statuses == {
        holder.pk: Status.CANCELLED,
        first.pk: Status.CONFIRMED,
        second.pk: Status.WAITLISTED,
    }
    assert addon_emails(first, "promoted").count() == 1
    assert addon_emails(second, "promoted").count() == 0
    assert addon_emails(holder, "cancelled").count() == 1
    promoted = AddOnBookingHistory.objects.get(
        booking__registration=first, action=AddOnBookingHistory.Action.PROMOTED
    )
    assert promoted.actor is None and promoted.details == {"cause": "cancellation"}


def test_cancelling_twice_is_refused(category):
    gala = make_add_on(category.event)
    registration = make_registration(category)
    booking = services.book_add_ons(registration, [gala], acting_user=registration.delegate)[0]
    services.cancel_booking(booking, acting_user=registration.delegate)

    with pytest.raises(services.BookingNotActive):
        services.cancel_booking(booking, acting_user=registration.delegate)


def test_cancelled_registration_cancels_its_bookings_and_frees_the_places(category):
    gala = make_add_on(category.event, capacity=1)
    visit = make_add_on(category.event, kind=AddOn.Kind.SITE_VISIT, capacity=1)
    holder, waiting = make_registration(category), make_registration(category)
    services.book_add_ons(holder, [gala, visit], acting_user=holder.delegate)
    services.book_add_ons(waiting, [gala], acting_user=waiting.delegate)

    cancel_registration(holder, acting_user=holder.delegate)

    assert set(
        AddOnBooking.objects.filter(registration=holder).values_list("status", flat=True)
    ) == {Status.CANCELLED}
    assert AddOnBooking.objects.get(registration=waiting).status == Status.CONFIRMED
    # The delegate hears about the registration; the bookings follow it without more mail.
    assert addon_emails(holder, "cancelled").count() == 0
    assert addon_emails(waiting, "promoted").count() == 1


def test_rejected_registration_cancels_its_bookings():
    category = make_category(make_event(), requires_approval=True)
    gala = make_add_on(category.event)
    registration = make_registration(category)
    services.book_add_ons(registration, [gala], acting_user=registration.delegate)

    reject_registration(registration, reason="Not eligible", acting_user=make_user(is_staff=True))

    assert AddOnBooking.objects.get(registration=registration).status == Status.CANCELLED


def test_waitlisted_registration_waits_for_its_add_on_until_it_has_a_place():
    category = make_category(make_event(capacity=1))
    gala = make_add_on(category.event, capacity=5)
    holder = make_registration(category)
    waiting = make_registration(category)
    assert waiting.status == Registration.Status.WAITLISTED

    booking = services.book_add_ons(waiting, [gala], acting_user=waiting.delegate)[0]
    assert booking.status == Status.WAITLISTED
    # A free gala seat does not go to someone without a place at the forum.
    assert services.promote_from_waitlist(gala) == []

    cancel_registration(holder, acting_user=holder.delegate)

    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED
    assert addon_emails(waiting, "promoted").count() == 1


def test_approval_keeps_bookings_of_a_pending_registration():
    category = make_category(make_event(), requires_approval=True)
    gala = make_add_on(category.event, capacity=1)
    registration = make_registration(category)
    booking = services.book_add_ons(registration, [gala], acting_user=registration.delegate)[0]
    assert booking.status == Status.CONFIRMED  # pending holds a place

    approve_registration(registration, acting_user=make_user(is_staff=True))

    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED


@pytest.mark.parametrize(
    "add_on_fields, refusal",
    [
        ({"active": False}, services.AddOnNotOffered),
        ({"price": Decimal("100"), "currency": "KZT"}, services.AddOnNotOffered),
        (
            {"sale_ends_at": timezone.now() - datetime.timedelta(minutes=1)},
            services.AddOnClosed,
        ),
        (
            {"sale_starts_at": timezone.now() + datetime.timedelta(days=1)},
            services.AddOnClosed,
        ),
    ],
)
def test_refusals_book_nothing(category, add_on_fields, refusal):
    free = make_add_on(category.event)
    refused = make_add_on(category.event, **add_on_fields)
    registration = make_registration(category)

    with pytest.raises(refusal):
        services.book_add_ons(registration, [free, refused], acting_user=registration.delegate)

    assert not AddOnBooking.objects.filter(registration=registration).exists()
    assert addon_emails(registration, "booked").count() == 0


def test_add_on_of_another_category_or_event_is_refused(category):
    other_category = make_category(category.event)
    for_others = make_add_on(category.event, categories=[other_category])
    elsewhere = make_add_on(make_event())
    registration = make_registration(category)

    for add_on in (for_others, elsewhere):
        with pytest.raises(services.AddOnNotOffered):
            services.book_add_ons(registration, [add_on], acting_user=registration.delegate)


def test_cancelled_registration_cannot_book(category):
    gala = make_add_on(category.event)
    registration = make_registration(category)
    cancel_registration(registration, acting_user=registration.delegate)

    with pytest.raises(services.RegistrationNotActive):
        services.book_add_ons(registration, [gala], acting_user=registration.delegate)


def test_site_visit_asks_for_ppe_size_and_passport_name(category):
    visit = make_add_on(
        category.event, kind=AddOn.Kind.SITE_VISIT, asks_ppe_size=True, asks_passport_name=True
    )
    registration = make_registration(category)

    with pytest.raises(ValidationError) as refused:
        services.book_add_ons(registration, [visit], acting_user=registration.delegate)
    assert set(refused.value.message_dict) == {"ppe_size"}  # the Latin name stands in

    booking = services.book_add_ons(
        registration, [visit], acting_user=registration.delegate, details={"ppe_size": "L"}
    )[0]
    assert (booking.ppe_size, booking.passport_name) == ("L", "Aigerim Nurlanova")


def test_raising_capacity_promotes_the_waitlist(category):
    gala = make_add_on(category.event, capacity=0)
    registrations = [make_registration(category) for _ in range(3)]
    for registration in registrations:
        services.book_add_ons(registration, [gala], acting_user=registration.delegate)

    promoted = services.change_add_on_capacity(
        gala, capacity=2, acting_user=make_user(is_staff=True)
    )

    assert [b.registration_id for b in promoted] == [r.pk for r in registrations[:2]]
    assert AddOnBooking.objects.filter(add_on=gala, status=Status.WAITLISTED).count() == 1
