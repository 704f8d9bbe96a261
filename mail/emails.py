"""Turning an outbox row into the message that goes on the wire."""

import base64

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from .models import OutgoingEmail


def build_message(email: OutgoingEmail) -> EmailMultiAlternatives:
    """The message for one outbox row, exactly as every attempt sends it."""
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
