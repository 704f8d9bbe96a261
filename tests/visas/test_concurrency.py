"""Two submissions of the visa form at the same moment (two tabs, a double click on a slow
line) make one request: the registration's row lock serialises them, the second sees the
first and is told so."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import PASSPORT, make_category, make_event, make_registration, visa_trip
from visas import services
from visas.models import VisaRequest

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_requests_make_one():
    event = make_event(start_date=timezone.localdate() + datetime.timedelta(days=40))
    registration = make_registration(
        make_category(event), visa_letter_needed=True, nationality="GB"
    )
    start = threading.Barrier(4)
    outcomes = []

    def submit():
        try:
            start.wait()
            services.request_visa_letter(
                registration, acting_user=registration.delegate, **PASSPORT, **visa_trip(event)
            )
            outcomes.append("created")
        except services.AlreadyRequested:
            outcomes.append("already")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["already", "already", "already", "created"]
    assert VisaRequest.objects.filter(registration=registration).count() == 1
