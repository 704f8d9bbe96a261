"""Moments on the event's clock: registration windows, early-bird deadlines, the change
deadline and history times read in the host city's time with the zone named, on every public
page and in the delegate's e-mails, in English and Russian.

Expectations come from fixed facts, not from the code under test: Kazakhstan keeps one zone,
UTC+5 all year (since 1 March 2024), so 20:00 UTC is 01:00 the next day in Almaty; the month
names are written out below (Russian in the genitive, lower case, as inside a date).
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.html import strip_tags

from events.templatetags.event_time import format_event_time
from tests.factories import (
    make_category,
    make_delegate,
    make_event,
    make_registration,
)

pytestmark = pytest.mark.django_db

ALMATY_OFFSET = datetime.timedelta(hours=5)
ALMATY_LABEL = "(Asia/Almaty, UTC+5)"
MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "ru": [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ],
}
CLOSED = {"en": "Registration is closed.", "ru": "Регистрация закрыта."}


def _text(response) -> str:
    """The page as a reader sees it: the words, without the markup around them."""
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


def at_20_utc(days_from_today: int) -> datetime.datetime:
    """20:00 UTC on a day `days_from_today` away: late evening in London, past midnight in
    Almaty."""
    day = timezone.now().date() + datetime.timedelta(days=days_from_today)
    return datetime.datetime.combine(day, datetime.time(20, 0), tzinfo=datetime.UTC)


def in_almaty(moment: datetime.datetime, language: str) -> str:
    """How the moment reads in Almaty, worked out by hand: UTC+5, then the day's name."""
    local = moment + ALMATY_OFFSET  # only its fields are read
    month = MONTHS[language][local.month - 1]
    return f"{local.day} {month} {local.year}, {local:%H:%M} {ALMATY_LABEL}"


def shows_utc_date(page: str, moment: datetime.datetime, language: str) -> bool:
    """Whether the page shows the moment's UTC date (the day before Almaty's), which it must
    no longer do. "9 December" must not match inside "29 December"."""
    day = f"{moment.day} {MONTHS[language][moment.month - 1]} {moment.year}"
    return re.search(rf"(?<!\d){day}", page) is not None


@pytest.fixture
def delegate_client(client):
    client.force_login(make_delegate())
    return client


# The formatter, on zones with other offsets ------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "moment", "expected"),
    [
        # India: UTC+5:30, no summer time.
        (
            "Asia/Kolkata",
            datetime.datetime(2027, 1, 10, 20, 0, tzinfo=datetime.UTC),
            "11 January 2027, 01:30 (Asia/Kolkata, UTC+5:30)",
        ),
        # New York in July: daylight time, UTC-4.
        (
            "America/New_York",
            datetime.datetime(2027, 7, 1, 3, 0, tzinfo=datetime.UTC),
            "30 June 2027, 23:00 (America/New_York, UTC-4)",
        ),
        # London in winter is on UTC, but it is still London's clock.
        (
            "Europe/London",
            datetime.datetime(2027, 1, 10, 9, 5, tzinfo=datetime.UTC),
            "10 January 2027, 09:05 (Europe/London, UTC+0)",
        ),
        (
            "UTC",
            datetime.datetime(2027, 1, 10, 9, 5, tzinfo=datetime.UTC),
            "10 January 2027, 09:05 (UTC)",
        ),
    ],
)
def test_times_read_on_the_events_clock_with_the_zone_named(zone, moment, expected):
    event = make_event(time_zone=zone)
    with translation.override("en"):
        assert format_event_time(moment, event) == expected


# The event page ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ru"])
def test_event_page_shows_the_closing_time_in_the_events_zone(client, language):
    closes = at_20_utc(20)
    event = make_event(time_zone="Asia/Almaty", registration_closes_at=closes)

    response = client.get(f"/{language}/events/{event.slug}/")

    page = _text(response)
    assert in_almaty(closes, language) in page
    assert not shows_utc_date(page, closes, language)
    machine_readable = f"{(closes + ALMATY_OFFSET):%Y-%m-%dT%H:%M}:00+05:00"
    assert f'<time datetime="{machine_readable}">' in response.content.decode()
    if language == "en":
        assert f"It closes on {in_almaty(closes, 'en')}." in page


def test_kazakh_event_page_shows_the_events_clock_too(client):
    closes = at_20_utc(20)
    event = make_event(time_zone="Asia/Almaty", registration_closes_at=closes)

    page = _text(client.get(f"/kk/events/{event.slug}/"))

    # The month's name comes from the Kazakh catalogue; the day, the time and the zone are
    # Almaty's.
    local = closes + ALMATY_OFFSET
    assert re.search(rf"(?<!\d){local.day} \w+ {local.year}, 01:00 {re.escape(ALMATY_LABEL)}", page)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_event_page_shows_the_opening_time_in_the_events_zone(client, language):
    opens = at_20_utc(5)
    event = make_event(time_zone="Asia/Almaty", registration_opens_at=opens)

    page = _text(client.get(f"/{language}/events/{event.slug}/"))

    assert in_almaty(opens, language) in page
    assert not shows_utc_date(page, opens, language)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_event_page_says_when_registration_closed(client, language):
    closed = at_20_utc(-3)
    event = make_event(
        time_zone="Asia/Almaty",
        registration_opens_at=closed - datetime.timedelta(days=30),
        registration_closes_at=closed,
    )

    page = _text(client.get(f"/{language}/events/{event.slug}/"))

    assert CLOSED[language] in page
    assert in_almaty(closed, language) in page


