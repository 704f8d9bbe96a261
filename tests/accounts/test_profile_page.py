"""The delegate's "My profile" page: their details, e-mail language and consents, every change
with who made it and where; edits through accounts.services.update_profile."""

import re

import pytest

from accounts.models import DelegateProfile, ProfileHistory
from legal.policies import current_privacy_policy
from mail.models import OutgoingEmail
from registrations.models import Registration
from tests.factories import make_category, make_delegate, make_registration, make_user

pytestmark = pytest.mark.django_db

URL = "/en/profile/"


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _profile_data(**overrides) -> dict:
    """The page's form as the delegate made by `make_delegate` sees it, with `overrides`."""
    data = {
        "title": "dr",
        "first_name": "Aigerim",
        "last_name": "Nurlanova",
        "latin_name": "Aigerim Nurlanova",
        "job_title": "Chief Geologist",
        "organisation": "Steppe Minerals LLP",
        "country": "KZ",
        "phone": "+7 701 234 5678",
        "nationality": "",
        "dietary_needs": "",
        "accessibility_needs": "",
        "preferred_language": "en",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def delegate_client(client):
    delegate = make_delegate()
    client.force_login(delegate)
    client.delegate = delegate
    return client


# Access ------------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"/en/accounts/login/?next={URL}"


def test_another_delegates_details_and_history_never_appear(delegate_client):
    other = make_delegate(
        first_name="Zhanibek", organisation="Other Mining JSC", dietary_needs="No peanuts"
    )
    make_registration(delegate=other)
    delegate_client.post(URL, _profile_data(organisation="Mine LLP"))

    page = _text(delegate_client.get(URL))

    assert "Mine LLP" in page
    for secret in ("Zhanibek", "Other Mining JSC", "No peanuts", other.email):
        assert secret not in page


def test_header_and_my_registrations_link_to_the_profile(delegate_client):
    page = _text(delegate_client.get("/en/my/registrations/"))

    assert page.count('href="/en/profile/"') == 2  # the header and the page


# Showing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "organisation_label", "country"),
    [
        ("en", "Organisation", "Kazakhstan"),
        ("ru", "Организация", "Казахстан"),
        ("kk", "Ұйым", "Қазақстан"),
    ],
)
def test_page_shows_the_details_in_each_language(client, language, organisation_label, country):
    delegate = make_delegate(
        organisation="Qazaq Gold JSC",
        nationality="KZ",
        dietary_needs="Halal, no nuts",
        accessibility_needs="Step-free access",
        latin_name="Aigerim Nurlanova",
        phone="+77012345678",
        consent_attendee_list=True,
    )
    make_registration(delegate=delegate)
    client.force_login(delegate)

    response = client.get(f"/{language}/profile/")
    page = _text(response)

    assert response.status_code == 200
    assert f'<html lang="{language}">' in page
    assert organisation_label in page
    for value in ("Qazaq Gold JSC", "Halal, no nuts", "Step-free access", "Aigerim Nurlanova"):
        assert value in page
    assert country in page
    assert "+7 701 234 5678" in page
    assert current_privacy_policy().version in page  # the version last accepted


# Editing -----------------------------------------------------------------------------------


def test_saving_changes_the_profile_and_writes_one_history_row(delegate_client):
    delegate = delegate_client.delegate
    before = ProfileHistory.objects.filter(user=delegate).count()  # the profile's creation

    response = delegate_client.post(
        URL,
        _profile_data(
            organisation="Qazaq Gold JSC",
            dietary_needs="Vegetarian",
            nationality="KZ",
            consent_marketing="on",
        ),
    )

    assert response.status_code == 302
    profile = DelegateProfile.objects.get(user=delegate)
    assert profile.organisation == "Qazaq Gold JSC"
    assert profile.dietary_needs == "Vegetarian"
    assert profile.consent_marketing is True
    assert ProfileHistory.objects.filter(user=delegate).count() == before + 1
    entry = ProfileHistory.objects.filter(user=delegate).first()  # newest first
    assert entry.channel == ProfileHistory.Channel.PROFILE_PAGE
    assert entry.actor == delegate
    assert entry.changes == {
        "organisation": {"old": "Steppe Minerals LLP", "new": "Qazaq Gold JSC"},
        "dietary_needs": {"old": "", "new": "Vegetarian"},
        "nationality": {"old": "", "new": "KZ"},
        "consent_marketing": {"old": False, "new": True},
    }
    page = _text(delegate_client.get(URL))
    assert "Organisation: Steppe Minerals LLP → Qazaq Gold JSC" in page
    assert "Dietary needs: — → Vegetarian" in page
    assert "Nationality: — → Kazakhstan" in page
    assert "Accepts news about future forums: no → yes" in page
    assert "by you on the profile page" in page


