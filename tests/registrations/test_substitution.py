"""Handing a registration to a colleague (`substitute_registration`): until the event's
cut-off, never after check-in, audited, both people told, nothing half-saved."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from badges.models import Badge
from registrations.models import Registration, RegistrationHistory
from registrations.services import (
    AlreadyCheckedIn,
    AlreadyRegistered,
    SamePerson,
    SubstitutionClosed,
    check_in_registration,
    substitute_registration,
)
from tests.factories import make_category, make_delegate, make_event, make_registration, make_user

pytestmark = pytest.mark.django_db

COLLEAGUE = {
    "email": "Dauren.Sadykov@example.kz",
    "title": "mr",
    "first_name": "Dauren",
    "last_name": "Sadykov",
    "job_title": "Deputy Director",
    "organisation": "Ministry of Industry",
    "country": "KZ",
}


def hand_over(registration, **overrides):
    values = {
        "new_person": COLLEAGUE,
        "acting_user": registration.delegate,
        "reason": "The director cannot travel.",
        "consent_privacy": True,
    }
    values.update(overrides)
    return substitute_registration(registration, **values)


def test_substitution_hands_the_place_to_a_new_account_and_tells_both(
    django_capture_on_commit_callbacks, mailoutbox
):
    registration = make_registration(dietary_needs="No nuts", consent_attendee_list=True)
    old_delegate = registration.delegate
    badge_code = Badge.objects.get(registration=registration).code

    with django_capture_on_commit_callbacks(execute=True):
        result = hand_over(registration)

    registration = Registration.objects.get(pk=registration.pk)
    new_delegate = User.objects.get(email="dauren.sadykov@example.kz")
    assert result.new_account and not new_delegate.has_usable_password()
    assert registration.delegate == new_delegate
    assert (registration.first_name, registration.last_name) == ("Dauren", "Sadykov")
    assert registration.email == "dauren.sadykov@example.kz"
    assert registration.reference == result.registration.reference
    # The previous person's needs and consents do not travel with the place.
    assert registration.dietary_needs == "" and registration.consent_attendee_list is False
    # The old QR stops working.
    assert Badge.objects.get(registration=registration).code != badge_code
    entry = registration.history.get(action=RegistrationHistory.Action.SUBSTITUTED)
    assert entry.actor == old_delegate
    assert entry.reason == "The director cannot travel."
    assert entry.details["old"]["email"] == old_delegate.email
    assert entry.details["new"]["name"] == "Dauren Sadykov"
    recipients = sorted(message.to[0] for message in mailoutbox)
    assert recipients == sorted(["dauren.sadykov@example.kz", old_delegate.email])
    to_new = next(m for m in mailoutbox if m.to == ["dauren.sadykov@example.kz"])
    assert "handed over to you" in to_new.subject
    assert "password-reset page" in to_new.body
    to_old = next(m for m in mailoutbox if m.to == [old_delegate.email])
    assert "Dauren Sadykov" in to_old.body


def test_substitution_to_an_existing_person_keeps_their_own_details():
    colleague = make_delegate("dauren.sadykov@example.kz", first_name="Даурен", last_name="Садыков")
    registration = make_registration()

    result = hand_over(registration)

    assert not result.new_account
    assert result.registration.delegate == colleague
    assert result.registration.first_name == "Даурен"


def test_substitution_after_the_cutoff_is_refused_and_saves_nothing():
    event = make_event(substitution_cutoff=timezone.now() - datetime.timedelta(minutes=1))
    registration = make_registration(make_category(event))

    with pytest.raises(SubstitutionClosed):
        hand_over(registration)

    assert Registration.objects.get(pk=registration.pk).delegate == registration.delegate
    assert not User.objects.filter(email="dauren.sadykov@example.kz").exists()
    # The secretariat may still do it, and the override is recorded.
    staff = make_user(is_staff=True)
    hand_over(registration, acting_user=staff, override_cutoff=True)
    entry = registration.history.get(action=RegistrationHistory.Action.SUBSTITUTED)
    assert entry.details["override_cutoff"] is True


def test_substitution_after_check_in_is_refused():
    registration = make_registration()
    check_in_registration(registration, acting_user=make_user(is_staff=True))

    with pytest.raises(AlreadyCheckedIn):
        hand_over(registration)


def test_substitution_to_someone_already_registered_is_refused():
    registration = make_registration()
    other = make_registration(make_category(registration.event))

    with pytest.raises(AlreadyRegistered):
        hand_over(registration, new_person={**COLLEAGUE, "email": other.email})
    with pytest.raises(SamePerson):
        hand_over(registration, new_person={**COLLEAGUE, "email": registration.email})
