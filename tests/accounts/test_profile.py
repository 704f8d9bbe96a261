"""The delegate profile: stored once, validated, updated field by field."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import DelegateProfile, ProfileHistory
from accounts.selectors import get_profile, own_profile_history
from accounts.services import update_profile
from tests.factories import make_profile, make_user

pytestmark = pytest.mark.django_db

PAGE = ProfileHistory.Channel.PROFILE_PAGE


def test_update_profile_creates_then_updates_only_given_fields():
    user = make_user()

    update_profile(
        user, channel=PAGE, first_name="Әйгерім", last_name="Құрманғалиқызы", country="KZ"
    )
    update_profile(user, channel=PAGE, organisation="Qazaq Gold JSC")

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
        ("nationality", "ZZ"),
        ("preferred_language", "de"),
        ("title", "king"),
    ],
)
def test_profile_refuses_bad_values(field, value):
    user = make_user()
    make_profile(user)

    with pytest.raises(ValidationError) as refusal:
        update_profile(user, channel=PAGE, **{field: value})

    assert field in refusal.value.message_dict
    assert get_profile(user).organisation == "Steppe Minerals LLP"  # nothing half-saved


def test_new_profile_needs_first_and_last_name():
    with pytest.raises(ValidationError) as refusal:
        update_profile(make_user(), channel=PAGE, organisation="Qazaq Gold JSC")

    assert set(refusal.value.message_dict) == {"first_name", "last_name"}


def test_unknown_profile_field_is_a_programming_error():
    with pytest.raises(TypeError):
        update_profile(make_user(), channel=PAGE, email="other@example.com")


def test_phone_is_stored_in_international_format():
    profile = make_profile(phone="+7 701 234 56 78")

    profile.refresh_from_db()
    assert str(profile.phone) == "+77012345678"


# History -----------------------------------------------------------------------------------


def test_update_profile_records_who_which_fields_and_the_channel():
    user = make_user()
    staff = make_user(is_staff=True)
    make_profile(user)

    update_profile(
        user,
        channel=ProfileHistory.Channel.ON_BEHALF,
        acting_user=staff,
        organisation="Qazaq Gold JSC",
        job_title="Chief Geologist",  # as it was: not a change
        nationality="UZ",
    )

    entry = ProfileHistory.objects.filter(user=user).first()
    assert (entry.actor, entry.channel) == (staff, ProfileHistory.Channel.ON_BEHALF)
    assert entry.changes == {
        "organisation": {"old": "Steppe Minerals LLP", "new": "Qazaq Gold JSC"},
        "nationality": {"old": "", "new": "UZ"},
    }


def test_update_profile_that_changes_nothing_writes_no_history():
    user = make_user()
    make_profile(user, phone="+77012345678")
    before = ProfileHistory.objects.filter(user=user).count()

    # The same number typed with spaces is the same number.
    update_profile(user, channel=PAGE, acting_user=user, phone="+7 701 234 5678", country="KZ")

    assert ProfileHistory.objects.filter(user=user).count() == before


def test_refused_update_writes_no_history():
    user = make_user()
    make_profile(user)
    before = ProfileHistory.objects.count()

    with pytest.raises(ValidationError):
        update_profile(user, channel=PAGE, organisation="New LLP", dietary_needs="x" * 501)

    assert ProfileHistory.objects.count() == before
    assert get_profile(user).organisation == "Steppe Minerals LLP"


def test_update_profile_needs_a_channel_the_history_can_name():
    user = make_user()
    make_profile(user)

    with pytest.raises(ValueError):
        update_profile(user, channel="carrier pigeon", organisation="New LLP")

    assert get_profile(user).organisation == "Steppe Minerals LLP"


def test_history_lines_read_as_the_delegate_reads_them():
    user = make_user()
    make_profile(user, phone="")
    update_profile(
        user,
        channel=PAGE,
        acting_user=user,
        phone="+77012345678",
        country="UZ",
        preferred_language="ru",
        consent_attendee_list=True,
        title="prof",
    )

    (latest, _creation) = own_profile_history(user)

    assert [(line.label, line.old, line.new) for line in latest.lines] == [
        ("Title", "Dr", "Prof."),
        ("Country", "Kazakhstan", "Uzbekistan"),
        ("Phone", "—", "+7 701 234 5678"),
        ("Appears in the attendee list", "no", "yes"),
        ("Preferred language", "English", "Russian"),
    ]
    assert latest.by_self
