"""The delegate profile: stored once, validated, updated field by field."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import DelegateProfile
from accounts.selectors import get_profile
from accounts.services import update_profile
from tests.factories import make_profile, make_user

pytestmark = pytest.mark.django_db


def test_update_profile_creates_then_updates_only_given_fields():
    user = make_user()

    update_profile(user, first_name="Әйгерім", last_name="Құрманғалиқызы", country="KZ")
    update_profile(user, organisation="Qazaq Gold JSC")

    profile = get_profile(user)
    assert (profile.first_name, profile.last_name) == ("Әйгерім", "Құрманғалиқызы")
    assert profile.organisation == "Qazaq Gold JSC"
    assert profile.country.code == "KZ"
    assert DelegateProfile.objects.count() == 1


@pytest.mark.parametrize(
    "latin_name", ["Aigerim Kurmangalikyzy", "Jean-Luc O'Neill", "Anne-Marie D’Arcy", "Li Na"]
)
def test_latin_name_accepts_passport_spellings(latin_name):
    profile = make_profile(latin_name=latin_name)

    assert profile.latin_name == latin_name


@pytest.mark.parametrize(
    "latin_name", ["Айгерим", "Zoë Müller", "李娜", "Name1", "-Lead", "Trail-", "A  ", "O''"]
)
def test_latin_name_refuses_other_characters(latin_name):
    with pytest.raises(ValidationError) as refusal:
        make_profile(latin_name=latin_name)

    assert "latin_name" in refusal.value.message_dict


@pytest.mark.parametrize(
    "field, value",
    [
        ("first_name", "x" * 101),
        ("last_name", "x" * 101),
        ("latin_name", "A" * 201),
        ("job_title", "x" * 151),
        ("organisation", "x" * 201),
        ("phone", "12345"),
        ("country", "XX"),
        ("preferred_language", "de"),
        ("title", "king"),
    ],
)
def test_profile_refuses_bad_values(field, value):
    user = make_user()
    make_profile(user)

    with pytest.raises(ValidationError) as refusal:
        update_profile(user, **{field: value})

    assert field in refusal.value.message_dict
    assert get_profile(user).organisation == "Steppe Minerals LLP"  # nothing half-saved


def test_new_profile_needs_first_and_last_name():
    with pytest.raises(ValidationError) as refusal:
        update_profile(make_user(), organisation="Qazaq Gold JSC")

    assert set(refusal.value.message_dict) == {"first_name", "last_name"}


def test_unknown_profile_field_is_a_programming_error():
    with pytest.raises(TypeError):
        update_profile(make_user(), email="other@example.com")


def test_phone_is_stored_in_international_format():
    profile = make_profile(phone="+7 701 234 56 78")

    profile.refresh_from_db()
    assert str(profile.phone) == "+77012345678"
