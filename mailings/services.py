"""Writes for mailings: checking, previewing, test-sending and sending them; reminders.

A mailing goes out in two steps, so that pressing "send" costs the request nothing and a
double click or a retried task queues nobody twice:

1. ``send_mailing`` (the admin's button) checks the texts and the recipients and moves the
   mailing from "draft" to "queueing" with one conditional update; only the call that made
   that move publishes ``mailings.tasks.queue_mailing`` (after commit, on the "mailings"
   queue).
2. ``queue_mailing_recipients`` (that task) writes, in one transaction under the mailing's
   row lock, one ``MailingRecipient`` per delegate (unique per mailing and delegate) and one
   outbox row each, rendered in the delegate's language, paced at ``MAILINGS_RATE_PER_MINUTE``
   (``mail.services.queue_bulk_emails``); the mailing becomes "sending". A second run finds it
   no longer "queueing" and does nothing; a run that died rolled everything back, and beat's
   ``resume_stuck_mailings`` publishes it again.

The outbox delivers the rows on the "mailings" queue as they fall due; ``finish_mailings``
marks a mailing "sent" once none is waiting.
"""

import functools
import logging
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mail.services import BulkEmail, queue_bulk_emails, queue_rendered_email
from minex.bulk import insert_rows
from registrations.emails import greeting
from registrations.models import Registration

from .models import Mailing, MailingRecipient
from .placeholders import PLACEHOLDERS, check_template, fill
from .selectors import count_recipients, mailing_progress, recipient_registrations
from .tokens import unsubscribe_token

logger = logging.getLogger("mailings.services")

QUEUE_MAILING_TASK = "mailings.tasks.queue_mailing"
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def check_mailing(mailing: Mailing) -> dict[str, list[str]]:
    """The problems in the mailing's texts, by field name (``subject_en``, ``body_ru``, …),
    each naming its line; empty when every text is fine."""
    problems = {}
    for code in LANGUAGE_CODES:
        for field in ("subject", "body"):
            name = f"{field}_{code}"
            found = check_template(getattr(mailing, name, "") or "")
            if found:
                problems[name] = found
    return problems


def placeholder_values(
    registration: Registration, *, language: str, event_values: dict | None = None
) -> dict[str, str]:
    """The placeholders' values for this registration, in ``language``. ``event_values``
    (``event_placeholder_values``) spares a mailing computing the event's once per delegate."""
    event_values = event_values or event_placeholder_values(registration.event, language)
    with translation.override(language):
        salutation = greeting(registration)
    return {
        **event_values,
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "full_name": registration.full_name,
        "greeting": salutation,
        "reference": registration.reference,
        "registration_link": event_values["registration_link"].replace(
            _REFERENCE_SLOT, registration.reference
        ),
    }


# A stand-in reference: the registration link is reversed once per language and event, and
# each delegate's reference put in its place.
_REFERENCE_SLOT = "MXSLOT-REFERENCE-0"


def event_placeholder_values(event, language: str) -> dict[str, str]:
    """The placeholders that are the same for every delegate of ``event`` in ``language``."""
    with translation.override(language):
        venue = ", ".join(part for part in (event.venue, event.city) if part)
        dates = date_format(event.start_date, "DATE_FORMAT")
        if event.end_date != event.start_date:
            dates = f"{dates} – {date_format(event.end_date, 'DATE_FORMAT')}"
        link = settings.SITE_URL + reverse(
            "registration_detail", kwargs={"reference": _REFERENCE_SLOT}
        )
        return {
            "event": str(event.title),
            "event_dates": dates,
            "venue": venue,
            "registration_link": link,
        }


def texts_in(mailing: Mailing, language: str) -> tuple[str, str]:
    """The mailing's subject and body as written for ``language``, English where that
    language was left empty."""
    subject = getattr(mailing, f"subject_{language}", "") or mailing.subject_en or ""
    body = getattr(mailing, f"body_{language}", "") or mailing.body_en or ""
    return subject, body