def test_saving_unchanged_details_writes_no_history(delegate_client):
    before = ProfileHistory.objects.count()

    response = delegate_client.post(URL, _profile_data())

    assert response.status_code == 302
    assert ProfileHistory.objects.count() == before


def test_registration_change_appears_in_the_history_with_its_channel(delegate_client):
    registration = make_registration(delegate=delegate_client.delegate)

    response = delegate_client.post(
        f"/en/my/registrations/{registration.reference}/change/",
        {
            "job_title": "Chief Executive",
            "organisation": "Steppe Minerals LLP",
            "phone": "",
            "dietary_needs": "Vegan",
        },
    )

    assert response.status_code == 302
    entry = ProfileHistory.objects.filter(user=delegate_client.delegate).first()
    assert entry.channel == ProfileHistory.Channel.REGISTRATION_CHANGE
    assert entry.changes["job_title"] == {"old": "Chief Geologist", "new": "Chief Executive"}
    # Needs are remembered for the next forum too.
    assert entry.changes["dietary_needs"] == {"old": "", "new": "Vegan"}
    assert DelegateProfile.objects.get(user=delegate_client.delegate).dietary_needs == "Vegan"
    page = _text(delegate_client.get(URL))
    assert "when changing a registration" in page
    assert "Job title: Chief Geologist → Chief Executive" in page


def test_secretariats_registration_on_behalf_appears_as_the_secretariats(client):
    from registrations.services import register_on_behalf

    staff = make_user(is_staff=True)
    delegate = make_delegate(organisation="Old LLP")
    category = make_category()
    register_on_behalf(
        category.event,
        email=delegate.email,
        category=category,
        acting_user=staff,
        profile={"organisation": "New LLP"},
        consent_privacy=True,
    )
    client.force_login(delegate)

    page = _text(client.get(URL))

    entry = ProfileHistory.objects.filter(user=delegate).first()
    assert (entry.channel, entry.actor) == (ProfileHistory.Channel.ON_BEHALF, staff)
    assert "by the secretariat in a registration made by the secretariat" in page
    assert "Organisation: Old LLP → New LLP" in page
    assert staff.email not in page


def test_new_email_language_is_used_for_the_next_registration_email(
    delegate_client, django_capture_on_commit_callbacks
):
    registration = make_registration(delegate=delegate_client.delegate, language="en")

    delegate_client.post(URL, _profile_data(preferred_language="kk"))
    with django_capture_on_commit_callbacks(execute=True):
        delegate_client.post(f"/en/my/registrations/{registration.reference}/cancel/")

    email = OutgoingEmail.objects.get(recipient=registration.email, kind="registration.cancelled")
    assert email.language == "kk"
    assert email.subject.startswith("Тіркеудің күші жойылды")
    registration.refresh_from_db()
    assert registration.language == "kk"
    assert registration.history.filter(details__changes__language__new="kk").exists()
    assert DelegateProfile.objects.get(user=delegate_client.delegate).preferred_language == "kk"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("organisation", "x" * 5000, "Убедитесь, что это значение содержит не более 200 символов"),
        ("dietary_needs", "x" * 5000, "Убедитесь, что это значение содержит не более 500 символов"),
        ("job_title", "Chief\x07Geologist", "Удалите из этого поля невидимые управляющие символы."),
        ("latin_name", "Айгерим Нурланова", "Укажите имя латиницей, как в паспорте"),
        ("phone", "12345", "телефон"),
    ],
)
def test_bad_input_is_refused_with_a_translated_message_and_nothing_saved(
    delegate_client, field, value, message
):
    before = ProfileHistory.objects.count()

    data = _profile_data(organisation="Changed LLP") | {field: value}

    response = delegate_client.post("/ru/profile/", data)

    assert response.status_code == 400
    assert message in _text(response)
    profile = DelegateProfile.objects.get(user=delegate_client.delegate)
    assert profile.organisation == "Steppe Minerals LLP"
    assert ProfileHistory.objects.count() == before


# The next forum's form ---------------------------------------------------------------------


