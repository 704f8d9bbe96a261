"""Delegate pages: register, see, change, cancel — only one's own, in any language."""

import datetime
import io
import re

import icalendar
import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import DelegateProfile
from registrations.models import Registration
from tests.factories import (
    make_category,
    make_delegate,
    make_event,
    make_registration,
    make_user,
    registration_form_data,
)

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


_form_data = registration_form_data


@pytest.fixture
def delegate_client(client):
    delegate = make_delegate()
    client.force_login(delegate)
    client.delegate = delegate
    return client


# Access ------------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_log_in_and_back_to_the_form(client):
    category = make_category()
    url = f"/en/events/{category.event.slug}/register/"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/en/accounts/login/?next={url}"


@pytest.mark.parametrize("page", ["", "thank-you/", "change/", "cancel/", "calendar.ics"])
def test_another_delegates_registration_is_not_found(delegate_client, page):
    someone_else = make_registration()
    response = delegate_client.get(f"/en/my/registrations/{someone_else.reference}/{page}")
    assert response.status_code == 404


def test_cancelling_another_delegates_registration_is_not_found_and_changes_nothing(
    delegate_client,
):
    someone_else = make_registration()
    url = f"/en/my/registrations/{someone_else.reference}/cancel/"
    assert delegate_client.post(url).status_code == 404
    someone_else.refresh_from_db()
    assert someone_else.status == Registration.Status.CONFIRMED


def test_my_registrations_lists_only_my_own(delegate_client):
    mine = make_registration(delegate=delegate_client.delegate)
    theirs = make_registration()
    page = _text(delegate_client.get("/en/my/registrations/"))
    assert mine.reference in page
    assert theirs.reference not in page


# Registering -------------------------------------------------------------------------------


def test_form_is_prefilled_from_the_profile(delegate_client):
    category = make_category()
    response = delegate_client.get(f"/en/events/{category.event.slug}/register/")
    assert response.status_code == 200
    page = _text(response)
    assert 'value="Aigerim"' in page and 'value="Steppe Minerals LLP"' in page


def test_categories_show_price_and_places_left(delegate_client):
    event = make_event(capacity=20)
    category = make_category(event, name_en="Delegate", capacity=12, price="450.00")
    make_registration(category)
    page = _text(delegate_client.get(f"/en/events/{event.slug}/register/"))
    assert "Delegate" in page and "€450.00" in page
    assert "11 places left" in page


def test_full_category_with_waitlist_says_so(delegate_client):
    event = make_event(capacity=1, waitlist_enabled=True)
    category = make_category(event)
    make_registration(category)
    page = _text(delegate_client.get(f"/en/events/{event.slug}/register/"))
    assert "Full: you will join the waitlist" in page


def test_registering_shows_the_reference_and_status(delegate_client):
    category = make_category()
    response = delegate_client.post(
        f"/en/events/{category.event.slug}/register/", _form_data(category), follow=True
    )
    registration = Registration.objects.get(delegate=delegate_client.delegate)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == (
        f"/en/my/registrations/{registration.reference}/thank-you/"
    )
    page = _text(response)
    assert registration.reference in page
    assert "Confirmed" in page
    assert registration.language == "en"


def test_registering_in_russian_records_the_language(delegate_client):
    category = make_category()
    delegate_client.post(f"/ru/events/{category.event.slug}/register/", _form_data(category))
    assert Registration.objects.get(delegate=delegate_client.delegate).language == "ru"


def test_registering_updates_the_stored_profile(delegate_client):
    category = make_category()
    delegate_client.post(
        f"/en/events/{category.event.slug}/register/",
        _form_data(category, organisation="Qazaq Gold JSC"),
    )
    profile = DelegateProfile.objects.get(user=delegate_client.delegate)
    assert profile.organisation == "Qazaq Gold JSC"


def test_double_submit_gives_one_registration(delegate_client):
    category = make_category()
    url = f"/en/events/{category.event.slug}/register/"
    first = delegate_client.post(url, _form_data(category))
    second = delegate_client.post(url, _form_data(category))
    assert Registration.objects.filter(delegate=delegate_client.delegate).count() == 1
    reference = Registration.objects.get(delegate=delegate_client.delegate).reference
    assert first["Location"].endswith(f"/{reference}/thank-you/")
    assert second["Location"].endswith(f"/{reference}/")


