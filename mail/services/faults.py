"""Whose fault a failed delivery attempt was, and how to say so in one line."""

import logging
import smtplib
import ssl

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ImproperlyConfigured

from ..models import OutgoingEmail

logger = logging.getLogger("mail.services")

Fault = OutgoingEmail.Fault


def classify(error: Exception) -> str:
    """Whose fault a failed attempt was: the moment's, the recipient's, or our configuration's."""
    if isinstance(error, smtplib.SMTPAuthenticationError | smtplib.SMTPNotSupportedError):
        return Fault.CONFIGURATION
    if isinstance(error, ssl.SSLCertVerificationError | ImproperlyConfigured):
        return Fault.CONFIGURATION
    if isinstance(error, smtplib.SMTPSenderRefused):
        # The server will not take our From address: every message would fail alike.
        return Fault.CONFIGURATION if error.smtp_code >= 500 else Fault.TEMPORARY
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return Fault.PERMANENT if codes and min(codes) >= 500 else Fault.TEMPORARY
    if isinstance(error, smtplib.SMTPConnectError | smtplib.SMTPHeloError):
        # The server refused us as a client, whatever the message.
        return Fault.CONFIGURATION if error.smtp_code >= 500 else Fault.TEMPORARY
    if isinstance(error, smtplib.SMTPResponseException):
        # Typically after DATA: 5xx refuses this message (size, content), 4xx means later.
        return Fault.PERMANENT if error.smtp_code >= 500 else Fault.TEMPORARY
    if isinstance(error, smtplib.SMTPServerDisconnected | OSError | SoftTimeLimitExceeded):
        # Refused connection, timeout, reset, DNS hiccup, a server that hung up.
        return Fault.TEMPORARY
    if isinstance(error, ValueError | UnicodeError):
        # The message itself cannot be built or encoded: retrying changes nothing.
        return Fault.PERMANENT
    # Unknown: retry (a bounded number of times) rather than drop; log it in full.
    logger.exception("Unexpected error while sending an e-mail", exc_info=error)
    return Fault.TEMPORARY


def permanent_refusal_code(error: Exception) -> int | None:
    """The SMTP code when the server refused this recipient or message for good (5xx on RCPT,
    or on DATA), else None: the address is then undeliverable."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return min(codes) if codes and min(codes) >= 500 else None
    if isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500:
        return error.smtp_code
    return None


def describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        details = "; ".join(
            f"{code} {_decode(message)}" for code, message in error.recipients.values()
        )
        return f"Recipient refused: {details}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__}: {error.smtp_code} {_decode(error.smtp_error)}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _decode(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
