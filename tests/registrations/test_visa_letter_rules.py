"""A visa invitation letter needs the nationality and the name in Latin letters. One rule
(`registrations.rules`), so every way in says the same thing: the delegate's registration
form and change page, the services, and (tests/registrations/admin/test_visa_letter_messages.py)
the secretariat's on-behalf form and change page."""

import re

import pytest
from django.core.exceptions import ValidationError

from legal.policies import current_privacy_policy
from registrations.models import Registration
from registrations.services import register_delegate, update_registration_details
from tests.factories import make_category, make_delegate, make_registration, make_user

pytestmark = pytest.mark.django_db

NEEDS_NATIONALITY = "A visa invitation letter needs the nationality."
NEEDS_LATIN_NAME = "A visa invitation letter needs the name in Latin letters, as in the passport."


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _registration_form(category, **fields) -> dict:
    data = {
        "category": str(category.pk),
        "first_name": "Aigerim",
        "last_name": "Nurlanova",
        "latin_name": "Aigerim Nurlanova",
        "consent_privacy": "on",
        "privacy_policy_version": current_privacy_policy().version,
        "visa_letter_needed": "on",
        "nationality": "KZ",
    }
    data.update(fields)
    return data


def _change_form(**fields) -> dict:
    data = {
        "job_title": "Chief Geologist",
        "organisation": "Steppe Minerals LLP",
        "phone": "+77012345678",
        "visa_letter_needed": "on",
        "nationality": "KZ",
    }
    data.update(fields)
    return data


@pytest.mark.parametrize(
    ("missing", "message"),
    [({"nationality": ""}, NEEDS_NATIONALITY), ({"latin_name": ""}, NEEDS_LATIN_NAME)],
)
def test_registration_form_says_what_the_visa_letter_needs(client, missing, message):
    category = make_category()
    delegate = make_delegate()
    client.force_login(delegate)

    response = client.post(
        f"/en/events/{category.event.slug}/register/", _registration_form(category, **missing)
    )

    assert response.status_code == 400
    assert message in _text(response)
    assert not Registration.objects.filter(delegate=delegate).exists()


@pytest.mark.parametrize(
    ("profile", "missing", "message"),
    [
        ({}, {"nationality": ""}, NEEDS_NATIONALITY),
        ({"latin_name": ""}, {}, NEEDS_LATIN_NAME),
    ],
)
def test_change_page_says_what_the_visa_letter_needs(client, profile, missing, message):
    delegate = make_delegate(**profile)
    client.force_login(delegate)
    registration = make_registration(delegate=delegate)

    response = client.post(
        f"/en/my/registrations/{registration.reference}/change/", _change_form(**missing)
    )

    assert response.status_code == 400
    assert message in _text(response)
    assert Registration.objects.get(pk=registration.pk).visa_letter_needed is False


@pytest.mark.parametrize(
    ("profile", "details", "message"),
    [
        ({}, {"nationality": ""}, NEEDS_NATIONALITY),
        ({"latin_name": ""}, {"nationality": "KZ"}, NEEDS_LATIN_NAME),
    ],
)
def test_services_say_what_the_visa_letter_needs(profile, details, message):
    category = make_category()
    delegate = make_delegate(**profile)

    with pytest.raises(ValidationError) as refused_registration:
        register_delegate(
            category.event, delegate=delegate, category=category, consent_privacy=True,
            language="en", visa_letter_needed=True, **details,
        )  # fmt: skip
    registration = make_registration(category, delegate=delegate)
    with pytest.raises(ValidationError) as refused_correction:
        update_registration_details(
            registration, acting_user=make_user(is_staff=True), visa_letter_needed=True, **details
        )

    for refused in (refused_registration, refused_correction):
        assert message in refused.value.messages