def test_waitlisted_delegate_sees_the_position(delegate_client):
    event = make_event(capacity=1, waitlist_enabled=True)
    category = make_category(event)
    make_registration(category)
    make_registration(category)  # first on the waitlist
    response = delegate_client.post(
        f"/en/events/{event.slug}/register/", _form_data(category), follow=True
    )
    page = _text(response)
    assert "Waitlisted" in page
    assert "at position 2" in page


def test_full_event_without_waitlist_is_refused_with_the_reason(delegate_client):
    event = make_event(capacity=1, waitlist_enabled=False)
    category = make_category(event)
    make_registration(category)
    response = delegate_client.post(f"/en/events/{event.slug}/register/", _form_data(category))
    assert response.status_code == 409
    assert "This event is full." in _text(response)
    assert not Registration.objects.filter(delegate=delegate_client.delegate).exists()


def test_closed_event_says_registration_is_closed(delegate_client):
    now = timezone.now()
    event = make_event(
        registration_opens_at=now - datetime.timedelta(days=5),
        registration_closes_at=now - datetime.timedelta(days=1),
    )
    category = make_category(event)
    url = f"/ru/events/{event.slug}/register/"
    assert "Регистрация закрыта." in _text(delegate_client.get(url))
    delegate_client.post(url, _form_data(category))
    assert not Registration.objects.filter(delegate=delegate_client.delegate).exists()


def test_missing_consent_is_a_clear_400_and_saves_nothing(delegate_client):
    category = make_category()
    response = delegate_client.post(
        f"/en/events/{category.event.slug}/register/",
        _form_data(category, consent_privacy=None, organisation="Changed LLP"),
    )
    assert response.status_code == 400
    assert "Please accept the privacy policy to register." in _text(response)
    assert not Registration.objects.exists()
    assert DelegateProfile.objects.get(user=delegate_client.delegate).organisation == (
        "Steppe Minerals LLP"
    )


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [("Әйгерім", "Құрманғалиқызы"), ("Сергей", "Иванов"), ("José", "Müller"), ("明", "王")],
)
def test_names_in_any_script_are_accepted(delegate_client, first_name, last_name):
    category = make_category()
    response = delegate_client.post(
        f"/en/events/{category.event.slug}/register/",
        _form_data(category, first_name=first_name, last_name=last_name),
    )
    assert response.status_code == 302
    registration = Registration.objects.get(delegate=delegate_client.delegate)
    assert (registration.first_name, registration.last_name) == (first_name, last_name)


def test_control_characters_are_refused_in_a_name(delegate_client):
    category = make_category()
    response = delegate_client.post(
        f"/en/events/{category.event.slug}/register/",
        _form_data(category, first_name="Aigerim\x1b[31m"),
    )
    assert response.status_code == 400
    assert "invisible control characters" in _text(response)


def test_line_breaks_and_tabs_are_kept_in_dietary_needs(delegate_client):
    category = make_category()
    delegate_client.post(
        f"/en/events/{category.event.slug}/register/",
        _form_data(category, dietary_needs="Vegetarian\n\tno nuts"),
    )
    assert Registration.objects.get().dietary_needs == "Vegetarian\n\tno nuts"


def test_a_5000_character_organisation_is_a_400_not_a_500(delegate_client):
    category = make_category()
    response = delegate_client.post(
        f"/en/events/{category.event.slug}/register/",
        _form_data(category, organisation="Ω" * 5000),
    )
    assert response.status_code == 400
    assert "at most 200 characters" in _text(response)


def test_bad_phone_number_is_refused(delegate_client):
    category = make_category()
    response = delegate_client.post(
        f"/en/events/{category.event.slug}/register/", _form_data(category, phone="call me")
    )
    assert response.status_code == 400


def test_visa_letter_needs_nationality(delegate_client):
    category = make_category()
    response = delegate_client.post(
        f"/en/events/{category.event.slug}/register/",
        _form_data(category, visa_letter_needed="on", nationality=""),
    )
    assert response.status_code == 400
    assert "A visa invitation letter needs the nationality." in _text(response)


def test_category_of_another_event_is_refused(delegate_client):
    category = make_category()
    other = make_category()
    response = delegate_client.post(
        f"/en/events/{category.event.slug}/register/", _form_data(other)
    )
    assert response.status_code == 400
    assert not Registration.objects.filter(delegate=delegate_client.delegate).exists()


