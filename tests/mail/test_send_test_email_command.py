import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from mail.models import OutgoingEmail

pytestmark = pytest.mark.django_db(transaction=True)


def test_send_test_email_queues_and_sends_in_the_language_asked(capsys):
    call_command("send_test_email", "ops@example.com", "--language", "ru", "--note", "SMTP check")

    email = OutgoingEmail.objects.get()
    assert (email.recipient, email.language, email.kind) == ("ops@example.com", "ru", "mail.test")
    # Eager in tests: the after-commit hand-off already sent it.
    assert email.status == OutgoingEmail.Status.SENT
    assert "SMTP check" in mail.outbox[0].body
    assert f"Queued test e-mail #{email.pk} to ops@example.com (ru)" in capsys.readouterr().out


def test_send_test_email_refuses_a_bad_address():
    with pytest.raises(CommandError, match="not a valid e-mail address"):
        call_command("send_test_email", "not-an-address")

    assert OutgoingEmail.objects.count() == 0
