"""The e-mails a visa request's changes send, queued through the outbox (mail.services).

Called by `visas/services.py` inside its transaction: each e-mail is an intent (the template
and the request's id), one outbox row "to render" written in that transaction, rendered after
commit by `build_context` below (registered in `VisasConfig.ready`) in the recipient's
language: the delegate's in their registration's language, the secretariat's in the site's.

No passport data in any e-mail: a message says the status, links to the delegate's visa page
and names at most the letter number. What the e-mail announces (the status, the letter
number, a reason) is decided when it is queued, so a later change does not alter it.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from mail.services import EmailAttachment, EmailIntent, queue_emails_to_render

from .models import VisaRequest

TEMPLATE_DIR = "visas/emails"
# The name the outbox knows this module's context builder by.
CONTEXT_BUILDER = "visas.visa_request"

Status = VisaRequest.Status

# The delegate's e-mail for each status a request can reach.
_STATUS_TEMPLATES = {
    Status.REQUESTED: "requested",
    Status.IN_REVIEW: "in_review",
    Status.PETITION_FILED: "petition_filed",
    Status.LETTER_ISSUED: "letter_issued",
    Status.REFUSED: "refused",
    Status.WITHDRAWN: "withdrawn",
}


def send_status_email(
    request: VisaRequest,
    *,
    reason: str = "",
    letter_number: str = "",
    registration_closed: bool = False,
) -> None:
    """Tell the delegate the request's current status: received (with the too-late warning),
    in review, petition filed, letter issued (with its number), refused (with `reason`) or
    withdrawn (with `reason`, or because the registration was closed)."""
    queue_emails_to_render(
        [
            _delegate_intent(
                request,
                _STATUS_TEMPLATES[request.status],
                reason=reason,
                letter_number=letter_number,
                registration_closed=registration_closed,
            )
        ]
    )


def send_details_updated_email(request: VisaRequest, *, letter_number: str = "") -> None:
    """Tell the delegate their details were changed; with `letter_number` when a new version
    of the letter replaces the old one."""
    queue_emails_to_render(
        [_delegate_intent(request, "details_updated", letter_number=letter_number)]
    )


def notify_secretariat(request: VisaRequest) -> None:
    """Tell the event's secretariat about a new request (flagged when too late), with a link
    to it in the admin; no passport data."""
    registration = request.registration
    queue_emails_to_render(
        [
            EmailIntent(
                to=registration.event.secretariat_address,
                language=settings.LANGUAGE_CODE,
                kind="visas.secretariat.requested",
                template=f"{TEMPLATE_DIR}/secretariat_requested",
                builder=CONTEXT_BUILDER,
                context={"request": request.pk, "too_late": request.too_late},
                related=request,
                reply_to=registration.email,
            )
        ]
    )


def build_context(values: dict) -> tuple[dict, tuple[EmailAttachment, ...]]:
    """The template context of an e-mail queued by this module, from its intent's JSON
    `values`; run by the outbox after commit, in the e-mail's language."""
    request = VisaRequest.objects.select_related("registration__event__forum").get(
        pk=values["request"]
    )
    registration = request.registration
    event = registration.event
    context = {
        "visa_request": request,
        "registration": registration,
        "event": event,
        "secretariat_email": event.secretariat_address,
        "request_number": request.number,
        "status_label": Status(values.get("status", request.status)).label,
        "reason": values.get("reason", ""),
        "letter_number": values.get("letter_number", ""),
        "registration_closed": values.get("registration_closed", False),
        "too_late": values.get("too_late", request.too_late),
        "filing_deadline": request.filing_deadline,
        # The language prefix of the e-mail's language (the outbox renders inside it).
        "visa_page_url": settings.SITE_URL
        + reverse("visa_request", kwargs={"reference": registration.reference}),
    }
    with translation.override(settings.LANGUAGE_CODE):
        # The admin lives under the language prefix: link to it in the secretariat's.
        context["admin_url"] = settings.SITE_URL + reverse(
            "admin:visas_visarequest_change", args=[request.pk]
        )
    return context, ()


def _delegate_intent(request: VisaRequest, name: str, **extra) -> EmailIntent:
    registration = request.registration
    return EmailIntent(
        to=registration.email,
        language=registration.language,
        kind=f"visas.{name}",
        template=f"{TEMPLATE_DIR}/{name}",
        builder=CONTEXT_BUILDER,
        context={
            "request": request.pk,
            "status": request.status,
            "too_late": request.too_late,
            **{key: value for key, value in extra.items() if value},
        },
        related=request,
        reply_to=registration.event.secretariat_address,
    )