def render_for(
    mailing: Mailing,
    registration: Registration,
    *,
    language: str,
    event_values: dict | None = None,
) -> BulkEmail:
    """The mailing as ``registration``'s delegate receives it in ``language``: subject and
    text filled in, and for news the unsubscribe link in the text and the RFC 8058 headers."""
    subject, body = texts_in(mailing, language)
    values = placeholder_values(registration, language=language, event_values=event_values)
    text = fill(body, values)
    headers = {}
    if mailing.purpose == Mailing.Purpose.NEWS:
        link = unsubscribe_url(registration.delegate_id, language=language)
        with translation.override(language):
            text += "\n\n-- \n" + _("To stop receiving news about future forums: %(link)s") % {
                "link": link
            }
        headers = {
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    return BulkEmail(
        to=registration.email,
        language=language,
        subject=fill(subject, values),
        body_text=text,
        headers=headers,
    )


def unsubscribe_url(user_id: int, *, language: str) -> str:
    """The person's signed one-click unsubscribe link, on the page in ``language``."""
    return _unsubscribe_url_pattern(settings.SITE_URL, language).replace(
        _TOKEN_SLOT, unsubscribe_token(user_id)
    )


_TOKEN_SLOT = "MXSLOT-TOKEN-0"  # noqa: S105 (a stand-in, not a secret)


@functools.cache
def _unsubscribe_url_pattern(site_url: str, language: str) -> str:
    # Reversed once per language (a news mailing to 20,000 would otherwise reverse 20,000
    # times); each person's token takes the stand-in's place.
    with translation.override(language):
        return site_url + reverse("mailings:unsubscribe", kwargs={"token": _TOKEN_SLOT})


def _recipient_language(registration: Registration) -> str:
    return registration.language if registration.language in LANGUAGE_CODES else "en"


def send_test(mailing: Mailing, *, to_user) -> int:
    """Send the mailing to ``to_user`` once in every language it is written in, filled in for
    the first recipient (or with sample values when none matches yet); return how many.

    Refuses a mailing whose texts have problems (ValidationError). Side effects: outbox rows
    (kind ``mailing.test``) in one transaction, handed to delivery after commit on the
    regular queue.
    """
    problems = check_mailing(mailing)
    if problems:
        raise ValidationError([problem for found in problems.values() for problem in found])
    sample = next(iter(recipient_registrations(mailing)), None)
    sent = 0
    with transaction.atomic():
        for code in LANGUAGE_CODES:
            if code != "en" and not getattr(mailing, f"subject_{code}", ""):
                continue
            if sample is not None:
                message = render_for(mailing, sample, language=code)
                subject, text = message.subject, message.body_text
            else:
                subject, body = texts_in(mailing, code)
                values = {name: f"[{name}]" for name in PLACEHOLDERS}
                subject, text = fill(subject, values), fill(body, values)
            with translation.override(code):
                subject = _("[Test] %(subject)s") % {"subject": subject}
            queue_rendered_email(
                to=to_user.email,
                language=code,
                kind="mailing.test",
                subject=subject,
                body_text=text,
                related=mailing,
            )
            sent += 1
    return sent


def send_mailing(mailing: Mailing, *, acting_user) -> bool:
    """Start sending the mailing; return True if this call started it.

    Refuses (ValidationError, nothing written) a mailing whose texts have problems or whose
    filters select nobody. Side effects, in order, in one transaction: one conditional update
    from "draft" to "queueing" naming ``acting_user`` (a second click, or a second staff member
    at the same moment, updates nothing and gets False); after commit, the queueing task is
    published on the "mailings" queue. If the broker is down then, beat's
    ``resume_stuck_mailings`` publishes it later.
    """
    problems = check_mailing(mailing)
    if problems:
        raise ValidationError([problem for found in problems.values() for problem in found])
    if count_recipients(mailing).recipients == 0:
        raise ValidationError(_("No delegate matches these filters: there is nobody to send to."))
    with transaction.atomic():
        started = Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.DRAFT).update(
            status=Mailing.Status.QUEUEING,
            sent_by=acting_user,
            send_requested_at=timezone.now(),
            updated_at=timezone.now(),
        )
        if started:
            transaction.on_commit(_publish_queueing(mailing.pk), robust=True)
    if started:
        logger.info("Mailing %s sent by %s", mailing.pk, acting_user)
    return bool(started)


def _publish_queueing(mailing_id: int):
    def publish_mailing_queueing() -> None:
        current_app.signature(QUEUE_MAILING_TASK, args=(mailing_id,)).delay()

    return publish_mailing_queueing


def queue_mailing_recipients(mailing_id: int) -> int:
    """Write the mailing's recipients and their e-mails; return how many were queued.

    Does nothing (returns 0) unless the mailing is "queueing". Side effects, in one
    transaction under the mailing's row lock, in order: one ``MailingRecipient`` per delegate
    the filters select now (their latest matching registration; undeliverable addresses
    skipped and counted; rows that already exist are left alone — the unique (mailing,
    delegate) constraint is the last line), one rendered outbox row each, in the delegate's
    language and due at its place in the pace (``MAILINGS_RATE_PER_MINUTE``), the mailing's
    counts, and the status "sending" — or "sent" when nobody is left.
    """
    with transaction.atomic():
        mailing = (
            Mailing.objects.select_for_update()
            .filter(pk=mailing_id, status=Mailing.Status.QUEUEING)
            .first()
        )
        if mailing is None:
            return 0
        already = set(
            MailingRecipient.objects.filter(mailing=mailing).values_list("delegate_id", flat=True)
        )
        recipients, messages = [], []
        event_values = {}  # (event id, language): the placeholders every delegate shares
        for registration in recipient_registrations(mailing):
            if registration.delegate_id in already:
                continue
            language = _recipient_language(registration)
            key = (registration.event_id, language)
            if key not in event_values:
                event_values[key] = event_placeholder_values(registration.event, language)
            messages.append(
                render_for(mailing, registration, language=language, event_values=event_values[key])
            )
            recipients.append(
                MailingRecipient(
                    mailing_id=mailing.pk,
                    delegate_id=registration.delegate_id,
                    registration_id=registration.pk,
                    email=registration.email,
                    language=language,
                )
            )
        email_ids = queue_bulk_emails(
            messages,
            kind=f"mailing.{mailing.purpose}",
            first_due_at=next_bulk_slot(),
            per_minute=settings.MAILINGS_RATE_PER_MINUTE,
            related=mailing,
        )
        for recipient, email_id in zip(recipients, email_ids, strict=True):
            recipient.outgoing_email_id = email_id
        insert_rows(recipients)
        counts = count_recipients(mailing)
        mailing.recipients_count = len(already) + len(recipients)
        mailing.skipped_undeliverable = counts.undeliverable
        mailing.queued_at = timezone.now()
        mailing.status = Mailing.Status.SENDING if recipients else Mailing.Status.SENT
        mailing.save(
            update_fields=[
                "recipients_count",
                "skipped_undeliverable",
                "queued_at",
                "status",
                "updated_at",
            ]
        )
    logger.info("Mailing %s: %d e-mails queued", mailing_id, len(recipients))
    return len(recipients)


