"""Who may see and print badges (the real roles), scoping to one's forums, query counts."""

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from badges.models import Badge, BadgeBatch, BadgePrint
from badges.services import queue_badge_batch
from tests.badges.conftest import BADGES, client_for, make_staff, register

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "list_status", "may_print"),
    [
        ("delegate", 302, False),  # to the login page
        ("organiser", 403, False),
        ("secretariat", 200, True),
        ("superuser", 200, True),
    ],
)
def test_who_may_list_and_print_badges(people, event_a, who, list_status, may_print):
    badges = [r.badge for r in register(event_a, 1)]
    client = client_for(people[who])

    listing = client.get(BADGES)
    response = client.post(
        BADGES,
        {
            "action": "print_selected",
            helpers.ACTION_CHECKBOX_NAME: [str(badges[0].pk)],
            "apply": "yes",
        },
    )

    assert listing.status_code == list_status
    if list_status == 200:
        assert ("Print selected badges" in listing.content.decode()) is may_print
    assert (response.get("Content-Type") == "application/pdf") is may_print
    assert BadgePrint.objects.exists() is may_print


def test_staff_who_may_view_badges_but_not_print_get_no_print_action(roles, forum_a, event_a):
    viewer = make_staff("viewer@example.com", forums=[forum_a])
    viewer.user_permissions.add(Permission.objects.get(codename="view_badge"))
    badge = register(event_a, 1)[0].badge
    client = client_for(viewer)

    listing = client.get(BADGES)
    client.post(
        BADGES,
        {"action": "print_selected", helpers.ACTION_CHECKBOX_NAME: [str(badge.pk)], "apply": "yes"},
    )

    assert listing.status_code == 200 and badge.registration.reference in listing.content.decode()
    assert "Print selected badges" not in listing.content.decode()
    assert not BadgePrint.objects.exists()


def test_a_printer_sees_and_prints_only_the_badges_of_their_forums(
    roles, forum_a, event_a, event_b
):
    printer = make_staff("printer@example.com", forums=[forum_a])
    printer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_badge", "print_badges", "view_badgebatch"])
    )
    own = register(event_a, 1)[0]
    other = register(event_b, 1)[0]
    batch = queue_badge_batch(event_b, [other.badge.pk], acting_user=None, language="en")
    client = client_for(printer)

    page = client.get(BADGES).content.decode()
    response = client.post(
        BADGES,
        {
            "action": "print_selected",
            helpers.ACTION_CHECKBOX_NAME: [str(other.badge.pk)],
            "apply": "yes",
        },
    )

    assert own.reference in page and other.reference not in page
    assert response.get("Content-Type") != "application/pdf"
    assert not BadgePrint.objects.exists()
    assert client.get(f"/en/admin/badges/badgebatch/{batch.pk}/status/").status_code == 404


def test_organiser_cannot_open_a_batch(people, event_a):
    badge = register(event_a, 1)[0].badge
    batch = queue_badge_batch(event_a, [badge.pk], acting_user=None, language="en")

    response = client_for(people["organiser"]).get(
        f"/en/admin/badges/badgebatch/{batch.pk}/status/"
    )

    assert response.status_code == 403
    assert BadgeBatch.objects.get().status == "queued"


@pytest.mark.parametrize("query", ["", "?printed=changed", "?printed=no"])
def test_badge_list_makes_the_same_number_of_queries_for_1_and_3_rows(secretariat, event_a, query):
    client = client_for(secretariat)
    register(event_a, 1)
    client.get(BADGES + query)  # warm up: session, permissions, content types
    with CaptureQueriesContext(connection) as one:
        assert client.get(BADGES + query).status_code == 200
    register(event_a, 2)
    with CaptureQueriesContext(connection) as three:
        page = client.get(BADGES + query)

    assert len(three) == len(one)
    if not query:
        assert all(b.registration.reference in page.content.decode() for b in Badge.objects.all())
