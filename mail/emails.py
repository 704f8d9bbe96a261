"""Turning an outbox row into the message that goes on the wire."""

import base64

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from .models import OutgoingEmail


def build_message(email: OutgoingEmail) -> EmailMultiAlternatives:
    """The message for one outbox row, as Django's mail backends take it."""
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.recipient],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers={
            "Message-ID": email.message_id,
            # Tells auto-responders (out-of-office) not to answer: RFC 3834.
            "Auto-Submitted": "auto-generated",
            "Content-Language": email.language,
            **(email.headers or {}),
        },
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments:
        message.attach(
            attachment["filename"],
            base64.b64decode(attachment["content"]),
            attachment["mimetype"],
        )
    return message


def prebuild_message(email: OutgoingEmail) -> bytes:
    """The row's message serialised once, as every attempt sends it over SMTP.

    The bytes Django's SMTP backend would send (RFC 5322 with CRLF line ends), fixed here once:
    the Date header, the MIME boundaries and the Message-ID no longer change between attempts,
    and a worker sends them without building anything. Raises ValueError or UnicodeError for a
    message that cannot be built.
    """
    return build_message(email).message().as_bytes(linesep="\r\n")
