import datetime

import pytest

from mail.transport import connection
from tests.smtp_server import SMTPServer


def _serve(settings, server: SMTPServer):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_TIMEOUT = 5
    server.start()


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server the delivery code talks to through Django's SMTP backend."""
    server = SMTPServer()
    _serve(settings, server)
    yield server
    connection.close()  # the worker-process connection must not outlive this server
    server.stop()


@pytest.fixture
def smtp_server_rejecting_logins(settings):
    """An SMTP server that refuses our credentials: a configuration fault on our side."""
    server = SMTPServer(reject_logins=True)
    _serve(settings, server)
    settings.EMAIL_HOST_USER = "portal"
    settings.EMAIL_HOST_PASSWORD = "wrong-password"
    yield server
    connection.close()
    server.stop()


@pytest.fixture
def queue_test_message():
    """Queue the ops test message (a real template the portal ships) through queue_email."""
    from mail.services import queue_email

    def queue(to="delegate@example.com", language="en", note="", **fields):
        return queue_email(
            to=to,
            language=language,
            kind="mail.test",
            template="mail/emails/test_message",
            context={
                "sent_on": datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC),
                "note": note,
            },
            **fields,
        )

    return queue