def resume_stuck_mailings(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Publish the queueing task again for mailings "queueing" for longer than ``older_than``
    (the broker was down at the click, or the worker died mid-way and rolled back)."""
    cutoff = timezone.now() - older_than
    stuck = list(
        Mailing.objects.filter(
            status=Mailing.Status.QUEUEING, send_requested_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for mailing_id in stuck:
        _publish_queueing(mailing_id)()
    return len(stuck)


def finish_mailings() -> int:
    """Mark "sent" every sending mailing none of whose e-mails is still waiting."""
    finished = 0
    for mailing in Mailing.objects.filter(status=Mailing.Status.SENDING):
        if mailing_progress(mailing).waiting == 0:
            finished += Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SENDING).update(
                status=Mailing.Status.SENT, finished_at=timezone.now()
            )
    return finished


def send_due_reminders(*, today=None) -> int:
    """Queue every active reminder whose day has come for the confirmed registrations that have
    not had it yet; return how many e-mails were queued.

    A reminder is due from ``days_before`` days before the event's first day (on the event's
    clock) until that day. Side effects, per reminder, in one transaction under the reminder's
    row lock: one ``SentReminder`` per registration (unique per reminder and registration, so
    a beat that runs twice or restarts never sends one twice) and one rendered outbox row each,
    in the registration's language, paced on the "mailings" queue like a mailing.
    """
    from .models import EventReminder, SentReminder

    sent = 0
    for reminder_id in EventReminder.objects.filter(is_active=True).values_list("pk", flat=True):
        with transaction.atomic():
            reminder = (
                EventReminder.objects.select_for_update(of=("self",))
                .select_related("event")
                .filter(pk=reminder_id, is_active=True)
                .first()
            )
            if reminder is None:
                continue
            event = reminder.event
            local_today = today or timezone.now().astimezone(event.tz).date()
            due_from = event.start_date - timedelta(days=reminder.days_before)
            if not (due_from <= local_today <= event.start_date):
                continue
            registrations = list(
                Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED)
                .exclude(
                    pk__in=SentReminder.objects.filter(reminder=reminder).values("registration_id")
                )
                .select_related("event")
                .order_by("pk")
            )
            if not registrations:
                continue
            messages = [_render_reminder(reminder, registration) for registration in registrations]
            queue_bulk_emails(
                messages,
                kind="mailing.reminder",
                first_due_at=next_bulk_slot(),
                per_minute=settings.MAILINGS_RATE_PER_MINUTE,
                related=reminder,
            )
            SentReminder.objects.bulk_create(
                [SentReminder(reminder=reminder, registration=r) for r in registrations],
                batch_size=2000,
            )
            sent += len(registrations)
    return sent


def _render_reminder(reminder, registration: Registration) -> BulkEmail:
    from django.template.loader import render_to_string

    language = _recipient_language(registration)
    with translation.override(language):
        context = {
            "registration": registration,
            "event": registration.event,
            "reminder": reminder,
            "greeting": greeting(registration),
            "values": placeholder_values(registration, language=language),
            "note": getattr(reminder, f"note_{language}", "") or reminder.note_en or "",
            "ticket_url": settings.SITE_URL
            + reverse("badges:ticket", kwargs={"reference": registration.reference}),
        }
        subject = render_to_string("mailings/emails/reminder_subject.txt", context)
        text = render_to_string("mailings/emails/reminder.txt", context)
    return BulkEmail(to=registration.email, language=language, subject=subject, body_text=text)


def next_bulk_slot():
    """When the next mailing's first e-mail may go: now, or after the last one already
    waiting, so that all mailings and reminders together keep MAILINGS_RATE_PER_MINUTE."""
    from mail.selectors import last_bulk_due_at

    last = last_bulk_due_at()
    now = timezone.now()
    if last is None or last < now:
        return now
    return last + timedelta(seconds=60.0 / max(1, settings.MAILINGS_RATE_PER_MINUTE))
