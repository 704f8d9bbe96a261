"""The e-mails a registration change sends, queued through the outbox (mail.services).

Called by registrations/services.py inside its transaction, which holds the event's row lock:
each e-mail is queued as an intent (`EmailIntent`: the template and the registration's id), one
outbox row "to render" written in that transaction; the outbox renders it after commit, outside
the lock, with `build_context` below (registered in `RegistrationsConfig.ready`), and delivers
it. So the e-mail shows the registration as it is once committed. Delegates get their e-mail in the
language of their registration; the secretariat in the site's default language. Replies to a
delegate's e-mail reach the event's secretariat.
"""

import dataclasses

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import DelegateProfile
from mail.services import EmailAttachment, EmailIntent, queue_emails_to_render

from . import extensions
from .calendar import CALENDAR_MIMETYPE, calendar_filename, registration_calendar
from .models import Registration
from .selectors import waitlist_position

TEMPLATE_DIR = "registrations/emails"
# The name the outbox knows this module's context builder by.
CONTEXT_BUILDER = "registrations.registration"

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


def send_registration_emails(registration: Registration) -> None:
    """A new registration's two e-mails, queued together (one outbox insert): the delegate's
    for its status (`send_status_email`) and the secretariat's notification."""
    queue_emails_to_render(
        [
            _delegate_intent(registration, status_template(registration)),
            _secretariat_intent(registration, change=SecretariatChange.NEW),
        ]
    )


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
    intent = _delegate_intent(
        registration,
        status_template(registration),
        reason=reason,
        new_account=new_account,
    )
    queue_emails_to_render(_with_copies(registration, [intent]))


def status_template(registration: Registration) -> str:
    """The name of the delegate's e-mail for the registration's current status."""
    return _STATUS_TEMPLATES[registration.status]


def send_promoted_email(registration: Registration) -> None:
    """Tell the delegate a place came free for them: confirmed now (with the calendar file),
    or pending the secretariat's approval."""
    queue_emails_to_render(_with_copies(registration, [_delegate_intent(registration, "promoted")]))


def send_substitution_emails(
    registration: Registration, *, old_email: str, old_name: str, old_language: str,
    reason: str, new_account: bool,
) -> None:  # fmt: skip
    """A registration handed to another person: the new delegate's e-mail (the registration,
    now theirs, with the password link for a new account) and the previous delegate's (their
    place went to the new one), each in their own language; copies of the new delegate's to
    whoever `extensions.email_copies` names."""
    handed_over = _delegate_intent(
        registration, "substituted", reason=reason, old_name=old_name, new_account=new_account
    )
    previous = EmailIntent(
        to=old_email,
        language=old_language,
        kind="registration.substituted_away",
        template=f"{TEMPLATE_DIR}/substituted_away",
        builder=CONTEXT_BUILDER,
        context={
            "registration": registration.pk,
            "extra": {"reason": reason, "old_name": old_name},
        },
        related=registration,
        reply_to=registration.event.secretariat_address,
    )
    queue_emails_to_render([*_with_copies(registration, [handed_over]), previous])


def _with_copies(registration: Registration, intents: list[EmailIntent]) -> list[EmailIntent]:
    """The intents, each followed by its copies (`extensions.email_copies`): the same e-mail,
    in the copy recipient's language, saying whose e-mail it is."""
    copies = extensions.email_copies(registration)
    if not copies:
        return intents
    result = []
    for intent in intents:
        result.append(intent)
        for address, language in copies:
            context = {**intent.context}
            context["extra"] = {
                **context.get("extra", {}),
                "copy_of": {"name": registration.full_name, "email": registration.email},
            }
            result.append(
                dataclasses.replace(
                    intent,
                    to=address,
                    language=language,
                    kind=f"{intent.kind}.copy",
                    context=context,
                )
            )
    return result


def notify_secretariat(
    registration: Registration, *, change: str, changes: dict | None = None
) -> None:
    """Tell the event's secretariat about a new registration or a change: the delegate's
    details, the category, whether approval or a visa letter is needed, and a link to the
    registration in the admin."""
    queue_emails_to_render([_secretariat_intent(registration, change=change, changes=changes)])


def build_context(values: dict) -> tuple[dict, tuple[EmailAttachment, ...]]:
    """The template context and attachments of an e-mail queued by this module, from its
    intent's JSON `values`; run by the outbox after commit, in the e-mail's language."""
    registration = Registration.objects.select_related("event__forum", "category").get(
        pk=values["registration"]
    )
    context = {**_context(registration), **values.get("extra", {})}
    if values.get("new_account"):
        context["password_reset_url"] = settings.SITE_URL + reverse("account_reset_password")
    change = values.get("change")
    if change:
        with translation.override(settings.LANGUAGE_CODE):
            # The admin lives under the language prefix: link to it in the secretariat's.
            admin_url = settings.SITE_URL + reverse(
                "admin:registrations_registration_change", args=[registration.pk]
            )
        context.update(
            change=change,
            change_label=SecretariatChange(change).label,
            changes=_labelled_changes(values.get("changes") or {}),
            admin_url=admin_url,
        )
    attachments = ()
    if values.get("calendar"):
        attachments = (
            EmailAttachment(
                filename=calendar_filename(registration),
                content=registration_calendar(registration),
                mimetype=CALENDAR_MIMETYPE,
            ),
        )
    return context, attachments


def _delegate_intent(registration: Registration, name: str, **extra) -> EmailIntent:
    new_account = extra.pop("new_account", False)
    return EmailIntent(
        to=registration.email,
        language=registration.language,
        kind=f"registration.{name}",
        template=f"{TEMPLATE_DIR}/{name}",
        builder=CONTEXT_BUILDER,
        context={
            "registration": registration.pk,
            "extra": {**extra, "new_account": new_account},
            "new_account": new_account,
            # Decided now, from the status the e-mail announces: the calendar file goes with
            # a confirmation, whatever happens to the registration before it is rendered.
            "calendar": registration.status == Registration.Status.CONFIRMED
            and name in ("confirmed", "promoted"),
        },
        related=registration,
        reply_to=registration.event.secretariat_address,
    )


def _secretariat_intent(
    registration: Registration, *, change: str, changes: dict | None = None
) -> EmailIntent:
    return EmailIntent(
        to=registration.event.secretariat_address,
        language=settings.LANGUAGE_CODE,
        kind=f"registration.secretariat.{change}",
        template=f"{TEMPLATE_DIR}/secretariat_notification",
        builder=CONTEXT_BUILDER,
        context={
            "registration": registration.pk,
            "change": SecretariatChange(change).value,
            "changes": changes or {},
        },
        related=registration,
        reply_to=registration.email,
    )


def _labelled_changes(changes: dict) -> list[dict]:
    """The history's {field: {"old", "new"}} with each field's verbose name, which the template
    renders in the secretariat's language (the outbox renders inside that language)."""
    return [
        {
            "label": Registration._meta.get_field(name).verbose_name,
            "old": change["old"],
            "new": change["new"],
        }
        for name, change in changes.items()
    ]


def _context(registration: Registration) -> dict:
    event = registration.event
    return {
        "registration": registration,
        "event": event,
        "category": registration.category,
        "waitlist_position": waitlist_position(registration),
        "secretariat_email": event.secretariat_address,
        # Other apps' additions (pricing's price lines), registrations.extensions.
        **extensions.email_context(registration),
    }