def test_csrf_failure_shows_a_friendly_translated_page():
    category = make_category()
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_delegate())
    response = client.post(f"/ru/events/{category.event.slug}/register/", _form_data(category))
    assert response.status_code == 403
    assert "Пожалуйста, попробуйте ещё раз" in _text(response)


# Seeing, changing, cancelling --------------------------------------------------------------


def test_detail_shows_status_history(delegate_client):
    registration = make_registration(delegate=delegate_client.delegate)
    page = _text(delegate_client.get(f"/en/my/registrations/{registration.reference}/"))
    assert registration.reference in page
    assert "Registered" in page  # the first history entry


def test_history_times_are_in_the_events_time_zone(delegate_client):
    event = make_event(time_zone="Asia/Almaty")
    registration = make_registration(make_category(event), delegate=delegate_client.delegate)
    registration.history.update(at=datetime.datetime(2027, 3, 10, 12, 0, tzinfo=datetime.UTC))

    page = _text(delegate_client.get(f"/en/my/registrations/{registration.reference}/"))

    assert "10 March 2027, 17:00 (Asia/Almaty, UTC+5)" in page  # Almaty is UTC+5
    assert "12:00" not in page


def test_delegate_changes_dietary_needs(delegate_client):
    registration = make_registration(delegate=delegate_client.delegate)
    url = f"/en/my/registrations/{registration.reference}/change/"
    response = delegate_client.post(
        url,
        {
            "job_title": "CEO",
            "organisation": "Steppe Minerals LLP",
            "phone": "+77012345678",
            "dietary_needs": "Halal",
            "accessibility_needs": "",
            "nationality": "",
        },
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.job_title, registration.dietary_needs) == ("CEO", "Halal")
    history = registration.history.order_by("-at", "-pk").first()
    assert history.details["changes"]["dietary_needs"] == {"old": "", "new": "Halal"}


def test_changed_job_title_prefills_the_next_forums_form(delegate_client):
    registration = make_registration(delegate=delegate_client.delegate)
    next_forum = make_category()
    change_url = f"/en/my/registrations/{registration.reference}/change/"

    response = delegate_client.post(
        change_url,
        {
            "job_title": "Chief Executive Officer",
            "organisation": "Steppe Minerals LLP",
            "phone": "+77012345678",
            "dietary_needs": "",
            "accessibility_needs": "",
            "nationality": "",
        },
    )
    form_page = _text(delegate_client.get(f"/en/events/{next_forum.event.slug}/register/"))

    assert response.status_code == 302
    assert 'name="job_title" value="Chief Executive Officer"' in form_page
    entry = registration.history.order_by("-at", "-pk").first()
    assert entry.details["changes"]["job_title"]["new"] == "Chief Executive Officer"
    assert entry.details["profile_updated"] == ["job_title"]


def test_an_unchanged_field_on_an_old_registration_keeps_the_newer_profile(delegate_client):
    registration = make_registration(delegate=delegate_client.delegate)
    DelegateProfile.objects.filter(user=delegate_client.delegate).update(organisation="New LLP")

    delegate_client.post(
        f"/en/my/registrations/{registration.reference}/change/",
        {
            "job_title": "Chief Geologist",
            "organisation": "Steppe Minerals LLP",  # as on this registration: not an edit
            "phone": "+77012345678",
            "dietary_needs": "Halal",
            "nationality": "",
        },
    )

    profile = DelegateProfile.objects.get(user=delegate_client.delegate)
    assert profile.organisation == "New LLP"
    assert Registration.objects.get(pk=registration.pk).dietary_needs == "Halal"


def test_a_refused_change_leaves_the_profile_as_it_was(client):
    delegate = make_delegate(latin_name="")
    client.force_login(delegate)
    registration = make_registration(delegate=delegate)

    client.post(
        f"/en/my/registrations/{registration.reference}/change/",
        {
            "job_title": "CEO",
            "organisation": "Steppe Minerals LLP",
            "phone": "+77012345678",
            "visa_letter_needed": "on",
            "nationality": "KZ",
        },
    )

    assert DelegateProfile.objects.get(user=delegate).job_title == "Chief Geologist"


