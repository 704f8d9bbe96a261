"""The event dashboard: exact numbers from known registrations, and a fixed number of queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exports.selectors import event_dashboard
from registrations.models import Registration
from tests.factories import make_category, make_event, make_forum, make_registration

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


def test_registrations_per_day_in_the_events_time_zone(attendees):
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

    dashboard = event_dashboard(attendees.event)

    assert dashboard.per_day == [
        (datetime.date(2026, 3, 1), 1),
        (datetime.date(2026, 3, 2), 2),
        (datetime.date(2026, 3, 4), 2),
    ]


def test_day_chart_draws_one_bar_per_day_with_gaps(client, attendees):
    start = timezone.now() - datetime.timedelta(days=3)
    Registration.objects.filter(pk=attendees.kazakh.pk).update(created_at=start)
    client.force_login(make_staff(forums=[attendees.forum]))

    page = client.get(f"/en/staff/events/{attendees.event.slug}/dashboard/").content.decode()

    assert page.count('class="day-chart__bar"') == 2  # three days ago and today
    assert "<svg" in page
    assert "<script" not in page


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
    numbers = {row.category.pk: row for row in event_dashboard(event).categories}
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


def dashboard_queries(client, rows: int) -> int:
    forum = make_forum()
    event = make_event(forum)
    categories = [make_category(event), make_category(event, requires_approval=True)]
    for n in range(rows):
        make_registration(categories[n % 2], visa_letter_needed=True, nationality="KZ")
    client.force_login(make_staff(forums=[forum]))
    url = f"/en/staff/events/{event.slug}/dashboard/"
    client.get(url)  # warm up: content types, permissions cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_dashboard_queries_do_not_grow_with_registrations(client, django_assert_num_queries):
    one = dashboard_queries(client, 1)
    three = dashboard_queries(client, 3)

    # session, user, permissions (user, groups), event, categories, per day, countries
    assert one == three == 8
