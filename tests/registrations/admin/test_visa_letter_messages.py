"""The secretariat's ways in say what a visa invitation letter needs in the same words as the
delegate's (see tests/registrations/test_visa_letter_rules.py): one rule,
`registrations.rules`."""

import re

import pytest

from registrations.models import Registration
from tests.factories import make_delegate, make_registration

from .conftest import ON_BEHALF, change_form_data, change_url

pytestmark = pytest.mark.django_db

NEEDS_NATIONALITY = "A visa invitation letter needs the nationality."
NEEDS_LATIN_NAME = "A visa invitation letter needs the name in Latin letters, as in the passport."


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize(
    ("profile", "missing", "message"),
    [
        ({}, {"nationality": ""}, NEEDS_NATIONALITY),
        # The form's Latin name is empty (keep the profile's), and the profile has none.
        ({"latin_name": ""}, {}, NEEDS_LATIN_NAME),
    ],
)
def test_on_behalf_form_says_what_the_visa_letter_needs(
    secretariat_client, world, profile, missing, message
):
    delegate = make_delegate("visa@example.com", **profile)
    data = {
        "event": world.event_a.pk,
        "category": world.delegates_a.pk,
        "email": "visa@example.com",
        "consent_privacy": "on",
        "visa_letter_needed": "on",
        "nationality": "KZ",
        **missing,
    }

    response = secretariat_client.post(ON_BEHALF, data)

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
def test_admin_change_page_says_what_the_visa_letter_needs(
    secretariat_client, world, profile, missing, message
):
    registration = make_registration(
        world.delegates_a, delegate=make_delegate("visa@example.com", **profile)
    )
    data = change_form_data(
        registration, **{"visa_letter_needed": True, "nationality": "KZ", **missing}
    )

    response = secretariat_client.post(change_url(registration), data, follow=True)

    assert message in _text(response)
    assert Registration.objects.get(pk=registration.pk).visa_letter_needed is False