def test_next_forums_form_is_prefilled_with_needs_nationality_and_listing_consent(
    delegate_client,
):
    first, second = make_category(), make_category()
    response = delegate_client.post(
        f"/en/events/{first.event.slug}/register/",
        {
            "category": str(first.pk),
            "first_name": "Aigerim",
            "last_name": "Nurlanova",
            "latin_name": "Aigerim Nurlanova",
            "dietary_needs": "Halal",
            "accessibility_needs": "Wheelchair",
            "visa_letter_needed": "on",
            "nationality": "UZ",
            "consent_privacy": "on",
            "consent_attendee_list": "on",
            "consent_marketing": "on",
            "privacy_policy_version": current_privacy_policy().version,
        },
    )
    assert response.status_code == 302

    page = _text(delegate_client.get(f"/en/events/{second.event.slug}/register/"))

    assert re.search(r'<textarea name="dietary_needs"[^>]*>\s*Halal</textarea>', page)
    assert re.search(r'<textarea name="accessibility_needs"[^>]*>\s*Wheelchair</textarea>', page)
    assert re.search(r'<option value="UZ" selected>', page)
    assert re.search(r'<input type="checkbox" name="consent_attendee_list"[^>]*checked', page)
    # News about future forums is asked afresh each time, never ticked in advance.
    assert not re.search(r'<input type="checkbox" name="consent_marketing"[^>]*checked', page)


def test_profile_page_edits_prefill_the_next_forums_form(delegate_client):
    category = make_category()
    delegate_client.post(
        URL,
        _profile_data(
            dietary_needs="Kosher",
            accessibility_needs="Sign language",
            nationality="KG",
            consent_attendee_list="on",
        ),
    )

    page = _text(delegate_client.get(f"/en/events/{category.event.slug}/register/"))

    assert re.search(r'<textarea name="dietary_needs"[^>]*>\s*Kosher</textarea>', page)
    assert re.search(r'<textarea name="accessibility_needs"[^>]*>\s*Sign language</textarea>', page)
    assert re.search(r'<option value="KG" selected>', page)
    assert re.search(r'<input type="checkbox" name="consent_attendee_list"[^>]*checked', page)


# Performance -------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 3])
def test_profile_page_query_count_is_constant(client, django_assert_num_queries, rows):
    delegate = make_delegate()  # one history row: the profile's creation
    for n in range(rows - 1):
        delegate_client_post_free_change(delegate, n)
    make_registration(delegate=delegate)
    assert ProfileHistory.objects.filter(user=delegate).count() == rows
    client.force_login(delegate)

    # session, user, profile, history, the last privacy-policy consent
    with django_assert_num_queries(5):
        assert client.get(URL).status_code == 200


def delegate_client_post_free_change(delegate, n):
    from accounts.services import update_profile

    update_profile(delegate, channel="profile_page", acting_user=delegate, job_title=f"Job {n}")


def test_registration_keeps_its_own_copy(delegate_client):
    registration = make_registration(delegate=delegate_client.delegate)

    delegate_client.post(URL, _profile_data(organisation="Later LLP"))

    registration.refresh_from_db()
    assert registration.organisation == "Steppe Minerals LLP"
    assert Registration.objects.filter(organisation="Later LLP").count() == 0


def test_registering_in_russian_makes_russian_the_profiles_email_language(delegate_client):
    category = make_category()

    delegate_client.post(
        f"/ru/events/{category.event.slug}/register/",
        {
            "category": str(category.pk),
            "first_name": "Aigerim",
            "last_name": "Nurlanova",
            "consent_privacy": "on",
            "privacy_policy_version": current_privacy_policy().version,
        },
    )

    assert DelegateProfile.objects.get(user=delegate_client.delegate).preferred_language == "ru"
    entry = ProfileHistory.objects.filter(user=delegate_client.delegate).first()
    assert entry.channel == ProfileHistory.Channel.REGISTRATION
    assert entry.changes["preferred_language"] == {"old": "en", "new": "ru"}
    page = _text(delegate_client.get(URL))
    assert "Preferred language: English → Russian" in page
    assert "when registering for a forum" in page


def test_first_visit_without_a_profile_creates_it(client):
    user = make_user()
    client.force_login(user)

    assert client.get("/kk/profile/").status_code == 200
    response = client.post(URL, _profile_data(first_name="Serik", last_name="Akhmetov"))

    assert response.status_code == 302
    profile = DelegateProfile.objects.get(user=user)
    assert (profile.first_name, profile.organisation) == ("Serik", "Steppe Minerals LLP")
    assert ProfileHistory.objects.get(user=user).channel == ProfileHistory.Channel.PROFILE_PAGE
