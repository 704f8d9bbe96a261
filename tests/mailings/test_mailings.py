"""Mailings: texts checked by line, recipients by filters, each once in their language."""

from email import message_from_bytes, policy

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mail.emails import build_message, prebuild_message
from mail.models import OutgoingEmail
from mailings.models import Mailing, MailingRecipient
from mailings.placeholders import check_template
from mailings.services import queue_mailing_recipients, send_mailing, send_test
from tests.factories import make_category, make_registration, make_user

pytestmark = pytest.mark.django_db


def _mailing(event, **fields) -> Mailing:
    values = {
        "name": "Practical information",
        "subject_en": "{{ event }}: practical information",
        "subject_ru": "{{ event }}: практическая информация",
        "body_en": "{{ greeting }}\nYour reference is {{ reference }}.\n{{ registration_link }}",
        "body_ru": "{{ greeting }}\nВаш номер: {{ reference }}.",
        "event": event,
    }
    values.update(fields)
    return Mailing.objects.create(**values)


def test_check_template_names_the_line_of_each_problem():
    problems = check_template("Hello {{ first_name }}\n{{ frist_name }}\nbad {{ oops\n{% if x %}")

    assert len(problems) == 3
    assert problems[0].startswith("Line 2: unknown placeholder “{{ frist_name }}”")
    assert problems[1] == "Line 3: “{{” is not closed with “}}”."
    assert problems[2].startswith("Line 4: template tags")


def test_send_mailing_refuses_broken_text_and_writes_nothing(news_and_event):
    event, _category, _registrations = news_and_event
    mailing = _mailing(event, body_ru="Привет\n{{ name }}")

    with pytest.raises(ValidationError) as refusal:
        send_mailing(mailing, acting_user=make_user())

    assert "Line 2" in str(refusal.value)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT


def test_send_mailing_to_nobody_is_refused(news_and_event):
    event, _category, _registrations = news_and_event
    mailing = _mailing(event, countries=["FR"])

    with pytest.raises(ValidationError, match="nobody to send to"):
        send_mailing(mailing, acting_user=make_user())
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT


def test_send_mailing_each_delegate_once_in_their_language(
    news_and_event, django_capture_on_commit_callbacks
):
    event, _category, registrations = news_and_event
    mailing = _mailing(event)
    staff = make_user()

    with django_capture_on_commit_callbacks(execute=True):
        first = send_mailing(mailing, acting_user=staff)
    with django_capture_on_commit_callbacks(execute=True):
        second = send_mailing(mailing, acting_user=staff)  # the double click
    queue_mailing_recipients(mailing.pk)  # a retried task

    assert (first, second) == (True, False)
    emails = {e.recipient: e for e in OutgoingEmail.objects.filter(kind="mailing.event")}
    assert set(emails) == {"ru@example.com", "en@example.com"}  # kk is undeliverable
    ru, en = emails["ru@example.com"], emails["en@example.com"]
    assert ru.language == "ru" and ru.subject.endswith(": практическая информация")
    assert f"Ваш номер: {registrations['ru'].reference}." in ru.body_text
    assert en.language == "en" and registrations["en"].reference in en.body_text
    assert f"/my/registrations/{registrations['en'].reference}/" in en.body_text
    assert ru.bulk and en.bulk and "List-Unsubscribe" not in str(build_message(en).message())
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENDING
    assert (mailing.recipients_count, mailing.skipped_undeliverable) == (2, 1)
    assert MailingRecipient.objects.filter(mailing=mailing).count() == 2


