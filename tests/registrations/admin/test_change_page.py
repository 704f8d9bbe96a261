"""Correcting a delegate's details on the change page: through the service, audited with old
and new values; statuses, category, reference and price are never editable."""

import pytest
from django.contrib.messages import get_messages

from registrations.models import Registration, RegistrationHistory
from registrations.services import cancel_registration

from .conftest import CHANGELIST, change_form_data, change_url

pytestmark = pytest.mark.django_db


def test_correction_is_saved_through_the_service_with_old_and_new_values(
    secretariat, secretariat_client, world
):
    registration = world.confirmed_a
    data = change_form_data(
        registration,
        organisation="Kazakhmys Corporation",
        visa_letter_needed=True,
        nationality="GB",
    )

    response = secretariat_client.post(change_url(registration), data)

    assert response.status_code == 302
    assert response["Location"] == CHANGELIST
    registration.refresh_from_db()
    assert registration.organisation == "Kazakhmys Corporation"
    assert registration.visa_letter_needed is True
    entry = registration.history.order_by("-at", "-pk").first()
    assert entry.action == RegistrationHistory.Action.DETAILS_UPDATED
    assert entry.actor == secretariat
    assert entry.details["changes"] == {
        "organisation": {"old": "Steppe Minerals LLP", "new": "Kazakhmys Corporation"},
        "visa_letter_needed": {"old": False, "new": True},
        "nationality": {"old": "", "new": "GB"},
    }


def test_saving_without_changes_writes_no_history(secretariat_client, world):
    registration = world.confirmed_a

    secretariat_client.post(change_url(registration), change_form_data(registration))

    assert registration.history.count() == 1


def test_status_category_reference_and_price_are_not_editable(secretariat_client, world):
    registration = world.confirmed_a
    other = world.speakers_a
    data = change_form_data(
        registration,
        status="cancelled",
        category=other.pk,
        reference="MX26-EU-AAAAA",
        price="0.00",
    )

    page = secretariat_client.get(change_url(registration)).content.decode()
    secretariat_client.post(change_url(registration), data)

    for field in ("status", "category", "reference", "price", "event", "delegate"):
        assert f'name="{field}"' not in page
    registration = Registration.objects.get(pk=registration.pk)
    assert registration.status == "confirmed"
    assert registration.category_id == world.delegates_a.pk
    assert registration.reference == world.confirmed_a.reference
    assert registration.price == world.confirmed_a.price


def test_a_bad_value_is_refused_on_the_form(secretariat_client, world):
    registration = world.confirmed_a
    data = change_form_data(registration, visa_letter_needed=True, nationality="")

    response = secretariat_client.post(change_url(registration), data)

    assert response.status_code == 200
    assert "A visa invitation letter needs the nationality." in response.content.decode()
    assert Registration.objects.get(pk=registration.pk).visa_letter_needed is False


def test_a_cancelled_registration_is_a_closed_record(secretariat_client, world):
    cancel_registration(world.confirmed_a, acting_user=None)

    page = secretariat_client.get(change_url(world.confirmed_a)).content.decode()

    assert 'name="organisation"' not in page
    assert "Cancelled" in page  # the history inline


def test_change_page_shows_the_history_read_only(secretariat_client, world):
    page = secretariat_client.get(change_url(world.pending_a)).content.decode()

    assert "Registered" in page
    assert 'name="history-0-reason"' not in page


def test_a_registration_cancelled_meanwhile_keeps_its_details(secretariat_client, world):
    """The registration was cancelled between loading the page and saving it."""
    registration = world.confirmed_a
    data = change_form_data(registration, organisation="Too Late Ltd")
    secretariat_client.get(change_url(registration))
    Registration.objects.filter(pk=registration.pk).update(status="cancelled")

    response = secretariat_client.post(change_url(registration), data)

    # Closed records are read-only: the form ignores the posted field, nothing changes.
    assert response.status_code == 302
    assert Registration.objects.get(pk=registration.pk).organisation == "Steppe Minerals LLP"
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert not any("Too Late" in m for m in messages)
