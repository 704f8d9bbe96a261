"""The worker's side of SMTP: one connection per worker thread, kept open between messages.

Opening an SMTP connection (TCP, greeting, EHLO, perhaps STARTTLS and AUTH) costs several round
trips — more than sending a small message over a connection that is already open. Each worker
process therefore keeps one backend connection, opens it on first use (never in the parent
before a fork) and reopens it when the settings change or the server has dropped it.

Over Django's SMTP backend a message goes out as the bytes its outbox row stores
(``prebuilt_message``), handed to smtplib's ``sendmail`` on that connection: nothing is built
per attempt, and a retry sends exactly what the first attempt sent.
"""

import logging
import smtplib
import threading
import time

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address

from .emails import build_message
from .models import OutgoingEmail

logger = logging.getLogger(__name__)

# Servers drop idle clients (Postfix after 300 s; NAT tables sooner, silently, which would cost a
# full EMAIL_TIMEOUT to notice). After this long unused, open a fresh connection instead.
IDLE_REOPEN_SECONDS = 60


def _settings_key() -> tuple:
    return (
        settings.EMAIL_BACKEND,
        settings.EMAIL_HOST,
        settings.EMAIL_PORT,
        settings.EMAIL_HOST_USER,
        settings.EMAIL_USE_TLS,
        settings.EMAIL_USE_SSL,
        settings.DEFAULT_FROM_EMAIL,
    )


def _envelope_address(address: str) -> str:
    """The recipient as RCPT TO takes it, as Django's SMTP backend would give it.

    Outbox recipients are single plain addresses (checked when queued), which Django's
    ``sanitize_address`` returns unchanged when they are ASCII; only an international one
    (its domain to punycode) needs it, and parsing every address costs more than the rest of
    the per-message work.
    """
    return address if address.isascii() else sanitize_address(address, settings.DEFAULT_CHARSET)


class ReusableConnection(threading.local):
    """A mail backend connection that survives between messages sent by the same thread.

    Thread-local: an SMTP session carries one message at a time, so two threads of one process
    (Celery's thread pool, two deliveries racing) each keep their own."""

    def __init__(self):
        self._backend = None
        self._settings_key = None
        self._last_used = 0.0
        self._sender = None

    def send(self, email: OutgoingEmail, *, check_connection: bool = True) -> None:
        """Send one outbox row; raise whatever the server or backend raised if not accepted.

        Over SMTP the row's prebuilt bytes go out as they are (``sendmail``), so every attempt
        sends the same message and nothing is built here; another backend (the console in
        development, an HTTP API's backend) gets the message as Django builds it.

        ``check_connection``: first make sure a kept connection still answers (one NOOP round
        trip). The first message of a batch does, since the connection may have sat idle since
        the last batch; the others follow it back-to-back and skip the round trip.

        Never tried twice here: a connection that fails once the message is being handed over
        may fail after the server accepted it (a disconnect after DATA), and a second try would
        deliver it twice. A kept connection that the server closed while it sat idle (its
        timeout, a restart) is found out before, by the check, and a fresh one opened.
        """
        self._prepare(check_connection=check_connection)
        try:
            smtp = self._smtp()
            if smtp is not None and email.prebuilt_message is not None:
                smtp.sendmail(
                    self._envelope_sender(),
                    [_envelope_address(email.recipient)],
                    bytes(email.prebuilt_message),
                )
            else:
                self._backend.send_messages([build_message(email)])
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            # The server answered about this message (4xx/5xx) and smtplib reset the
            # transaction: the connection is still good for the next one.
            raise
        except Exception:
            self.close()
            raise
        self._last_used = time.monotonic()

    def _smtp(self) -> smtplib.SMTP | None:
        """The open smtplib connection of Django's own SMTP backend, None for any other backend.

        Not for a subclass: one that signs or rewrites messages (DKIM, say) does so in its own
        send methods, which the prebuilt bytes would bypass.
        """
        if type(self._backend) is SMTPBackend:
            return self._backend.connection
        return None

    def _envelope_sender(self) -> str:
        # What Django's SMTP backend gives MAIL FROM; worked out once per connection.
        if self._sender is None:
            self._sender = sanitize_address(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET)
        return self._sender

    def _prepare(self, *, check_connection: bool) -> None:
        """Make sure a connection is open (and answering, if asked), reopening a kept one."""
        key = _settings_key()
        idle = time.monotonic() - self._last_used
        if self._backend is not None and (key != self._settings_key or idle > IDLE_REOPEN_SECONDS):
            self.close()
        if self._backend is not None and check_connection and not self._answers():
            logger.info("The SMTP server had closed the kept connection; reconnecting")
            self.close()
        if self._backend is None:
            self._backend = get_connection(fail_silently=False)
            self._settings_key = key
        # Django's SMTP backend opens its connection here (and returns False if one was open
        # already); other backends (console, locmem) have nothing to open or keep.
        self._backend.open()

    def _answers(self) -> bool:
        """True unless the kept SMTP connection fails a NOOP (one round trip, no message)."""
        smtp = getattr(self._backend, "connection", None)
        if smtp is None:  # not an SMTP backend, or not opened yet
            return True
        try:
            code, _ = smtp.noop()
        except (smtplib.SMTPException, OSError):
            return False
        return code == 250

    def close(self) -> None:
        backend, self._backend, self._sender = self._backend, None, None
        if backend is None:
            return
        try:
            backend.close()
        except Exception:  # closing a broken connection must not hide the original error
            logger.debug("Closing the SMTP connection failed", exc_info=True)


# One per thread (per process under prefork: each child gets its own after the fork).
connection = ReusableConnection()
