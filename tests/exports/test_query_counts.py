"""Exports and the dashboard run a fixed number of queries whatever the number of rows
(no N+1)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from events.models import Event
from exports import selectors, writers
from exports.columns import COLUMNS, ExportContext, columns_named
from tests.factories import (
    make_category,
    make_delegate,
    make_event,
    make_forum,
    make_registration,
)

from .conftest import body_of, make_staff

pytestmark = pytest.mark.django_db


def event_with(rows: int):
    forum = make_forum()
    event = make_event(forum)
    categories = [make_category(event), make_category(event)]
    for n in range(rows):
        make_registration(categories[n % 2])
    return forum, event


def export_queries(client, rows: int, format: str) -> int:
    forum, event = event_with(rows)
    client.force_login(make_staff(forums=[forum]))
    url = f"/en/staff/events/{event.slug}/export/"
    data = {"format": format, "variant": "full", "columns": list(COLUMNS)}
    body_of(client.post(url, data))  # warm up: content types, permissions cache
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
        body = body_of(response)
    assert response.status_code == 200
    assert body
    return len(queries)


@pytest.mark.parametrize(
    ("format", "expected"),
    [
        # session, user, permissions (user, groups), event, log insert, log update;
        # the COPY itself goes through psycopg directly
        ("csv", 7),
        ("csv_semicolon", 7),
        # ... plus count and the registrations
        ("xlsx", 9),
    ],
)
def test_export_queries_do_not_grow_with_rows(client, format, expected):
    assert export_queries(client, 1, format) == export_queries(client, 3, format) == expected


@pytest.mark.parametrize("rows", [1, 3])
def test_python_csv_path_reads_registrations_in_one_query(rows, django_assert_num_queries):
    _forum, event = event_with(rows)
    queryset = selectors.export_registrations(event, {})
    with translation.override("en"):
        context = ExportContext.for_event(event)
        with django_assert_num_queries(1):
            content = b"".join(
                writers.stream_csv(queryset, columns_named(COLUMNS), context, delimiter=",")
            )
    assert content.count(b"\r\n") == rows + 1


def dashboard_queries(client, rows: int) -> int:
    """The dashboard of an event with `rows` registrations (in two categories, one needing
    approval, from as many countries) and a previous edition with as many."""
    forum = make_forum()
    previous = make_event(forum)
    event = make_event(forum, start_date=previous.start_date + datetime.timedelta(days=365))
    countries = ["KZ", "RU", "GB"]
    for edition in (previous, event):
        categories = [make_category(edition), make_category(edition, requires_approval=True)]
        for n in range(rows):
            make_registration(
                categories[n % 2],
                delegate=make_delegate(country=countries[n % 3]),
                visa_letter_needed=True,
                nationality="KZ",
            )
    Event.objects.filter(pk=previous.pk).update(status=Event.Status.ARCHIVED)
    client.force_login(make_staff(forums=[forum]))
    url = f"/en/staff/events/{event.slug}/dashboard/"
    client.get(url)  # warm up: content types, permissions cache
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count('class="pace-chart__previous"') == 1
    return len(queries)


def test_dashboard_queries_do_not_grow_with_registrations(client):
    one = dashboard_queries(client, 1)
    three = dashboard_queries(client, 3)

    # session, user, permissions (user, groups), event; categories × statuses, the previous
    # edition, its registrations per day, this event's per day, per country; billing's panel
    # (invoiced and paid per currency, one aggregate); check-in's panel (the entrance ensured,
    # the zones with their categories, expected per category, admitted per zone, checked in at
    # the entrance, per hour: 7)
    assert one == three == 18
