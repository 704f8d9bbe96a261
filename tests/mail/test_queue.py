"""queue_email: a row in the caller's transaction, delivery only after commit."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from mail.models import OutgoingEmail
from mail.services import EmailAttachment, queue_rendered_email

pytestmark = pytest.mark.django_db


def test_queue_email_rolled_back_transaction_queues_nothing(
    queue_test_message, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue_test_message()
        raise RuntimeError("the registration failed after the e-mail was queued")

    assert OutgoingEmail.objects.count() == 0
    assert callbacks == []
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_an_id_from_a_rolled_back_transaction_does_not_ride_along_with_the_next(
    queue_test_message,
):
    from celery.signals import task_prerun

    handed_over = []

    def record(task, kwargs, args, **_):
        if task.name == "mail.tasks.deliver_emails":
            handed_over.append(list(args[0] if args else kwargs["email_ids"]))

    task_prerun.connect(record, weak=False)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            rolled_back = queue_test_message(to="rolled-back@example.com")
            raise RuntimeError("the registration failed after the e-mail was queued")
        with transaction.atomic():
            committed = queue_test_message(to="committed@example.com")
    finally:
        task_prerun.disconnect(record)

    assert handed_over == [[committed.pk]]
    assert rolled_back.pk != committed.pk
    assert [message.to for message in mail.outbox] == [["committed@example.com"]]


def test_queue_email_delivers_after_commit(queue_test_message, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = queue_test_message(to="amina@example.com")
        # Inside the transaction the row exists, but nothing has been sent.
        assert mail.outbox == []
    assert len(callbacks) == 1

    callbacks[0]()

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert email.attempts == 1
    assert email.sent_at is not None
    [message] = mail.outbox
    assert message.to == ["amina@example.com"]
    assert message.subject == "MINEX Forum Portal: test message"
    assert message.extra_headers["Message-ID"] == email.message_id


@pytest.mark.parametrize(
    ("language", "month", "hello"),
    [
        ("en", "25 November 2026", "Hello"),
        ("ru", "25 ноября 2026", None),
        ("kk", "25 қараша 2026", None),  # lower case mid-sentence (overlay)
    ],
)
def test_queue_email_renders_in_recipient_language(
    queue_test_message, django_capture_on_commit_callbacks, language, month, hello
):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_test_message(language=language)

    email.refresh_from_db()
    assert email.language == language
    assert month in email.body_text
    assert month in email.body_html
    assert f'<html lang="{language}">' in email.body_html
    [message] = mail.outbox
    assert message.extra_headers["Content-Language"] == language
    if hello:
        assert email.body_text.startswith(hello)


def test_queue_email_unknown_language_falls_back_to_default(queue_test_message):
    email = queue_test_message(language="xx")

    assert email.language == "en"


def test_queue_email_html_escapes_user_input_and_text_keeps_it(
    queue_test_message, django_capture_on_commit_callbacks
):
    note = '<script>alert("x")</script> R&D'

    with django_capture_on_commit_callbacks(execute=True):
        email = queue_test_message(note=note)

    assert "<script>" not in email.body_html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; R&amp;D" in email.body_html
    # The text part is not HTML: it carries the words as typed.
    assert note in email.body_text
    [message] = mail.outbox
    assert message.alternatives[0].content == email.body_html


def test_queue_email_line_breaks_in_subject_cannot_add_headers(
    smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_rendered_email(
            to="delegate@example.com",
            language="en",
            kind="test.injection",
            subject="Welcome, Ivan\r\nBcc: spy@example.com\nX-Injected: yes",
            body_text="Hello",
        )

    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert "\n" not in email.subject and "\r" not in email.subject
    [message] = smtp_server.messages
    assert message["Bcc"] is None
    assert message["X-Injected"] is None
    assert message["Subject"] == "Welcome, Ivan Bcc: spy@example.com X-Injected: yes"
    assert smtp_server.handler.envelopes[0][1] == ["delegate@example.com"]


@pytest.mark.parametrize(
    "address",
    [
        "delegate@example.com\r\nBcc: spy@example.com",
        "delegate@example.com, spy@example.com",
        "Ivan <delegate@example.com>",
        "not-an-address",
    ],
)
def test_queue_email_refuses_anything_but_one_plain_address(queue_test_message, address):
    with pytest.raises(ValidationError):
        queue_test_message(to=address)
    with pytest.raises(ValidationError):
        queue_test_message(reply_to=address)

    assert OutgoingEmail.objects.count() == 0


def test_queue_email_attachment_is_stored_and_sent(
    queue_test_message, django_capture_on_commit_callbacks
):
    badge = EmailAttachment(
        filename="badge.pdf", content=b"%PDF-1.7 \x00\xff", mimetype="application/pdf"
    )

    with django_capture_on_commit_callbacks(execute=True):
        email = queue_test_message(attachments=[badge])

    email.refresh_from_db()
    assert [a["filename"] for a in email.attachments] == ["badge.pdf"]
    [message] = mail.outbox
    [(filename, content, mimetype)] = message.attachments
    assert (filename, content, mimetype) == ("badge.pdf", badge.content, "application/pdf")


def test_queue_email_related_object_is_recorded(queue_test_message, django_user_model):
    user = django_user_model.objects.create_user("delegate@example.com", "pw")

    email = queue_test_message(related=user)

    email.refresh_from_db()
    assert email.related == user


def test_queue_email_rolled_back_savepoint_sends_only_what_committed(
    queue_test_message, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            queue_test_message(to="rolled.back@example.com")
            raise RuntimeError("this part of the change failed")
        kept = queue_test_message(to="kept@example.com")

    assert [email.recipient for email in OutgoingEmail.objects.all()] == ["kept@example.com"]
    assert [message.to for message in mail.outbox] == [["kept@example.com"]]
    kept.refresh_from_db()
    assert kept.status == OutgoingEmail.Status.SENT


@pytest.mark.django_db(transaction=True)
def test_an_id_from_a_rolled_back_savepoint_does_not_ride_along_with_the_next_transaction(
    queue_test_message,
):
    # Savepoint names start again in every transaction: the second transaction's savepoint
    # has the same name as the first one's, yet the first one's batch died with it.
    from celery.signals import task_prerun

    handed_over = []

    def record(task, kwargs, args, **_):
        if task.name == "mail.tasks.deliver_emails":
            handed_over.append(list(args[0] if args else kwargs["email_ids"]))

    task_prerun.connect(record, weak=False)
    try:
        with pytest.raises(RuntimeError), transaction.atomic(), transaction.atomic():
            queue_test_message(to="rolled-back@example.com")
            raise RuntimeError("the registration failed after the e-mail was queued")
        with transaction.atomic(), transaction.atomic():
            first = queue_test_message(to="first@example.com")
            second = queue_test_message(to="second@example.com")
    finally:
        task_prerun.disconnect(record)

    assert handed_over == [[first.pk, second.pk]]
    assert sorted(message.to[0] for message in mail.outbox) == [
        "first@example.com",
        "second@example.com",
    ]
