"""A permanent SMTP refusal marks the address undeliverable; temporary ones do not."""

import pytest

from mail.models import UndeliverableAddress
from mail.selectors import is_undeliverable, undeliverable_among
from mail.services import deliver_emails

pytestmark = pytest.mark.django_db


def test_permanent_refusal_marks_the_address_undeliverable(smtp_server, queue_test_message):
    smtp_server.replies["gone@example.com"] = "550 5.1.1 No such user here"
    first = queue_test_message(to="gone@example.com")
    second = queue_test_message(to="gone@example.com")

    deliver_emails([first.pk])
    deliver_emails([second.pk])

    row = UndeliverableAddress.objects.get()
    assert (row.address, row.smtp_code, row.refusals) == ("gone@example.com", 550, 2)
    assert "No such user here" in row.reason
    assert is_undeliverable("GONE@example.com")
    assert undeliverable_among(["gone@example.com", "fine@example.com"]) == {"gone@example.com"}


def test_temporary_refusal_leaves_the_address_deliverable(smtp_server, queue_test_message):
    smtp_server.replies["full@example.com"] = "452 Mailbox full"
    email = queue_test_message(to="full@example.com")

    deliver_emails([email.pk])

    assert not is_undeliverable("full@example.com")
    assert UndeliverableAddress.objects.count() == 0
