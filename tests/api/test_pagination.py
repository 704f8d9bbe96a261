"""Cursor pages: every registration once, newest first, and the same queries on every page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_registration

from .conftest import client_with, key_for

pytestmark = pytest.mark.django_db


def test_cursor_pages_list_every_registration_once_with_the_same_queries(forums):
    made = [make_registration(forums.category_x) for _ in range(5)]
    client = client_with(key_for(forums.secretariat))
    client.get("/api/v1/forums/")  # the token's last use is noted once a minute, not per page

    seen, query_counts = [], []
    url = "/api/v1/registrations/?page_size=2&event=" + forums.event_x.slug
    while url:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).json()
        query_counts.append(len(queries))
        seen += [row["id"] for row in page["results"]]
        url = page["next"]

    expected = sorted(
        [registration.pk for registration in made]
        + [forums.registration_x.pk, forums.pending_x.pk],
        reverse=True,
    )
    assert seen == expected
    assert len(query_counts) == 4
    assert len(set(query_counts)) == 1, query_counts


def test_a_page_is_capped(forums):
    client = client_with(key_for(forums.secretariat))

    page = client.get("/api/v1/registrations/?page_size=100000").json()

    assert "next" in page and "previous" in page and "count" not in page
