"""The e-mails each registration change sends: recipient, language, content, attachment.

Mail goes through the outbox: `django_capture_on_commit_callbacks(execute=True)` runs the
after-commit hand-off, the (eager) task delivers to the locmem backend, and `mailoutbox` holds
what a mail server would have received.
"""

import datetime
from decimal import Decimal

import icalendar
import pytest
from django.conf import settings
from django.utils import translation

from mail.models import OutgoingEmail
from registrations.services import (
    approve_registration,
    cancel_registration,
    change_event_capacity,
    reject_registration,
    update_registration_details,
)
from tests.factories import (
    make_category,
    make_delegate,
    make_event,
    make_forum,
    make_registration,
    make_user,
)

pytestmark = pytest.mark.django_db

SECRETARIAT = "astana@minexforum.example"


@pytest.fixture
def event():
    return make_event(
        forum=make_forum(code="AST", secretariat_email=SECRETARIAT),
        title_en="16th MINEX Forum, Astana 2026",
        title_ru="16-й Форум MINEX, Астана 2026",
        city_en="Astana",
        city_ru="Астана",
        start_date=datetime.date(2026, 12, 15),
        end_date=datetime.date(2026, 12, 16),
        capacity=1,
    )


@pytest.fixture
def category(event):
    return make_category(
        event,
        name_en="Delegate",
        name_ru="Делегат",
        price=Decimal("350000.00"),
        currency="KZT",
        payment_instructions_en="Bank transfer to IBAN KZ00 0000 0000 0000 0000.",
        payment_instructions_ru="Банковский перевод на IBAN KZ00 0000 0000 0000 0000.",
    )


@pytest.fixture
def staff():
    return make_user(is_staff=True)


def register(category, capture, *, language="en", **fields):
    with capture(execute=True):
        return make_registration(category, language=language, **fields)


def to(mailoutbox, address):
    return [message for message in mailoutbox if address in message.to]


def body(message, mimetype="text/html"):
    """The HTML alternative, or the plain-text body."""
    for content, alternative_type in getattr(message, "alternatives", []):
        if alternative_type == mimetype:
            return content
    return message.body


def calendar_of(message) -> icalendar.Calendar:
    (attachment,) = [a for a in message.attachments if a[2].startswith("text/calendar")]
    filename, content, _mimetype = attachment
    assert filename.endswith(".ics")
    return icalendar.Calendar.from_ical(content)


def test_confirmed_delegate_gets_confirmation_with_calendar(
    category, mailoutbox, django_capture_on_commit_callbacks
):
    registration = register(category, django_capture_on_commit_callbacks)

    (message,) = to(mailoutbox, registration.email)
    assert message.subject == (
        f"Registration confirmed: 16th MINEX Forum, Astana 2026 ({registration.reference})"
    )
    assert registration.reference in message.body
    assert "Fee: KZT\u00a0350,000.00" in message.body
    assert "Bank transfer to IBAN KZ00" in message.body
    assert SECRETARIAT in message.reply_to
    (entry,) = calendar_of(message).walk("VEVENT")
    assert entry.decoded("dtstart") == datetime.date(2026, 12, 15)
    # All-day events end on the day after the last day (RFC 5545).
    assert entry.decoded("dtend") == datetime.date(2026, 12, 17)
    assert str(entry["summary"]) == "16th MINEX Forum, Astana 2026"
    assert registration.reference in str(entry["uid"])
    assert OutgoingEmail.objects.filter(
        recipient=registration.email, kind="registration.confirmed"
    ).exists()


def test_russian_delegate_gets_russian_confirmation(
    category, mailoutbox, django_capture_on_commit_callbacks
):
    registration = register(category, django_capture_on_commit_callbacks, language="ru")

    (message,) = to(mailoutbox, registration.email)
    assert "16-й Форум MINEX, Астана 2026" in message.subject
    assert "Регистрация подтверждена" in message.subject
    text = message.body
    assert "Делегат" in text  # the category's Russian name
    assert "15 декабря 2026" in text  # dates in Russian
    assert "Банковский перевод" in text
    assert "Ваша регистрация" in text
    assert "Delegate" not in text
    (entry,) = calendar_of(message).walk("VEVENT")
    assert str(entry["summary"]) == "16-й Форум MINEX, Астана 2026"
    assert OutgoingEmail.objects.get(recipient=registration.email).language == "ru"


def test_rendering_follows_the_registration_language_not_the_request(
    category, mailoutbox, django_capture_on_commit_callbacks
):
    with translation.override("ru"):
        registration = register(category, django_capture_on_commit_callbacks, language="en")

    (message,) = to(mailoutbox, registration.email)
    assert message.subject.startswith("Registration confirmed: 16th MINEX Forum")


def test_secretariat_is_told_about_a_new_registration(
    category, mailoutbox, django_capture_on_commit_callbacks
):
    registration = register(
        category,
        django_capture_on_commit_callbacks,
        language="ru",
        visa_letter_needed=True,
        nationality="AF",
        dietary_needs="Halal",
    )

    (message,) = to(mailoutbox, SECRETARIAT)
    assert message.subject.startswith("New registration: ")
    assert registration.reference in message.subject
    text = message.body
    assert "Aigerim Nurlanova" in text
    assert "Steppe Minerals LLP" in text
    assert "Category: Delegate" in text  # the secretariat reads English
    assert "Visa invitation letter needed (nationality: Afghanistan)" in text
    assert "Halal" in text
    assert (
        f"{settings.SITE_URL}/en/admin/registrations/registration/{registration.pk}/change/" in text
    )
    assert registration.email in message.reply_to


