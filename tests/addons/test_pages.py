"""The delegate's side: the "Add-ons" section of the registration form and the add-ons part of
the registration page (book, cancel), with prices that become price lines."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from addons.models import AddOn, AddOnBooking
from addons.services import book_add_ons
from pricing.models import PriceLine
from pricing.selectors import price_lines
from registrations.models import Registration
from tests.factories import (
    make_category,
    make_delegate,
    make_event,
    make_registration,
    registration_form_data,
)

from .factories import make_add_on

pytestmark = pytest.mark.django_db

Status = AddOnBooking.Status


@pytest.fixture
def event():
    return make_event()


@pytest.fixture
def category(event):
    return make_category(event, price=Decimal("500"))


@pytest.fixture
def gala(event):
    return make_add_on(event, name_en="Gala dinner", capacity=2, price=Decimal("150"))


@pytest.fixture
def visit(event):
    return make_add_on(
        event,
        kind=AddOn.Kind.SITE_VISIT,
        name_en="Mine-site visit",
        capacity=30,
        asks_ppe_size=True,
        asks_passport_name=True,
    )


def register(client, category, **add_on_fields):
    delegate = make_delegate()
    client.force_login(delegate)
    data = registration_form_data(category, **add_on_fields)
    response = client.post(f"/en/events/{category.event.slug}/register/", data)
    return delegate, response


def test_the_form_offers_add_ons_with_places_left(client, category, gala, visit):
    make_add_on(category.event, name_en="Retired", active=False)
    for _ in range(2):
        registration = make_registration(category)
        AddOnBooking.objects.create(
            registration=registration, add_on=gala, status=Status.CONFIRMED, price=0, currency="EUR"
        )
    client.force_login(make_delegate())

    page = client.get(f"/en/events/{category.event.slug}/register/").content.decode()

    assert "Gala dinner — €150.00 · full: waitlist" in page
    assert "Mine-site visit — free · 30 left" in page
    assert "Retired" not in page
    assert 'name="addons-ppe_size"' in page and 'name="addons-passport_name"' in page


def test_registering_with_add_ons_books_them_and_prices_them(client, category, gala, visit):
    delegate, response = register(
        client,
        category,
        **{
            f"addons-add_on_{gala.pk}": "on",
            f"addons-add_on_{visit.pk}": "on",
            "addons-ppe_size": "XL",
            "addons-passport_name": "AIGERIM NURLANOVA",
        },
    )

    assert response.status_code == 302
    thank_you = client.get(response["Location"]).content.decode()
    assert f'data-add-on="{gala.pk}" data-booking-status="confirmed"' in thank_you
    registration = Registration.objects.get(delegate=delegate)
    bookings = {b.add_on_id: b for b in registration.add_on_bookings.all()}
    assert bookings[gala.pk].status == Status.CONFIRMED
    assert (bookings[visit.pk].ppe_size, bookings[visit.pk].passport_name) == (
        "XL",
        "AIGERIM NURLANOVA",
    )
    assert registration.price == Decimal("650.00")
    assert [(line.kind, line.description, line.amount) for line in price_lines(registration)] == [
        (PriceLine.Kind.CATEGORY, category.name_en, Decimal("500.00")),
        (PriceLine.Kind.ADD_ON, "Gala dinner", Decimal("150.00")),
    ]


def test_a_site_visit_without_ppe_size_saves_nothing(client, category, visit):
    delegate, response = register(client, category, **{f"addons-add_on_{visit.pk}": "on"})

    assert response.status_code == 400
    assert "Choose your PPE size for the site visit." in response.content.decode()
    assert not Registration.objects.filter(delegate=delegate).exists()


def test_an_add_on_of_another_category_is_refused_and_nothing_saved(client, category, event, gala):
    speakers = make_category(event, name_en="Speaker")
    for_speakers = make_add_on(event, name_en="Speakers' dinner", categories=[speakers])
    client.force_login(make_delegate())
    page = client.get(f"/en/events/{event.slug}/register/").content.decode()
    assert "Speakers&#x27; dinner — free (for: Speaker)" in page

    delegate, response = register(client, category, **{f"addons-add_on_{for_speakers.pk}": "on"})

    assert response.status_code == 400
    assert "Speakers&#x27; dinner is not offered for this category." in response.content.decode()
    assert not Registration.objects.filter(delegate=delegate).exists()
    assert not AddOnBooking.objects.exists()


def test_a_full_add_on_puts_the_registration_on_its_waitlist(client, category, gala):
    gala.capacity = 0
    gala.save()

    delegate, response = register(client, category, **{f"addons-add_on_{gala.pk}": "on"})

    assert response.status_code == 302
    registration = Registration.objects.get(delegate=delegate)
    assert registration.add_on_bookings.get().status == Status.WAITLISTED
    assert registration.price == Decimal("500.00")  # nothing to pay until a seat is free
    detail = client.get(f"/en/my/registrations/{registration.reference}/").content.decode()
    assert "On the waitlist, position 1" in detail


def test_booking_and_cancelling_from_the_registration_page_reprices(client, category, gala):
    registration = make_registration(category)
    client.force_login(registration.delegate)
    page_url = f"/en/my/registrations/{registration.reference}/"

    detail = client.get(page_url).content.decode()
    assert "Gala dinner — €150.00 · 2 left" in detail

    response = client.post(page_url + "add-ons/", {f"add_on_{gala.pk}": "on"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.price == Decimal("650.00")
    booking = registration.add_on_bookings.get()
    assert booking.status == Status.CONFIRMED

    page = client.get(page_url + "add-ons/").content.decode()
    assert "Cancel Gala dinner" in page

    response = client.post(page_url + f"add-ons/{booking.pk}/cancel/")
    assert response.status_code == 302
    booking.refresh_from_db()
    registration.refresh_from_db()
    assert booking.status == Status.CANCELLED
    assert registration.price == Decimal("500.00")


def test_the_page_form_needs_a_choice(client, category, gala):
    registration = make_registration(category)
    client.force_login(registration.delegate)

    response = client.post(f"/en/my/registrations/{registration.reference}/add-ons/", {})

    assert response.status_code == 400
    assert "Tick at least one add-on to book." in response.content.decode()


def test_another_delegates_add_ons_are_a_404(client, category, gala):
    registration = make_registration(category)
    booking = AddOnBooking.objects.create(
        registration=registration, add_on=gala, status=Status.CONFIRMED, price=0, currency="EUR"
    )
    client.force_login(make_delegate())
    base = f"/en/my/registrations/{registration.reference}/add-ons/"

    assert client.get(base).status_code == 404
    assert client.post(base, {f"add_on_{gala.pk}": "on"}).status_code == 404
    assert client.post(base + f"{booking.pk}/cancel/").status_code == 404
    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED


def test_cancelling_a_cancelled_booking_says_so(client, category, gala):
    registration = make_registration(category)
    client.force_login(registration.delegate)
    base = f"/en/my/registrations/{registration.reference}/add-ons/"
    client.post(base, {f"add_on_{gala.pk}": "on"})
    booking = registration.add_on_bookings.get()
    client.post(base + f"{booking.pk}/cancel/")

    response = client.post(base + f"{booking.pk}/cancel/", follow=True)

    assert "This booking is already cancelled." in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_the_add_ons_page_queries_do_not_grow_with_bookings(client, event, category, count):
    registration = make_registration(category)
    for n in range(count):
        add_on = make_add_on(event, capacity=0 if n % 2 else 5)  # some confirmed, some waiting
        book_add_ons(registration, [add_on], acting_user=registration.delegate)
    make_add_on(event, name_en="Still on offer")
    client.force_login(registration.delegate)
    url = f"/en/my/registrations/{registration.reference}/add-ons/"
    client.get(url)

    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()

    assert page.count('data-booking-status="') == count
    assert "Still on offer" in page
    assert len(queries) <= 8, "\n".join(q["sql"][:150] for q in queries.captured_queries)