def test_news_goes_only_to_consenting_delegates_with_one_click_headers(
    news_and_event, django_capture_on_commit_callbacks
):
    event, _category, _registrations = news_and_event
    mailing = _mailing(event, purpose=Mailing.Purpose.NEWS)

    with django_capture_on_commit_callbacks(execute=True):
        send_mailing(mailing, acting_user=make_user())

    email = OutgoingEmail.objects.get(kind="mailing.news")
    assert email.recipient == "ru@example.com"
    message = message_from_bytes(prebuild_message(email), policy=policy.default)
    link = str(message["List-Unsubscribe"]).strip()  # folded: the URL is long
    assert link.startswith("<http://") and "/ru/unsubscribe/" in link and link.endswith(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link.strip("<>") in email.body_text


def test_mailing_filters_select_like_the_admin(news_and_event):
    event, category, registrations = news_and_event
    other = make_category(event)
    registrations["en"].checked_in_at = registrations["en"].created_at
    registrations["en"].save(update_fields=["checked_in_at"])
    from mailings.selectors import count_recipients

    checked_in = _mailing(event, checked_in=Mailing.CheckedIn.YES)
    in_other_category = _mailing(event)
    in_other_category.categories.set([other])
    consenting = _mailing(event, news_consent_only=True)

    assert count_recipients(checked_in).recipients == 1
    assert count_recipients(in_other_category).recipients == 0
    assert (
        count_recipients(consenting).recipients,
        count_recipients(consenting).undeliverable,
    ) == (
        1,
        1,
    )


def test_mailing_e_mails_are_paced_at_the_rate(news_and_event, settings):
    settings.MAILINGS_RATE_PER_MINUTE = 60
    event, _category, _registrations = news_and_event
    mailing = _mailing(event)
    Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.QUEUEING)

    queue_mailing_recipients(mailing.pk)

    due = list(
        OutgoingEmail.objects.filter(bulk=True)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
    )
    assert len(due) == 2
    assert (due[1] - due[0]).total_seconds() == pytest.approx(1.0)


def test_queueing_costs_the_same_queries_for_one_or_many_delegates(news_and_event):
    event, category, _registrations = news_and_event
    from tests.factories import make_registration

    def queries_for_new_mailing():
        mailing = _mailing(event)
        Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.QUEUEING)
        with CaptureQueriesContext(connection) as captured:
            queue_mailing_recipients(mailing.pk)
        return len(captured)

    few = queries_for_new_mailing()
    for _ in range(3):
        make_registration(category)
    many = queries_for_new_mailing()

    assert few == many


def test_send_test_goes_to_the_staff_member_in_each_written_language(news_and_event):
    event, _category, _registrations = news_and_event
    mailing = _mailing(event)
    staff = make_user("staff@example.com")

    assert send_test(mailing, to_user=staff) == 2

    tests = OutgoingEmail.objects.filter(kind="mailing.test").order_by("language")
    assert [(e.recipient, e.language) for e in tests] == [
        ("staff@example.com", "en"),
        ("staff@example.com", "ru"),
    ]
    assert tests[0].subject.startswith("[Test] ")
    assert not tests[0].bulk


def test_mailing_payment_filter_selects_by_payment_state():
    from mailings.selectors import count_recipients
    from tests.billing.factories import make_billed_event, make_paid_registration

    event = make_billed_event()
    make_paid_registration(event)  # invoiced, nothing paid yet
    make_registration(make_category(event, price="0"))  # free: never invoiced

    unpaid = _mailing(event, payment_states=["unpaid"])
    paid = _mailing(event, payment_states=["paid"])
    not_invoiced = _mailing(event, payment_states=["not_invoiced"])

    assert count_recipients(unpaid).recipients == 1
    assert count_recipients(paid).recipients == 0
    assert count_recipients(not_invoiced).recipients == 1


def test_news_without_an_event_reaches_consenting_delegates_of_every_event(
    news_and_event, django_capture_on_commit_callbacks
):
    from tests.factories import make_delegate

    _event, _category, _registrations = news_and_event
    elsewhere = make_registration(
        make_category(), delegate=make_delegate("other@example.com", consent_marketing=True)
    )
    mailing = _mailing(None, purpose=Mailing.Purpose.NEWS)

    with django_capture_on_commit_callbacks(execute=True):
        send_mailing(mailing, acting_user=make_user())

    recipients = set(
        OutgoingEmail.objects.filter(kind="mailing.news").values_list("recipient", flat=True)
    )
    assert recipients == {"ru@example.com", elsewhere.email}
