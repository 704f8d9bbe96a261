"""Visa services take their row locks in the documented order: the registration (only to
create a request), then the visa request, then its letters; the registration services reach
the visa requests last, through `registration_status_changed`."""

import datetime

import pytest
from django.utils import timezone

from registrations.services import cancel_registration
from tests.factories import (
    make_category,
    make_event,
    make_registration,
    make_user,
    make_visa_request,
)
from tests.registrations.test_lock_order import locks_taken_by
from visas import services

pytestmark = pytest.mark.django_db

EVENT = "events_event"
CATEGORY = "registrations_delegatecategory"
REGISTRATION = "registrations_registration"
REQUEST = "visas_visarequest"
LETTER = "visas_visaletter"


@pytest.fixture
def registration():
    event = make_event(start_date=timezone.localdate() + datetime.timedelta(days=40))
    return make_registration(make_category(event), visa_letter_needed=True, nationality="GB")


def test_request_locks_only_the_registration(registration):
    assert locks_taken_by(lambda: make_visa_request(registration)) == [REGISTRATION]


def test_issue_locks_the_request_then_its_letters(registration):
    staff = make_user(is_staff=True)
    request = make_visa_request(registration)
    services.record_petition(request, petition_number="P-1", acting_user=staff)

    assert locks_taken_by(lambda: services.issue_letter(request, acting_user=staff)) == [
        REQUEST,
        LETTER,
    ]


def test_cancelling_a_registration_locks_its_visa_requests_last(registration):
    staff = make_user(is_staff=True)
    request = make_visa_request(registration)
    services.record_petition(request, petition_number="P-1", acting_user=staff)
    services.issue_letter(request, acting_user=staff)

    locks = locks_taken_by(
        lambda: cancel_registration(registration, acting_user=registration.delegate)
    )

    assert locks[:5] == [EVENT, CATEGORY, REGISTRATION, REQUEST, LETTER]
    # The waitlist promotion after it locks the category again: a row this transaction holds.
    assert set(locks[5:]) <= {CATEGORY}


def test_cancelling_a_registration_without_a_request_takes_no_visa_lock(registration):
    locks = locks_taken_by(
        lambda: cancel_registration(registration, acting_user=registration.delegate)
    )

    assert REQUEST not in locks
