"""The event dashboard: exact numbers from known registrations (the charts are in
test_dashboard_charts.py, the query count in test_query_counts.py)."""

import datetime
import re

import pytest

from exports.selectors import event_dashboard
from registrations.models import Registration
from tests.factories import make_category, make_event, make_forum

from .conftest import make_staff

pytestmark = pytest.mark.django_db


def number(page: str, name: str) -> int:
    match = re.search(rf'data-number="{name}">(\d+)<', page)
    assert match, f"no {name} on the dashboard"
    return int(match[1])


def row_numbers(page: str, attribute: str, value) -> list[int]:
    match = re.search(rf'<tr data-{attribute}="{value}">(.*?)</tr>', page, re.S)
    assert match, f"no row {attribute}={value}"
    return [int(n) for n in re.findall(r'<td class="number">(\d+)</td>', match[1])]


def test_dashboard_numbers(client, attendees):
    client.force_login(make_staff(forums=[attendees.forum]))

    page = client.get(f"/en/staff/events/{attendees.event.slug}/dashboard/").content.decode()

    assert number(page, "total") == 5
    assert number(page, "places-taken") == 4  # 3 confirmed + 1 pending, of 50
    assert "of 50 places taken" in page
    assert number(page, "pending") == 1
    assert number(page, "visa-letters") == 1
    assert number(page, "checked-in") == 1
    assert row_numbers(page, "status", "confirmed") == [3]
    assert row_numbers(page, "status", "pending") == [1]
    assert row_numbers(page, "status", "waitlisted") == [0]
    assert row_numbers(page, "status", "cancelled") == [1]
    # confirmed, pending, waitlisted, cancelled or rejected
    assert row_numbers(page, "category", attendees.delegates.pk) == [3, 0, 0, 1]
    assert row_numbers(page, "category", attendees.speakers.pk) == [0, 1, 0, 0]
    assert "3 / 10" in page  # the Delegate category's own capacity
    # Live registrations only: the cancelled delegate from Germany does not count.
    assert row_numbers(page, "country", "KZ") == [2]
    assert row_numbers(page, "country", "RU") == [1]
    assert row_numbers(page, "country", "GB") == [1]
    assert 'data-country="DE"' not in page
    changelist = (
        f"/en/admin/registrations/registration/?event__id__exact={attendees.event.pk}"
        "&amp;status__exact=pending"
    )
    assert changelist in page


def test_pace_counts_days_in_the_events_time_zone_and_only_places_held(attendees):
    # Asia/Almaty is UTC+5: 20:00 UTC on the 1st is already the 2nd at the venue.
    moments = {
        attendees.kazakh: datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.UTC),
        attendees.russian: datetime.datetime(2026, 3, 1, 20, 0, tzinfo=datetime.UTC),
        attendees.english: datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC),
        attendees.hidden: datetime.datetime(2026, 3, 4, 9, 0, tzinfo=datetime.UTC),
        attendees.cancelled: datetime.datetime(2026, 3, 4, 10, 0, tzinfo=datetime.UTC),
    }
    for registration, moment in moments.items():
        # Backdating: no service sets a registration's creation time, on purpose.
        Registration.objects.filter(pk=registration.pk).update(created_at=moment)
    organiser = make_staff(forums=[attendees.forum])

    dashboard = event_dashboard(attendees.event, user=organiser)

    # The cancelled registration holds no place: not in the pace at all.
    assert dashboard.pace.per_day == [
        (datetime.date(2026, 3, 1), 1),
        (datetime.date(2026, 3, 2), 2),
        (datetime.date(2026, 3, 4), 1),
    ]


def test_dashboard_shows_a_category_with_capacity_zero_as_full_not_unlimited(client):
    forum = make_forum()
    event = make_event(forum)
    closed = make_category(event, capacity=0)
    unlimited = make_category(event)
    client.force_login(make_staff(forums=[forum]))

    page = client.get(f"/en/staff/events/{event.slug}/dashboard/").content.decode()

    closed_row = re.search(rf'<tr data-category="{closed.pk}">(.*?)</tr>', page, re.S)[1]
    unlimited_row = re.search(rf'<tr data-category="{unlimited.pk}">(.*?)</tr>', page, re.S)[1]
    assert "0 / 0" in closed_row
    assert "no own limit" not in closed_row
    assert "no own limit" in unlimited_row
    organiser = make_staff(forums=[forum])
    numbers = {row.category.pk: row for row in event_dashboard(event, user=organiser).categories}
    assert numbers[closed.pk].percent_used == 100
    assert numbers[unlimited.pk].percent_used is None


def test_an_empty_event_has_a_dashboard(client):
    forum = make_forum()
    event = make_event(forum)
    client.force_login(make_staff(forums=[forum]))

    page = client.get(f"/en/staff/events/{event.slug}/dashboard/")

    assert page.status_code == 200
    assert number(page.content.decode(), "total") == 0
    assert "No registrations yet." in page.content.decode()
