"""The "History" page of a registration: its real history (RegistrationHistory), as readable
lines on the event's clock, in the user's language, without special personal data for those
who may not see it, in a fixed number of queries."""

import html
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, translation

from registrations.models import RegistrationHistory
from registrations.services import (
    approve_registration,
    cancel_registration,
    check_in_registration,
    reject_registration,
    resend_registration_email,
    update_registration_details,
)
from tests.factories import (
    make_category,
    make_delegate,
    make_event,
    make_profile,
    make_registration,
)

from .conftest import CHANGELIST, client_for

pytestmark = pytest.mark.django_db

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")


def history_url(registration, language: str = "en") -> str:
    return f"{CHANGELIST}{registration.pk}/history/".replace("/en/", f"/{language}/", 1)


def page_text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def local_time(entry: RegistrationHistory) -> str:
    return entry.at.astimezone(ALMATY).strftime("%H:%M")


@pytest.fixture
def aigerim(secretariat):
    """The secretariat member, with a name on her profile."""
    make_profile(secretariat, first_name="Aigerim", last_name="Ahmetova")
    return secretariat


def test_history_lists_who_did_what_when_on_the_events_clock(aigerim, secretariat_client, world):
    registration = world.pending_a
    approve_registration(registration, acting_user=aigerim)
    check_in_registration(registration, acting_user=aigerim)
    checked_in = registration.history.get(action=RegistrationHistory.Action.CHECKED_IN)

    page = page_text(secretariat_client.get(history_url(registration)))

    assert "Registered by Paula Pending" in page
    assert "Approved by Aigerim Ahmetova" in page
    assert f"Checked in by Aigerim Ahmetova at {local_time(checked_in)}" in page
    assert "Pending approval → Confirmed" in page
    assert "(Asia/Almaty, UTC+5)" in page
    # Not Django's LogEntry list ("… doesn't have a change history", "checked_in 2026-…").
    assert "change history" not in page
    assert "checked_in" not in page


def test_a_rejection_shows_its_reason(aigerim, secretariat_client, world):
    registration = world.pending_a
    reject_registration(registration, reason="The programme is full.", acting_user=aigerim)

    page = page_text(secretariat_client.get(history_url(registration)))

    assert "Rejected by Aigerim Ahmetova: The programme is full." in page
    assert "Pending approval → Rejected" in page


def test_history_in_russian_uses_the_russian_date_and_statuses(aigerim, secretariat_client, world):
    registration = world.pending_a
    approve_registration(registration, acting_user=aigerim)
    approved = registration.history.get(action=RegistrationHistory.Action.APPROVED)

    page = page_text(secretariat_client.get(history_url(registration, "ru")))

    local = approved.at.astimezone(ALMATY)
    with translation.override("ru"):
        assert formats.date_format(local, "j E Y, H:i") in page  # "29 ноября 2026, 23:53"
        assert translation.gettext("Approved by %(actor)s") % {"actor": "Aigerim Ahmetova"} in page
    assert "Ожидает одобрения → Подтверждена" in page
    assert "История" in page


def test_a_correction_hides_special_personal_data_from_organisers(
    aigerim, secretariat_client, people, world
):
    registration = world.confirmed_a
    update_registration_details(
        registration, acting_user=aigerim, phone="+77015550199", organisation="Kazakhmys"
    )

    organiser_page = page_text(client_for(people["organiser_a"]).get(history_url(registration)))
    secretariat_page = page_text(secretariat_client.get(history_url(registration)))

    assert "Details corrected by Aigerim Ahmetova" in organiser_page
    assert "organisation: Steppe Minerals LLP → Kazakhmys" in organiser_page
    assert "+77015550199" not in organiser_page
    assert "+77012345678" not in organiser_page
    assert "phone: (hidden: special personal data)" in organiser_page
    assert "phone: +77012345678 → +77015550199" in secretariat_page


def test_another_forums_history_is_missing(people, world):
    response = client_for(people["organiser_b"]).get(history_url(world.pending_a))

    assert response.status_code == 302
    assert response["Location"] == "/en/admin/"


def history_queries(client, registration) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(history_url(registration))
    assert response.status_code == 200
    return len(queries)


def test_history_page_queries_do_not_grow_with_the_entries(secretariat, secretariat_client, world):
    one = world.pending_a  # one entry: registered
    three = make_registration(
        world.speakers_a, delegate=make_delegate("three@example.com", last_name="Three")
    )
    approve_registration(three, acting_user=secretariat)
    resend_registration_email(three, acting_user=secretariat)
    assert (one.history.count(), three.history.count()) == (1, 3)
    history_queries(secretariat_client, one)  # warm the session and permission caches

    assert history_queries(secretariat_client, one) == history_queries(secretariat_client, three)


def test_on_behalf_overrides_and_automatic_promotion_read_as_sentences(
    aigerim, secretariat_client, world
):
    event = make_event(world.forum_a, title_en="MINEX Europe Summit", capacity=1)
    category = make_category(event, name_en="Delegate")
    first = make_registration(
        category,
        delegate=make_delegate("vip@example.com", first_name="Vera", last_name="Vip"),
        acting_user=aigerim,
        override_window=True,
    )
    second = make_registration(category, delegate=make_delegate("queue@example.com"))
    cancel_registration(first, acting_user=aigerim)

    first_page = page_text(secretariat_client.get(history_url(first)))
    second_page = page_text(secretariat_client.get(history_url(second)))

    assert "Registered on the delegate's behalf by Aigerim Ahmetova" in first_page
    assert "registration window overridden" in first_page
    assert "Cancelled by Aigerim Ahmetova" in first_page
    assert "Confirmed → Cancelled" in first_page
    assert "Promoted from the waitlist automatically" in second_page
    assert "a place freed by a cancellation" in second_page
    assert "Waitlisted → Confirmed" in second_page
