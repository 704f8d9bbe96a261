"""The changelist's search at 100,000 registrations: names found however they are typed
(case, accents, Cyrillic), and found through the trigram indexes, not by reading every row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_category, make_delegate, make_event, make_registration

from .conftest import CHANGELIST, client_for

pytestmark = pytest.mark.django_db

ROWS = 100_000
NAMES = [("Aigerim", "Ахметова"), ("Hans", "Müller"), ("Nurlan", "Seitkali")]

# One statement: 100,000 delegate accounts and a registration each, names from short lists
# that none of the searched names occur in. (Through the services this would take minutes.)
BULK_REGISTRATIONS = """
WITH delegates AS (
    INSERT INTO accounts_user (password, is_superuser, email, is_staff, is_active, date_joined)
    SELECT '!', false, 'bulk' || n || '@example.com', false, true, now()
    FROM generate_series(1, %(rows)s) AS n
    RETURNING id, email
)
INSERT INTO registrations_registration (
    event_id, category_id, delegate_id, reference, status, title, first_name, last_name,
    latin_name, email, job_title, organisation, country, phone, category_name,
    category_name_ru, category_name_kk, price, currency, early_bird, dietary_needs,
    accessibility_needs, visa_letter_needed, nationality, how_heard, consent_privacy_at,
    privacy_policy_version, consent_attendee_list, consent_marketing, language,
    waitlisted_at, checked_in_at, created_at, updated_at
)
SELECT
    %(event)s, %(category)s, id, 'MX26-BK-' || lpad(id::text, 8, '0'), 'confirmed', '',
    (ARRAY['Anna', 'Bolat', 'Carl', 'Мария', 'Dana'])[1 + id %% 5],
    (ARRAY['Smith', 'Brown', 'Nurlanov', 'Петров', 'Иванова', 'Zhunusov', 'Kim'])[1 + id %% 7],
    '', email, '', (ARRAY['Kazakhmys', 'Rio Tinto', 'ERG', 'Polymetal'])[1 + id %% 4], 'KZ', '',
    'Delegate', '', '', 500, 'EUR', false, '', '', false, '', '', now(), '2026-01', false,
    false, 'en', NULL, NULL, now() - id * interval '1 minute', now()
FROM delegates
"""


@pytest.fixture
def crowd():
    """Three registrations to find among 100,000, with the planner's statistics up to date."""
    category = make_category(make_event(capacity=ROWS * 2))
    found = {
        last_name: make_registration(
            category,
            delegate=make_delegate(
                f"{first_name.lower()}@example.com", first_name=first_name, last_name=last_name
            ),
        )
        for first_name, last_name in NAMES
    }
    with connection.cursor() as cursor:
        cursor.execute(
            BULK_REGISTRATIONS, {"rows": ROWS, "event": category.event_id, "category": category.pk}
        )
        cursor.execute("ANALYZE registrations_registration")
    return found


def _shown(page: str, crowd) -> set[str]:
    return {name for name, registration in crowd.items() if registration.reference in page}


SEARCHES = [
    ("muller", "Müller"),
    ("ахметова", "Ахметова"),
    ("АХМЕТОВА", "Ахметова"),
    ("Muller", "Müller"),
    ("MÜLLER", "Müller"),
    ("seitkali", "Seitkali"),
    ("hans müller", "Müller"),
]


def test_search_among_100000_ignores_case_and_accents_through_the_indexes(
    secretariat_client, crowd
):
    # One test, one bulk insert: building the 100,000 rows is most of its time.
    for query, expected in SEARCHES:
        with CaptureQueriesContext(connection) as queries:
            page = secretariat_client.get(CHANGELIST, {"q": query}).content.decode()

        assert _shown(page, crowd) == {expected}, query
        assert page.count('class="action-select"') == 1, query  # none of the other 100,000
        searches = [
            captured["sql"]
            for captured in queries.captured_queries
            if 'FROM "registrations_registration"' in captured["sql"]
            and "f_unaccent" in captured["sql"]
        ]
        assert searches  # the page of rows (and the paginator's count)
        for search in searches:
            plan = _plan(search)
            assert "Bitmap Index Scan on registration_last_name_unaccent_idx" in plan, plan
            assert "Seq Scan on registrations_registration" not in plan, plan


def _plan(query: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + query)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pénding", {"pending_a"}),  # an accent typed where the name has none
        ("Pend%", set()),  # wildcards are plain characters
        ("P_nding", set()),
        ("\\", set()),
        ("'Paula Pending'", set()),  # a quoted phrase must stand in one field
        ("'paula' PENDING", {"pending_a"}),
    ],
)
def test_search_takes_what_is_typed_literally(people, world, query, expected):
    response = client_for(people["secretariat"]).get(CHANGELIST, {"q": query})

    assert response.status_code == 200
    page = response.content.decode()
    shown = {
        name
        for name in ("pending_a", "confirmed_a", "registration_b")
        if getattr(world, name).reference in page
    }
    assert shown == expected
