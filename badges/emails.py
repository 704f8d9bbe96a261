"""The delegate's ticket e-mail: sent when a registration is confirmed, with the QR code.

`registrations`' own e-mails cannot show the QR (it may not import this app), so the ticket
is an e-mail of its own, queued as an outbox intent in the transaction that confirmed the
registration (a receiver of `registration_created` or `registration_status_changed`) and
rendered after commit in the registration's language by `build_context`. It links to the
printable ticket page and carries the QR as an attached PNG (not an inline image: the outbox
has no inline parts, and a link needs nothing from the mail client).
"""

import io

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from mail.services import EmailAttachment, EmailIntent, queue_emails_to_render
from registrations.models import Registration

from .models import Badge
from .services import issue_badge
from .tokens import badge_token

CONTEXT_BUILDER = "badges.ticket"
TEMPLATE = "badges/emails/ticket"


def queue_ticket_for_new_registration(sender, *, registration: Registration, **kwargs) -> None:
    """Receiver of `registration_created`: a registration confirmed at once gets its ticket."""
    # Its badge was inserted by the receiver connected before this one (BadgesConfig.ready).
    if settings.BADGES_TICKET_EMAIL and registration.status == Registration.Status.CONFIRMED:
        queue_ticket(registration)


def queue_ticket_when_confirmed(sender, *, registration: Registration, to_status, **kwargs):
    """Receiver of `registration_status_changed`: approval or promotion confirmed it (a
    registration older than this app gets its badge first)."""
    if settings.BADGES_TICKET_EMAIL and to_status == Registration.Status.CONFIRMED:
        issue_badge(registration)
        queue_ticket(registration)


def queue_ticket(registration: Registration) -> None:
    """Queue the ticket e-mail (outbox intent, rendered and sent after commit)."""
    queue_emails_to_render(
        [
            EmailIntent(
                to=registration.email,
                language=registration.language,
                kind="badges.ticket",
                template=TEMPLATE,
                builder=CONTEXT_BUILDER,
                context={"registration": registration.pk},
                related=registration,
                reply_to=registration.event.secretariat_address,
            )
        ]
    )


def ticket_png(badge: Badge) -> bytes:
    buffer = io.BytesIO()
    segno.make(badge_token(badge), error="m").save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


def build_context(values: dict) -> tuple[dict, tuple[EmailAttachment, ...]]:
    """The ticket e-mail's context and its QR attachment, from the intent's ids."""
    registration = Registration.objects.select_related("event__forum", "badge").get(
        pk=values["registration"]
    )
    badge = registration.badge
    with translation.override(registration.language):
        path = reverse("badges:ticket", args=[registration.reference])
    context = {
        "registration": registration,
        "event": registration.event,
        "ticket_url": settings.SITE_URL + path,
        "secretariat_email": registration.event.secretariat_address,
    }
    attachment = EmailAttachment(
        filename=f"ticket-{registration.reference}.png",
        content=ticket_png(badge),
        mimetype="image/png",
    )
    return context, (attachment,)