def test_secretariat_is_told_when_approval_is_needed(
    event, mailoutbox, django_capture_on_commit_callbacks
):
    register(make_category(event, requires_approval=True), django_capture_on_commit_callbacks)

    (message,) = to(mailoutbox, SECRETARIAT)
    assert "Action needed: this registration awaits your approval." in message.body


def test_pending_delegate_gets_received_and_then_confirmed(
    event, staff, mailoutbox, django_capture_on_commit_callbacks
):
    registration = register(
        make_category(event, requires_approval=True), django_capture_on_commit_callbacks
    )
    (received,) = to(mailoutbox, registration.email)
    assert received.subject.startswith("Registration received: ")
    assert "reviewed by the secretariat" in received.body
    assert not received.attachments

    with django_capture_on_commit_callbacks(execute=True):
        approve_registration(registration, acting_user=staff)

    confirmed = to(mailoutbox, registration.email)[-1]
    assert confirmed.subject.startswith("Registration confirmed: ")
    assert calendar_of(confirmed)
    # Approving one's own queue does not notify the secretariat again.
    assert len(to(mailoutbox, SECRETARIAT)) == 1


def test_waitlisted_delegate_is_told_the_position(
    category, mailoutbox, django_capture_on_commit_callbacks
):
    register(category, django_capture_on_commit_callbacks)
    register(category, django_capture_on_commit_callbacks)
    third = register(category, django_capture_on_commit_callbacks)

    (message,) = to(mailoutbox, third.email)
    assert message.subject.startswith("On the waitlist: ")
    assert "Your position on the waitlist: 2." in message.body
    assert not message.attachments


def test_rejected_delegate_reads_the_reason(
    event, staff, mailoutbox, django_capture_on_commit_callbacks
):
    registration = register(
        make_category(event, requires_approval=True), django_capture_on_commit_callbacks
    )
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        reject_registration(
            registration, reason="This category is for government officials.", acting_user=staff
        )

    (message,) = mailoutbox
    assert message.to == [registration.email]
    assert "This category is for government officials." in message.body
    assert "could not accept your registration" in message.body


def test_cancellation_tells_delegate_and_secretariat_and_promotes(
    category, mailoutbox, django_capture_on_commit_callbacks
):
    confirmed = register(category, django_capture_on_commit_callbacks)
    waitlisted = register(category, django_capture_on_commit_callbacks, language="ru")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        cancel_registration(confirmed, acting_user=confirmed.delegate)

    (cancelled,) = to(mailoutbox, confirmed.email)
    assert cancelled.subject.startswith("Registration cancelled: ")
    (notice,) = to(mailoutbox, SECRETARIAT)
    assert notice.subject.startswith("Registration cancelled: ")
    (promoted,) = to(mailoutbox, waitlisted.email)
    assert "16-й Форум MINEX, Астана 2026" in promoted.subject
    (entry,) = calendar_of(promoted).walk("VEVENT")
    assert entry.decoded("dtstart") == datetime.date(2026, 12, 15)


def test_promotion_into_approval_category_says_approval_is_pending(
    event, staff, mailoutbox, django_capture_on_commit_callbacks
):
    category = make_category(event, requires_approval=True)
    register(category, django_capture_on_commit_callbacks)
    waitlisted = register(category, django_capture_on_commit_callbacks)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        change_event_capacity(event, capacity=2, acting_user=staff)

    (message,) = mailoutbox
    assert message.to == [waitlisted.email]
    assert message.subject.startswith("A place came free: ")
    assert "reviewed by the secretariat" in message.body
    assert not message.attachments


def test_staff_cancellation_does_not_notify_the_secretariat(
    category, staff, mailoutbox, django_capture_on_commit_callbacks
):
    registration = register(category, django_capture_on_commit_callbacks)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        cancel_registration(registration, acting_user=staff)

    assert [message.to for message in mailoutbox] == [[registration.email]]


def test_delegate_edit_notifies_secretariat_with_old_and_new_values(
    category, mailoutbox, django_capture_on_commit_callbacks
):
    registration = register(category, django_capture_on_commit_callbacks)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        update_registration_details(
            registration, acting_user=registration.delegate, dietary_needs="Vegan"
        )

    (message,) = mailoutbox
    assert message.to == [SECRETARIAT]
    assert message.subject.startswith("Registration details changed: ")
    assert "Dietary needs: — → Vegan" in message.body


def test_secretariat_reads_the_changed_fields_names_in_its_language(
    category, mailoutbox, django_capture_on_commit_callbacks
):
    registration = register(category, django_capture_on_commit_callbacks, language="ru")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        update_registration_details(
            registration, acting_user=registration.delegate, job_title="CEO"
        )

    (message,) = mailoutbox
    assert "- Job title: Chief Geologist → CEO" in message.body
    assert "<li>Job title: Chief Geologist → CEO</li>" in body(message)
    assert "job_title" not in message.body + body(message)


def test_rolled_back_change_sends_nothing(category, mailoutbox, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        make_registration(category, delegate=make_delegate())
        transaction.set_rollback(True)

    assert mailoutbox == []
    assert not OutgoingEmail.objects.exists()
