"""Registering a delegate on their behalf (VIPs, phone registrations): a new or existing
account, the overrides, all recorded in the history."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from registrations.models import Registration, RegistrationHistory
from tests.factories import make_category, make_delegate, make_event

from .conftest import ON_BEHALF, change_url

pytestmark = pytest.mark.django_db


def form(event, category, **fields):
    data = {
        "event": event.pk,
        "category": category.pk,
        "email": "Minister@Example.com",
        "title": "he",
        "first_name": "Serik",
        "last_name": "Minister",
        "organisation": "Ministry of Industry",
        "country": "KZ",
        "phone": "+77172000000",
        "language": "ru",
        "consent_privacy": "on",
    }
    data.update(fields)
    return {name: value for name, value in data.items() if value is not None}


def _category_groups(page: str) -> dict[str, list[tuple[str, str, bool]]]:
    """The category list as a browser without JavaScript shows it: {event: [(category,
    data-event, needs approval)]}."""
    select = re.search(r'<select name="category"[^>]*>(.*?)</select>', page, re.S).group(1)
    return {
        html.unescape(label): [
            (html.unescape(name), event, "data-requires-approval" in attributes)
            for attributes, event, name in re.findall(
                r'<option value="\d+"([^>]*?data-event="(\d+)"[^>]*)>([^<]*)</option>', options
            )
        ]
        for label, options in re.findall(
            r'<optgroup label="([^"]*)">(.*?)</optgroup>', select, re.S
        )
    }


def test_category_options_carry_their_event_and_are_grouped_by_event(secretariat_client, world):
    page = secretariat_client.get(ON_BEHALF).content.decode()

    europe, asia = str(world.event_a.pk), str(world.event_b.pk)
    assert _category_groups(page) == {
        "MINEX Europe 2026": [
            ("Delegate", europe, False),
            ("Speaker (needs approval)", europe, True),
        ],
        "MINEX Asia 2026": [("Delegate", asia, False)],
    }
    assert '<script src="/static/js/on_behalf.js"></script>' in page


def test_new_delegate_gets_an_account_profile_and_registration(
    secretariat, secretariat_client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(ON_BEHALF, form(world.event_a, world.delegates_a))

    registration = Registration.objects.get(email="minister@example.com")
    assert response.status_code == 302
    assert response["Location"] == change_url(registration)
    user = User.objects.get(email="minister@example.com")
    assert not user.has_usable_password()
    assert user.delegate_profile.last_name == "Minister"
    assert user.delegate_profile.preferred_language == "ru"
    assert (registration.status, registration.language, registration.title) == (
        "confirmed",
        "ru",
        "he",
    )
    entry = registration.history.get()
    assert entry.actor == secretariat
    assert entry.details == {"on_behalf_of_delegate": True}
    assert "minister@example.com" in [m.to[0] for m in mail.outbox]


def test_existing_delegate_is_reused_and_their_profile_kept_where_left_empty(
    secretariat_client, world
):
    delegate = make_delegate("known@example.com", last_name="Known", organisation="Old Org")

    secretariat_client.post(
        ON_BEHALF,
        form(
            world.event_b,
            world.registration_b.category,
            email="KNOWN@example.com",
            first_name="",
            last_name="",
            organisation="New Org",
        ),
    )

    registration = Registration.objects.get(delegate=delegate)
    assert (registration.last_name, registration.organisation) == ("Known", "New Org")
    assert User.objects.filter(email__iexact="known@example.com").count() == 1


def test_closed_event_needs_the_window_override_which_is_recorded(secretariat_client, world):
    closed = make_event(
        world.forum_a, registration_closes_at=timezone.now() - datetime.timedelta(days=1)
    )
    category = make_category(closed)

    refused = secretariat_client.post(ON_BEHALF, form(closed, category))
    assert refused.status_code == 409
    assert "Registration for this event is closed." in refused.content.decode()
    assert not User.objects.filter(email="minister@example.com").exists()  # rolled back

    secretariat_client.post(ON_BEHALF, form(closed, category, override_window="on"))
    entry = Registration.objects.get(event=closed).history.get()
    assert entry.details == {"override_window": True, "on_behalf_of_delegate": True}


def test_full_event_with_the_capacity_override_is_recorded(secretariat_client, world):
    full = make_event(world.forum_a, capacity=0, waitlist_enabled=False)
    category = make_category(full)

    refused = secretariat_client.post(ON_BEHALF, form(full, category))
    assert "This event is full." in refused.content.decode()

    secretariat_client.post(ON_BEHALF, form(full, category, override_capacity="on"))
    registration = Registration.objects.get(event=full)
    assert registration.status == "confirmed"
    entry = registration.history.get()
    assert entry.action == RegistrationHistory.Action.REGISTERED
    assert entry.details == {"override_capacity": True, "on_behalf_of_delegate": True}


def test_category_of_another_event_is_refused_with_400_in_the_users_language(
    secretariat_client, world
):
    response = secretariat_client.post(
        ON_BEHALF.replace("/en/", "/ru/"), form(world.event_b, world.delegates_a)
    )

    assert response.status_code == 400
    assert "Эта категория не относится к данному мероприятию." in response.content.decode()
    assert not Registration.objects.filter(email="minister@example.com").exists()


def test_a_new_delegate_without_a_name_is_refused(secretariat_client, world):
    response = secretariat_client.post(
        ON_BEHALF, form(world.event_a, world.delegates_a, first_name="", last_name="")
    )

    assert response.status_code == 400
    assert not User.objects.filter(email="minister@example.com").exists()


@pytest.mark.parametrize(
    "field, value",
    [("organisation", "Ministry\x1b[31m of Industry"), ("dietary_needs", "Halal\x07")],
)
def test_control_characters_are_refused_and_nothing_is_saved(
    secretariat_client, world, field, value
):
    response = secretariat_client.post(
        ON_BEHALF, form(world.event_a, world.delegates_a, **{field: value})
    )

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [
        "Please remove the invisible control characters from this field."
    ]
    assert not User.objects.filter(email="minister@example.com").exists()
    assert not Registration.objects.filter(email="minister@example.com").exists()


def test_already_registered_delegate_is_sent_to_the_existing_registration(
    secretariat_client, world
):
    response = secretariat_client.post(
        ON_BEHALF,
        form(world.event_a, world.delegates_a, email="confirmed@example.com"),
    )

    assert response.status_code == 302
    assert response["Location"] == change_url(world.confirmed_a)
    assert Registration.objects.filter(email="confirmed@example.com").count() == 1


def test_kazakh_delegate_registered_on_their_behalf_stays_kazakh(
    secretariat_client, world, django_capture_on_commit_callbacks
):
    delegate = make_delegate("kazakh@example.com", preferred_language="kk")
    page = secretariat_client.get(ON_BEHALF).content.decode()
    assert '<option value="" selected>' in page  # "keep the delegate's language"

    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(
            ON_BEHALF,
            form(world.event_a, world.delegates_a, email="kazakh@example.com", language=""),
        )

    assert response.status_code == 302
    delegate.delegate_profile.refresh_from_db()
    assert delegate.delegate_profile.preferred_language == "kk"
    registration = Registration.objects.get(delegate=delegate)
    assert registration.language == "kk"
    (message,) = [m for m in mail.outbox if m.to == ["kazakh@example.com"]]
    assert message.subject.startswith("Тіркеу расталды:")


def test_a_language_chosen_on_the_on_behalf_form_replaces_the_profiles(
    secretariat_client, world, django_capture_on_commit_callbacks
):
    delegate = make_delegate("kazakh@example.com", preferred_language="kk")

    with django_capture_on_commit_callbacks(execute=True):
        secretariat_client.post(
            ON_BEHALF,
            form(world.event_a, world.delegates_a, email="kazakh@example.com", language="ru"),
        )

    delegate.delegate_profile.refresh_from_db()
    assert delegate.delegate_profile.preferred_language == "ru"
    assert Registration.objects.get(delegate=delegate).language == "ru"
    (message,) = [m for m in mail.outbox if m.to == ["kazakh@example.com"]]
    assert message.subject.startswith("Регистрация подтверждена:")


def test_a_new_delegate_with_the_language_kept_gets_english(secretariat_client, world):
    secretariat_client.post(ON_BEHALF, form(world.event_a, world.delegates_a, language=""))

    user = User.objects.get(email="minister@example.com")
    assert user.delegate_profile.preferred_language == "en"
    assert Registration.objects.get(delegate=user).language == "en"


# Approve at once -----------------------------------------------------------------------------


def test_approve_now_confirms_with_the_staff_users_approval_and_the_confirmed_email(
    secretariat, secretariat_client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(
            ON_BEHALF, form(world.event_a, world.speakers_a, language="en", approve_now="on")
        )

    assert response.status_code == 302
    registration = Registration.objects.get(email="minister@example.com")
    assert registration.status == "confirmed"
    history = list(registration.history.order_by("at", "pk"))
    assert [(entry.action, entry.to_status, entry.actor) for entry in history] == [
        (RegistrationHistory.Action.REGISTERED, "pending", secretariat),
        (RegistrationHistory.Action.APPROVED, "confirmed", secretariat),
    ]
    [message] = [m for m in mail.outbox if m.to == ["minister@example.com"]]
    assert message.subject.startswith("Registration confirmed:")
    assert "is confirmed" in message.body
    assert "reviewed by the secretariat" not in message.body  # not the "pending" e-mail
    [notification] = [m for m in mail.outbox if m.reply_to == ["minister@example.com"]]
    assert "awaits your approval" not in notification.body


def test_without_approve_now_an_approval_category_stays_pending(
    secretariat_client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        secretariat_client.post(ON_BEHALF, form(world.event_a, world.speakers_a, language="en"))

    registration = Registration.objects.get(email="minister@example.com")
    assert registration.status == "pending"
    assert registration.history.count() == 1
    [message] = [m for m in mail.outbox if m.to == ["minister@example.com"]]
    assert message.subject.startswith("Registration received:")


def test_approve_now_changes_nothing_in_a_category_without_approval(
    secretariat_client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(
            ON_BEHALF, form(world.event_a, world.delegates_a, approve_now="on")
        )

    assert response.status_code == 302
    registration = Registration.objects.get(email="minister@example.com")
    assert registration.status == "confirmed"
    assert [entry.action for entry in registration.history.all()] == ["registered"]


# The new delegate's e-mail: an account was made, and where to set a password -----------------

# The delegate e-mails of these tests are in Russian.
PASSWORD_SENTENCE = "Секретариат создал для вас учётную запись"


def test_a_new_delegates_email_says_how_to_set_a_password_in_their_language(
    secretariat_client, world, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://minexforum.example"
    with django_capture_on_commit_callbacks(execute=True):
        secretariat_client.post(ON_BEHALF, form(world.event_a, world.delegates_a, language="ru"))

    [message] = [m for m in mail.outbox if m.to == ["minister@example.com"]]
    assert message.subject.startswith("Регистрация подтверждена:")
    html_body = message.alternatives[0][0]
    for body in (message.body, html_body):
        assert PASSWORD_SENTENCE in body
        assert "https://minexforum.example/ru/accounts/password/reset/" in body
        assert "/accounts/password/reset/key/" not in body  # never a credential here
    assert 'href="https://minexforum.example/ru/accounts/password/reset/"' in html_body


def test_the_password_page_in_a_new_delegates_email_sends_them_a_reset_link(
    client, secretariat_client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        secretariat_client.post(ON_BEHALF, form(world.event_a, world.delegates_a, language="en"))
    [message] = [m for m in mail.outbox if m.to == ["minister@example.com"]]
    reset_page = re.search(r"https?://[^/\s]+(/en/accounts/password/reset/)", message.body)[1]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reset_page, {"email": "minister@example.com"})

    assert response.status_code == 302
    [reset] = mail.outbox
    assert reset.to == ["minister@example.com"]
    assert "/en/accounts/password/reset/key/" in reset.body


def test_an_existing_delegates_email_does_not_mention_an_account(
    secretariat_client, world, django_capture_on_commit_callbacks
):
    make_delegate("known@example.com", last_name="Known")

    with django_capture_on_commit_callbacks(execute=True):
        secretariat_client.post(
            ON_BEHALF, form(world.event_a, world.delegates_a, email="known@example.com")
        )

    [message] = [m for m in mail.outbox if m.to == ["known@example.com"]]
    assert message.subject.startswith("Регистрация подтверждена:")
    for body in (message.body, message.alternatives[0][0]):
        assert PASSWORD_SENTENCE not in body
        assert "/accounts/password/reset/" not in body