# The registration-closed page ------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ru"])
def test_closed_page_says_when_registration_closed_in_the_events_zone(delegate_client, language):
    closed = at_20_utc(-3)
    event = make_event(
        time_zone="Asia/Almaty",
        registration_opens_at=closed - datetime.timedelta(days=30),
        registration_closes_at=closed,
    )
    make_category(event)

    page = _text(delegate_client.get(f"/{language}/events/{event.slug}/register/"))

    assert CLOSED[language] in page
    assert in_almaty(closed, language) in page
    assert not shows_utc_date(page, closed, language)
    if language == "en":
        assert f"It closed on {in_almaty(closed, 'en')}." in page


@pytest.mark.parametrize("language", ["en", "ru"])
def test_closed_page_shows_the_opening_time_in_the_events_zone(delegate_client, language):
    opens = at_20_utc(5)
    event = make_event(time_zone="Asia/Almaty", registration_opens_at=opens)
    make_category(event)

    page = _text(delegate_client.get(f"/{language}/events/{event.slug}/register/"))

    assert in_almaty(opens, language) in page
    assert not shows_utc_date(page, opens, language)


def test_an_archived_event_is_closed_without_a_date(client):
    closes = at_20_utc(20)
    event = make_event(registration_closes_at=closes, status="archived")
    page = _text(client.get(f"/en/events/{event.slug}/"))
    assert "Registration is closed." in page
    assert "It closed on" not in page


# The register form: early-bird deadlines -------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ru"])
def test_category_label_shows_the_early_bird_deadline_in_the_events_zone(delegate_client, language):
    deadline = at_20_utc(10)
    event = make_event(time_zone="Asia/Almaty", registration_closes_at=at_20_utc(20))
    make_category(
        event,
        price=Decimal("500.00"),
        early_bird_price=Decimal("400.00"),
        early_bird_deadline=deadline,
    )

    page = _text(delegate_client.get(f"/{language}/events/{event.slug}/register/"))

    assert in_almaty(deadline, language) in page
    assert not shows_utc_date(page, deadline, language)
    if language == "en":
        assert f"early-bird until {in_almaty(deadline, 'en')}" in page


@pytest.mark.parametrize("categories", [1, 3])
def test_early_bird_deadlines_cost_no_query_per_category(
    client, django_assert_num_queries, categories
):
    event = make_event(time_zone="Asia/Almaty")
    for _ in range(categories):
        make_category(event, early_bird_price=Decimal("400.00"), early_bird_deadline=at_20_utc(10))
    client.force_login(make_delegate())
    # session, user, event, active registration, profile, categories with the occupancy: each
    # label reads its category's event from the event already loaded; the add-ons section's
    # add-ons with their places left (one query).
    with django_assert_num_queries(7):
        response = client.get(f"/en/events/{event.slug}/register/")
    assert _text(response).count(in_almaty(at_20_utc(10), "en")) == categories


# The delegate's registration --------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ru"])
def test_registration_detail_says_until_when_details_can_be_changed(client, language):
    delegate = make_delegate()
    closes = at_20_utc(20)
    event = make_event(time_zone="Asia/Almaty", registration_closes_at=closes)
    registration = make_registration(make_category(event), delegate=delegate)
    client.force_login(delegate)

    page = _text(client.get(f"/{language}/my/registrations/{registration.reference}/"))

    assert in_almaty(closes, language) in page
    if language == "en":
        assert f"You can change your details online until {in_almaty(closes, 'en')}." in page


@pytest.mark.parametrize("language", ["en", "ru"])
def test_history_times_are_on_the_events_clock(client, language):
    delegate = make_delegate()
    event = make_event(time_zone="Asia/Almaty")
    registration = make_registration(make_category(event), delegate=delegate)
    at = at_20_utc(-1)
    registration.history.update(at=at)
    client.force_login(delegate)

    page = _text(client.get(f"/{language}/my/registrations/{registration.reference}/"))

    assert in_almaty(at, language) in page
    assert not shows_utc_date(page, at, language)


# E-mails ----------------------------------------------------------------------------------


def _delegate_message(mailoutbox, registration):
    (message,) = [m for m in mailoutbox if registration.email in m.to]
    (html,) = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    return message, re.sub(r"\s+", " ", message.body), re.sub(r"\s+", " ", strip_tags(html))


@pytest.mark.parametrize("language", ["en", "ru"])
def test_confirmation_email_says_until_when_details_can_be_changed_in_the_events_zone(
    mailoutbox, django_capture_on_commit_callbacks, language
):
    closes = at_20_utc(20)
    event = make_event(time_zone="Asia/Almaty", registration_closes_at=closes)
    with django_capture_on_commit_callbacks(execute=True):
        registration = make_registration(make_category(event), language=language)

    message, text, html = _delegate_message(mailoutbox, registration)

    assert registration.status == "confirmed"
    assert in_almaty(closes, language) in text
    assert in_almaty(closes, language) in html
    assert not shows_utc_date(text, closes, language)
    if language == "en":
        assert f"You can change your details online until {in_almaty(closes, 'en')}." in text
    else:
        assert "Ваша регистрация" in text  # the rest of the e-mail is in Russian too
    # The secretariat's copy of the facts does not address the delegate.
    (notification,) = [m for m in mailoutbox if m is not message]
    assert in_almaty(closes, "en") not in notification.body


def test_cancellation_email_offers_no_changes(mailoutbox, django_capture_on_commit_callbacks):
    from registrations.services import cancel_registration

    closes = at_20_utc(20)
    event = make_event(time_zone="Asia/Almaty", registration_closes_at=closes)
    registration = make_registration(make_category(event))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancel_registration(registration, acting_user=registration.delegate)

    _message, text, _html = _delegate_message(mailoutbox, registration)
    assert "cancelled" in text
    assert in_almaty(closes, "en") not in text