def test_visa_letter_on_the_change_page_needs_the_latin_name(client):
    delegate = make_delegate(latin_name="")
    client.force_login(delegate)
    registration = make_registration(delegate=delegate)
    url = f"/en/my/registrations/{registration.reference}/change/"

    response = client.post(
        url,
        {
            "job_title": "CEO",
            "organisation": "Steppe Minerals LLP",
            "phone": "+77012345678",
            "visa_letter_needed": "on",
            "nationality": "KZ",
        },
    )

    assert response.status_code == 400
    assert "needs the name in Latin letters" in _text(response)
    registration.refresh_from_db()
    assert (registration.visa_letter_needed, registration.job_title) == (False, "Chief Geologist")


def test_changes_are_closed_after_registration_closes(delegate_client):
    registration = make_registration(delegate=delegate_client.delegate)
    event = registration.event
    event.registration_closes_at = timezone.now() - datetime.timedelta(minutes=1)
    event.registration_opens_at = timezone.now() - datetime.timedelta(days=30)
    event.save()
    url = f"/en/my/registrations/{registration.reference}/change/"
    response = delegate_client.post(url, {"job_title": "CEO", "dietary_needs": "Halal"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.dietary_needs == ""


def test_cancelling_needs_confirmation(delegate_client):
    registration = make_registration(delegate=delegate_client.delegate)
    url = f"/en/my/registrations/{registration.reference}/cancel/"
    detail = _text(delegate_client.get(f"/en/my/registrations/{registration.reference}/"))
    assert f'<a class="button button--danger" href="{url}">Cancel registration</a>' in detail

    # Following the link only asks: nothing is cancelled by a GET.
    response = delegate_client.get(url)
    assert response.status_code == 200
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED

    response = delegate_client.post(url)
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


def test_cancel_page_asks_once_with_one_button_and_no_checkbox(delegate_client):
    registration = make_registration(delegate=delegate_client.delegate)
    page = _text(delegate_client.get(f"/en/my/registrations/{registration.reference}/cancel/"))
    main = page.split("<main")[1].split("</main>")[0]
    assert main.count("<form") == 1
    form = main.split("<form")[1].split("</form>")[0]
    assert 'type="checkbox"' not in form
    assert form.count("<button") == 1
    assert '<button type="submit" class="button button--danger">Yes, cancel my registration' in form
    assert 'name="csrfmiddlewaretoken"' in form


def test_cancelling_is_one_post_with_the_csrf_token_and_nothing_else():
    delegate = make_delegate()
    registration = make_registration(delegate=delegate)
    client = Client(enforce_csrf_checks=True)
    client.force_login(delegate)
    url = f"/en/my/registrations/{registration.reference}/cancel/"

    assert client.post(url).status_code == 403  # no CSRF token: refused, nothing cancelled
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED

    page = client.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(url, {"csrfmiddlewaretoken": token}, follow=True)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert "Your registration has been cancelled." in _text(response)


def test_cancelling_twice_says_the_registration_is_closed(delegate_client):
    registration = make_registration(delegate=delegate_client.delegate)
    url = f"/en/my/registrations/{registration.reference}/cancel/"
    delegate_client.post(url)
    response = delegate_client.post(url, follow=True)
    assert "This registration is already closed." in _text(response)
    assert registration.history.filter(to_status=Registration.Status.CANCELLED).count() == 1


@pytest.mark.parametrize(
    ("language", "country"), [("en", "Kazakhstan"), ("ru", "Казахстан"), ("kk", "Қазақстан")]
)
def test_detail_shows_country_by_name_and_phone_formatted(delegate_client, language, country):
    registration = make_registration(delegate=delegate_client.delegate)
    assert str(registration.phone) == "+77012345678"
    page = _text(delegate_client.get(f"/{language}/my/registrations/{registration.reference}/"))
    details = page.split('<dl class="facts facts--wide">')[1].split("</dl>")[0]
    assert f"<dd>{country}</dd>" in details
    assert "<dd>+7 701 234 5678</dd>" in details
    assert "+77012345678" not in page


def test_phone_inputs_show_the_international_format(delegate_client):
    registration = make_registration(delegate=delegate_client.delegate)
    other_event = make_category()
    change = _text(delegate_client.get(f"/en/my/registrations/{registration.reference}/change/"))
    register = _text(delegate_client.get(f"/en/events/{other_event.event.slug}/register/"))
    for page in (change, register):
        assert 'name="phone" value="+7 701 234 5678"' in page


def test_calendar_file_covers_the_forum_days(delegate_client):
    event = make_event(start_date=datetime.date(2027, 4, 14), end_date=datetime.date(2027, 4, 15))
    registration = make_registration(make_category(event), delegate=delegate_client.delegate)
    response = delegate_client.get(f"/en/my/registrations/{registration.reference}/calendar.ics")
    assert response["Content-Type"] == "text/calendar"
    entry = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert entry.decoded("dtstart") == datetime.date(2027, 4, 14)
    assert entry.decoded("dtend") == datetime.date(2027, 4, 16)


def test_calendar_file_is_not_found_for_a_cancelled_registration(delegate_client):
    from registrations.services import cancel_registration

    registration = make_registration(delegate=delegate_client.delegate)
    cancel_registration(registration, acting_user=delegate_client.delegate)
    calendar_url = f"/en/my/registrations/{registration.reference}/calendar.ics"

    response = delegate_client.get(calendar_url)
    page = delegate_client.get(f"/en/my/registrations/{registration.reference}/")

    assert response.status_code == 404
    assert calendar_url not in page.content.decode()
    assert "Add to calendar" not in _text(page)


# Query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 3])
def test_my_registrations_query_count_is_constant(client, django_assert_num_queries, rows):
    delegate = make_delegate()
    for _ in range(rows):
        make_registration(delegate=delegate)
    client.force_login(delegate)
    with django_assert_num_queries(3):  # session, user, registrations
        assert client.get("/en/my/registrations/").status_code == 200


@pytest.mark.parametrize("categories", [1, 3])
def test_registration_form_query_count_is_constant(client, django_assert_num_queries, categories):
    event = make_event()
    for _ in range(categories):
        make_category(event)
    client.force_login(make_delegate())
    # session, user, event, active registration, profile, categories with their occupancy and
    # the event's; the add-ons section's one look-up of the event's add-ons with their places
    with django_assert_num_queries(7):
        assert client.get(f"/en/events/{event.slug}/register/").status_code == 200


def test_registration_detail_query_count(client, django_assert_num_queries):
    delegate = make_delegate()
    registration = make_registration(delegate=delegate)
    client.force_login(delegate)
    # session, user, registration, history; the visa panel's latest request (visas/);
    # billing's payment panel (its documents: none); the ticket panel's badge (badges/);
    # pricing's price lines (none stored: the category's price alone); the add-ons panel's
    # bookings and the event's add-ons on offer (addons/); the delegation panel's membership
    # (delegations/: none)
    with django_assert_num_queries(11):
        assert client.get(f"/en/my/registrations/{registration.reference}/").status_code == 200


def test_user_without_profile_can_register(client):
    user = make_user()
    client.force_login(user)
    category = make_category()
    response = client.post(f"/en/events/{category.event.slug}/register/", _form_data(category))
    assert response.status_code == 302
    assert DelegateProfile.objects.get(user=user).first_name == "Aigerim"


def test_country_names_follow_the_page_language(delegate_client):
    category = make_category()
    page = _text(delegate_client.get(f"/ru/events/{category.event.slug}/register/"))
    assert '<option value="KZ" selected>Казахстан<' in page
    assert '<option value="DE">Германия<' in page


def test_too_many_submissions_from_one_account_are_refused_politely(delegate_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "delegate_forms": (3, 600)}
    category = make_category()
    url = f"/ru/events/{category.event.slug}/register/"
    bad = _form_data(category, consent_privacy=None)
    statuses = [delegate_client.post(url, bad).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    page = _text(delegate_client.post(url, _form_data(category)))
    assert "Слишком много попыток" in page
    assert not Registration.objects.filter(delegate=delegate_client.delegate).exists()
    # Another delegate is not affected.
    other = Client()
    other.force_login(make_delegate())
    assert other.post(url, _form_data(category)).status_code == 302


def test_consent_to_a_privacy_policy_replaced_meanwhile_must_be_given_again(
    delegate_client, monkeypatch
):
    import datetime as dt

    from legal import policies

    category = make_category()
    url = f"/en/events/{category.event.slug}/register/"
    shown = policies.current_privacy_policy().version
    assert f'name="privacy_policy_version" value="{shown}"' in _text(delegate_client.get(url))

    newer = policies.PolicyVersion("2027-01", dt.date(2027, 1, 1), "legal/privacy/2026-11.html")
    monkeypatch.setattr(
        policies, "PRIVACY_POLICY_VERSIONS", (*policies.PRIVACY_POLICY_VERSIONS, newer)
    )
    response = delegate_client.post(url, {**_form_data(category), "privacy_policy_version": shown})

    assert response.status_code == 400
    page = _text(response)
    assert "The privacy policy has changed since this page was opened." in page
    assert 'name="privacy_policy_version" value="2027-01"' in page
    assert 'name="consent_privacy" required id="id_consent_privacy" checked' not in page
    assert not Registration.objects.filter(delegate=delegate_client.delegate).exists()

    response = delegate_client.post(
        url, {**_form_data(category), "privacy_policy_version": "2027-01"}
    )
    assert response.status_code == 302
    assert Registration.objects.get(delegate=delegate_client.delegate).privacy_policy_version == (
        "2027-01"
    )


def test_a_submission_without_the_policy_version_is_refused_with_a_reload_hint(delegate_client):
    category = make_category()
    url = f"/en/events/{category.event.slug}/register/"

    response = delegate_client.post(url, _form_data(category, privacy_policy_version=None))

    assert response.status_code == 400
    page = _text(response)
    assert "We could not tell which version of the privacy policy this page showed." in page
    assert "Please reload the page" in page
    assert 'name="consent_privacy" required id="id_consent_privacy" checked' not in page
    assert not Registration.objects.filter(delegate=delegate_client.delegate).exists()
    # The page shown again carries the version, so ticking the box again registers.
    shown = re.search(r'name="privacy_policy_version" value="([^"]+)"', page).group(1)
    again = delegate_client.post(url, _form_data(category, privacy_policy_version=shown))
    assert again.status_code == 302
    registration = Registration.objects.get(delegate=delegate_client.delegate)
    assert registration.privacy_policy_version == shown


# The form's weight -----------------------------------------------------------------------

BANK = "Bank transfer against an invoice; quote your reference."
CARD = "Pay by card at the registration desk."


def test_each_payment_instruction_is_shown_once_for_its_categories(delegate_client):
    event = make_event()
    delegate = make_category(event, name_en="Delegate", payment_instructions_en=BANK)
    exhibitor = make_category(event, name_en="Exhibitor", payment_instructions_en=BANK)
    student = make_category(event, name_en="Student", payment_instructions_en=CARD)
    make_category(event, name_en="Media", price="0", payment_instructions_en=CARD)
    page = _text(delegate_client.get(f"/en/events/{event.slug}/register/"))

    assert page.count(BANK) == 1 and page.count(CARD) == 1
    payments = re.findall(
        r'<details class="payment" data-categories="([^"]*)"> <summary>([^<]*)</summary> '
        r"<p>([^<]*)</p>",
        page,
    )
    assert payments == [
        (f"{delegate.pk} {exhibitor.pk}", "How to pay — Delegate, Exhibitor", BANK),
        (f"{student.pk}", "How to pay — Student", CARD),
    ]


def test_free_categories_show_no_payment_instructions(delegate_client):
    category = make_category(price="0", payment_instructions_en=BANK)
    page = _text(delegate_client.get(f"/en/events/{category.event.slug}/register/"))
    assert BANK not in page and 'class="payment"' not in page


def test_demo_registration_forms_in_russian_weigh_at_most_40_kb(delegate_client):
    from django.core.management import call_command

    from events.models import Event

    call_command("seed_demo", stdout=io.StringIO())
    sizes = {}
    for event in Event.objects.all():
        response = delegate_client.get(f"/ru/events/{event.slug}/register/")
        if b'class="registration-form"' in response.content:
            sizes[event.slug] = len(response.content)
    assert len(sizes) >= 3
    assert max(sizes.values()) <= 40_000, sizes


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("+77012345678", "+7 701 234 5678"), ("+442071234567", "+44 20 7123 4567"), ("", "")],
)
def test_phone_numbers_are_shown_in_international_format(stored, shown):
    from registrations.templatetags.phone_format import international

    assert international(stored) == shown


def test_a_phone_number_that_does_not_parse_is_shown_as_typed():
    from phonenumber_field.phonenumber import PhoneNumber

    from registrations.templatetags.phone_format import international

    assert international(PhoneNumber(raw_input="12-34 ext. 5")) == "12-34 ext. 5"
