"""The delegate's "your invitation letter is ready" e-mail, queued through the outbox.

It says which letter (its number) and links to the registration page, where the delegate
downloads it after logging in: no passport data and no attachment, because an e-mail is
copied to servers and inboxes we do not control.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import override

from mail.services import EmailIntent, queue_emails_to_render

from ..models import VisaLetter

TEMPLATE = "visas/emails/letter_ready"
# The name the outbox knows `build_context` by (registered in VisasConfig.ready).
CONTEXT_BUILDER = "visas.letter"


def send_letter_ready_email(letter: VisaLetter) -> None:
    """Queue the e-mail to the delegate, in the registration's language, rendered after
    commit by the outbox (`build_context`)."""
    registration = letter.request.registration
    queue_emails_to_render(
        [
            EmailIntent(
                to=registration.email,
                language=registration.language,
                kind="visas.letter_ready",
                template=TEMPLATE,
                builder=CONTEXT_BUILDER,
                context={"letter": letter.pk},
                related=letter.request,
                reply_to=registration.event.secretariat_address,
            )
        ]
    )


def build_context(values: dict) -> tuple[dict, tuple]:
    """The template context of a queued letter e-mail (run by the outbox after commit, in the
    e-mail's language): the registration, the event and the letter's number only."""
    letter = VisaLetter.objects.select_related("request__registration__event__forum").get(
        pk=values["letter"]
    )
    registration = letter.request.registration
    with override(registration.language):
        page = reverse("registration_detail", args=[registration.reference])
    return {
        "registration": registration,
        "event": registration.event,
        "letter_number": letter.number,
        "registration_url": settings.SITE_URL + page,
        "secretariat_email": registration.event.secretariat_address,
    }, ()
