"""Mailings' rows in the outbox: paced, dispatched only by their own pacer to their own task,
built at first claim and delivered like any other row."""

import datetime

import pytest
from django.utils import timezone

from mail.models import OutgoingEmail, UndeliverableAddress
from mail.services import BulkEmail, deliver_emails, dispatch_due_emails, queue_bulk_emails

pytestmark = pytest.mark.django_db


def _queue(count, *, first_due_at=None, per_minute=60):
    return queue_bulk_emails(
        [
            BulkEmail(
                to=f"delegate{n}@example.com",
                language="ru",
                subject=f"Новость {n}",
                body_text="Текст",
                headers={"List-Unsubscribe": f"<https://example.com/u/{n}/>"},
            )
            for n in range(count)
        ],
        kind="mailing.news",
        first_due_at=first_due_at or timezone.now(),
        per_minute=per_minute,
    )


def test_bulk_rows_are_paced_and_only_the_pacer_hands_them_out(monkeypatch):
    published = []
    monkeypatch.setattr(
        "mail.services.queueing.current_app.signature",
        lambda name, args: type("S", (), {"delay": lambda self: published.append((name, args))})(),
    )
    start = timezone.now() - datetime.timedelta(seconds=1.5)
    ids = _queue(5, first_due_at=start)  # due at -1.5 s, -0.5 s, +0.5 s, +1.5 s, +2.5 s

    assert dispatch_due_emails() == 0  # the regular dispatcher leaves them alone
    assert dispatch_due_emails(bulk=True) == 2
    assert published == [("mail.tasks.deliver_bulk_emails", (ids[:2],))]


def test_bulk_row_is_built_at_first_claim_with_its_headers(smtp_server):
    [email_id] = _queue(1)
    assert OutgoingEmail.objects.get(pk=email_id).prebuilt_message is None

    deliver_emails([email_id])

    email = OutgoingEmail.objects.get(pk=email_id)
    assert email.status == OutgoingEmail.Status.SENT
    assert b"List-Unsubscribe: <https://example.com/u/0/>" in bytes(email.prebuilt_message)
    [received] = smtp_server.messages
    assert received["List-Unsubscribe"] == "<https://example.com/u/0/>"


def test_bulk_row_refused_for_good_marks_the_address(smtp_server):
    smtp_server.replies["delegate0@example.com"] = "550 5.1.1 Unknown user"
    [email_id] = _queue(1)

    deliver_emails([email_id])

    assert UndeliverableAddress.objects.filter(address="delegate0@example.com").exists()
