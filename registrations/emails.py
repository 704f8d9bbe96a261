"""The e-mails a registration change sends, queued through the outbox (mail.services).

Called by registrations/services.py inside its transaction: `queue_email` writes the outbox row
now and hands it to the delivery task only after commit. Delegates get their e-mail in the
language of their registration; the secretariat in the site's default language. Replies to a
delegate's e-mail reach the event's secretariat.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import DelegateProfile
from mail.services import EmailAttachment, queue_email

from .calendar import CALENDAR_MIMETYPE, calendar_filename, registration_calendar
from .models import Registration
from .selectors import waitlist_position

TEMPLATE_DIR = "registrations/emails"

# The delegate's e-mail for each status a registration can reach.
_STATUS_TEMPLATES = {
    Registration.Status.PENDING: "received",
    Registration.Status.CONFIRMED: "confirmed",
    Registration.Status.WAITLISTED: "waitlisted",
    Registration.Status.REJECTED: "rejected",
    Registration.Status.CANCELLED: "cancelled",
}


# How a letter to a delegate opens, by title: formal, with the surname, as a ministry writes.
_GREETINGS = {
    DelegateProfile.Title.MR: _("Dear Mr %(surname)s,"),
    DelegateProfile.Title.MS: _("Dear Ms %(surname)s,"),
    DelegateProfile.Title.MRS: _("Dear Mrs %(surname)s,"),
    DelegateProfile.Title.DR: _("Dear Dr %(surname)s,"),
    DelegateProfile.Title.PROF: _("Dear Professor %(surname)s,"),
    DelegateProfile.Title.HE: _("Your Excellency,"),
}


def greeting(registration: Registration) -> str:
    """The e-mail's salutation in the active language: by title and surname when both are
    known ("Dear Mr Akhmetov,"), otherwise by full name in a form that fits anyone."""
    formula = _GREETINGS.get(registration.title)
    if formula is not None and registration.last_name:
        return str(formula) % {"surname": registration.last_name}
    return gettext("Dear %(name)s,") % {"name": registration.full_name}


class SecretariatChange(models.TextChoices):
    NEW = "new", _("New registration")
    CANCELLED = "cancelled", _("Registration cancelled")
    DETAILS_UPDATED = "details_updated", _("Registration details changed")


def send_status_email(
    registration: Registration, *, reason: str = "", new_account: bool = False
) -> None:
    """Tell the delegate the registration's current status: received (pending approval),
    confirmed (with the calendar file), waitlisted (with the position), rejected (with
    `reason`) or cancelled.

    `new_account`: the secretariat registered them and an account was made for them just
    now (`register_on_behalf`); the e-mail says so and links to the password-reset page in
    their language. No reset key here: a key is a credential, sent only in allauth's own
    e-mail, which the outbox keeps secret."""
    extra = {"reason": reason, "new_account": new_account}
    if new_account:
        with translation.override(registration.language):
            extra["password_reset_url"] = settings.SITE_URL + reverse("account_reset_password")
    _queue_for_delegate(registration, status_template(registration), **extra)


def status_template(registration: Registration) -> str:
    """The name of the delegate's e-mail for the registration's current status."""
    return _STATUS_TEMPLATES[registration.status]


def send_promoted_email(registration: Registration) -> None:
    """Tell the delegate a place came free for them: confirmed now (with the calendar file),
    or pending the secretariat's approval."""
    _queue_for_delegate(registration, "promoted")


def notify_secretariat(
    registration: Registration, *, change: str, changes: dict | None = None
) -> None:
    """Tell the event's secretariat about a new registration or a change: the delegate's
    details, the category, whether approval or a visa letter is needed, and a link to the
    registration in the admin."""
    # The admin lives under the language prefix: link to it in the secretariat's language.
    with translation.override(settings.LANGUAGE_CODE):
        admin_url = settings.SITE_URL + reverse(
            "admin:registrations_registration_change", args=[registration.pk]
        )
    queue_email(
        to=registration.event.secretariat_address,
        language=settings.LANGUAGE_CODE,
        kind=f"registration.secretariat.{change}",
        template=f"{TEMPLATE_DIR}/secretariat_notification",
        context={
            **_context(registration),
            "change": change,
            "change_label": SecretariatChange(change).label,
            "changes": _labelled_changes(changes or {}),
            "admin_url": admin_url,
        },
        related=registration,
        reply_to=registration.email,
    )


def _labelled_changes(changes: dict) -> list[dict]:
    """The history's {field: {"old", "new"}} with each field's verbose name, which the template
    renders in the secretariat's language (queue_email renders inside that language)."""
    return [
        {
            "label": Registration._meta.get_field(name).verbose_name,
            "old": change["old"],
            "new": change["new"],
        }
        for name, change in changes.items()
    ]


def _queue_for_delegate(registration: Registration, name: str, **extra) -> None:
    attachments = ()
    if registration.status == Registration.Status.CONFIRMED and name in ("confirmed", "promoted"):
        attachments = (
            EmailAttachment(
                filename=calendar_filename(registration),
                content=registration_calendar(registration),
                mimetype=CALENDAR_MIMETYPE,
            ),
        )
    queue_email(
        to=registration.email,
        language=registration.language,
        kind=f"registration.{name}",
        template=f"{TEMPLATE_DIR}/{name}",
        context={**_context(registration), **extra},
        related=registration,
        reply_to=registration.event.secretariat_address,
        attachments=attachments,
    )


def _context(registration: Registration) -> dict:
    event = registration.event
    return {
        "registration": registration,
        "event": event,
        "category": registration.category,
        "waitlist_position": waitlist_position(registration),
        "secretariat_email": event.secretariat_address,
    }
