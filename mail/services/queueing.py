"""Queueing: the one entry point for mail, and the staff's "send it again"."""

import base64
import enum
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import make_msgid, parseaddr

from celery import current_app
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import validate_email
from django.db import models, transaction
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone, translation

from minex.bulk import insert_rows

from ..emails import prebuild_message
from ..models import OutgoingEmail

logger = logging.getLogger("mail.services")

Status = OutgoingEmail.Status
Fault = OutgoingEmail.Fault

SUBJECT_MAX_LENGTH = OutgoingEmail._meta.get_field("subject").max_length

# The delivery task, by name: the tasks module imports these services, so the services address
# the task through Celery's registry instead of importing it back (imports flow one way).
DELIVER_EMAILS_TASK = "mail.tasks.deliver_emails"
# The same delivery for mailings' rows, routed to the "mailings" queue (CELERY_TASK_ROUTES).
DELIVER_BULK_EMAILS_TASK = "mail.tasks.deliver_bulk_emails"
RENDER_EMAILS_TASK = "mail.tasks.render_emails"

_thread = threading.local()


@dataclass(frozen=True)
class EmailAttachment:
    filename: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class EmailIntent:
    """An e-mail to render after the current transaction commits (``queue_emails_to_render``).

    ``builder`` names a context builder registered with ``register_context_builder``;
    ``context`` is what it gets: ids and plain JSON values only, never model instances or lazy
    translation strings, because the row may be rendered by another process, later.
    """

    to: str
    language: str
    kind: str
    template: str
    builder: str
    context: dict = field(default_factory=dict)
    related: models.Model | None = None
    reply_to: str = ""


# A context builder turns an intent's JSON context into the template context and the
# attachments; it runs inside translation.override(<the e-mail's language>).
ContextBuilder = Callable[[dict], tuple[dict, Sequence[EmailAttachment]]]
_CONTEXT_BUILDERS: dict[str, ContextBuilder] = {}


def register_context_builder(name: str, builder: ContextBuilder) -> None:
    """Make ``builder`` available to rows queued with ``EmailIntent(builder=name)``.

    Apps register theirs in ``AppConfig.ready`` so the web process and every worker know them.
    """
    _CONTEXT_BUILDERS[name] = builder


class ResendOutcome(enum.StrEnum):
    QUEUED = "queued"  # a queued or failed e-mail goes out again now
    COPIED = "copied"  # a sent e-mail is sent again as a new outbox row
    IN_PROGRESS = "in_progress"  # being sent right now: nothing to do
    CREDENTIAL = "credential"  # carries a credential: never resent, the person asks again


def queue_email(
    *,
    to: str,
    language: str,
    kind: str,
    template: str,
    context: dict,
    related: models.Model | None = None,
    reply_to: str = "",
    attachments: Sequence[EmailAttachment] = (),
    secret: bool = False,
) -> OutgoingEmail:
    """Render an e-mail from templates and queue it for delivery after the current commit.

    Renders ``<template>_subject.txt``, ``<template>.txt`` and, if it exists,
    ``<template>.html`` inside ``translation.override(language)``, with ``context`` plus
    ``site_url``. Text parts are rendered without HTML escaping; the HTML part escapes every
    variable as usual.

    Side effects, in order: one ``OutgoingEmail`` row written in the caller's transaction; then,
    once that transaction commits, the row's id is handed to the delivery task. Nothing is sent
    if the transaction rolls back, and a broker outage at commit time is logged, not raised:
    the periodic dispatcher picks the row up later.
    """
    language = _supported_language(language)
    context = {**context, "site_url": settings.SITE_URL}
    with translation.override(language):
        subject = _render_plain(f"{template}_subject.txt", context)
        body_text = _render_plain(f"{template}.txt", context)
        try:
            body_html = get_template(f"{template}.html").render(context)
        except TemplateDoesNotExist:
            body_html = ""
    return queue_rendered_email(
        to=to,
        language=language,
        kind=kind,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        related=related,
        reply_to=reply_to,
        attachments=attachments,
        secret=secret,
    )


def queue_rendered_email(
    *,
    to: str,
    language: str,
    kind: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    related: models.Model | None = None,
    reply_to: str = "",
    attachments: Sequence[EmailAttachment] = (),
    secret: bool = False,
    headers: dict[str, str] | None = None,
) -> OutgoingEmail:
    """Queue an e-mail that is already rendered (for django-allauth, which renders its own).

    Refuses a recipient or reply-to that is not one plain address (ValidationError), so nothing
    can smuggle extra recipients or headers in; folds line breaks out of the subject for the
    same reason. ``secret=True`` marks a message that carries a credential (a password-reset
    link, a confirmation key, a sign-in code): the admin never shows its content, it is never
    resent, and delivery wipes its body once it is sent or has failed for good. The row carries
    its message already built (``prebuilt_message``: the bytes every attempt sends), so the
    caller pays for MIME once and the worker never does. Side effects as in ``queue_email``: a
    row now, the hand-off after commit.
    """
    validate_email(to)
    if reply_to:
        validate_email(reply_to)
    if not kind:
        raise ValueError("An outgoing e-mail needs a kind.")
    email = OutgoingEmail(
        recipient=to,
        language=_supported_language(language),
        kind=kind,
        subject=_single_line(subject, SUBJECT_MAX_LENGTH),
        body_text=body_text.strip() + "\n",
        body_html=body_html.strip(),
        reply_to=reply_to,
        message_id=_new_message_id(),
        attachments=[_stored_attachment(attachment) for attachment in attachments],
        related_type=ContentType.objects.get_for_model(related) if related is not None else None,
        related_id=str(related.pk) if related is not None else "",
        secret=secret,
        headers=_checked_headers(headers),
    )
    _save_with_prebuilt_message(email)
    _hand_off_after_commit(email.pk)
    return email


@dataclass(frozen=True)
class BulkEmail:
    """One rendered message of a mailing (``queue_bulk_emails``)."""

    to: str
    language: str
    subject: str
    body_text: str
    body_html: str = ""
    headers: dict = field(default_factory=dict)


def queue_bulk_emails(
    messages: Sequence[BulkEmail],
    *,
    kind: str,
    first_due_at,
    per_minute: int,
    related: models.Model | None = None,
    reply_to: str = "",
) -> list[int]:
    """Write a mailing's rendered messages as outbox rows, paced; return their ids in order.

    Unlike ``queue_rendered_email``, the MIME message is not built here: for 20,000 rows that
    would be most of the queueing time (about 1 ms each). The worker builds each one when it
    first claims the row, and stores it before sending, so every retry still sends the same
    bytes (``deliver_emails``). Each row is marked ``bulk`` and due at its place in the pace:
    the n-th message at ``first_due_at`` + n × 60 / ``per_minute`` seconds. No task is
    published: the mailings' dispatcher (``dispatch_due_emails(bulk=True)``, run on the
    "mailings" queue by beat) hands rows out as they fall due, so the pace holds across
    worker restarts, and the regular queue never carries them. One COPY for the lot
    (``minex.bulk.insert_rows``), in the caller's transaction. Addresses are checked as
    ``queue_rendered_email`` does.
    """
    if not kind:
        raise ValueError("An outgoing e-mail needs a kind.")
    if reply_to:
        validate_email(reply_to)
    step = 60.0 / max(1, per_minute)
    domain = _message_id_domain()
    related_type_id = ContentType.objects.get_for_model(related).pk if related is not None else None
    related_id = str(related.pk) if related is not None else ""
    rows = []
    for position, message in enumerate(messages):
        validate_email(message.to)
        email = OutgoingEmail(
            recipient=message.to,
            language=_supported_language(message.language),
            kind=kind,
            subject=_single_line(message.subject, SUBJECT_MAX_LENGTH),
            body_text=message.body_text.strip() + "\n",
            body_html=message.body_html.strip(),
            reply_to=reply_to,
            message_id=make_msgid(domain=domain),
            related_type_id=related_type_id,
            related_id=related_id,
            headers=_checked_headers(message.headers),
            bulk=True,
            next_attempt_at=first_due_at + timedelta(seconds=position * step),
        )
        rows.append(email)
    insert_rows(rows)
    return [row.pk for row in rows]


def _checked_headers(headers: dict[str, str] | None) -> dict[str, str] | None:
    # One line each: a line break in a header value would start a header of its own.
    if not headers:
        return None
    return {name: _single_line(str(value), 998) for name, value in headers.items()}


def queue_emails_to_render(intents: Sequence[EmailIntent]) -> list[OutgoingEmail]:
    """Queue e-mails whose rendering waits until the current transaction has committed.

    For a caller holding locks others wait for (a registration holds its event's row lock):
    the transaction writes only the intent, and the templates, the attachments and the MIME
    message are built after commit, outside the lock.

    Side effects, in order: the rows, inserted in one statement in the caller's transaction, in
    status "to render" with their intent (so a committed change always has its e-mails, even if
    the process dies right after the commit); after commit (``on_commit(robust=True)``) their
    ids go to the rendering task, which renders them in a worker (``render_pending_emails``)
    and delivers them: the request that queued them spends no time on templates or MIME. If
    that never happens — the process died, the broker is down — the periodic dispatcher renders
    what is left and delivers it. A row that cannot be rendered is marked failed with the
    reason, where the staff see it; it never fails the caller's transaction.
    """
    rows = []
    for intent in intents:
        validate_email(intent.to)
        if intent.reply_to:
            validate_email(intent.reply_to)
        if intent.builder not in _CONTEXT_BUILDERS:
            raise ValueError(f"No context builder named {intent.builder!r}.")
        related = intent.related
        rows.append(
            OutgoingEmail(
                recipient=intent.to,
                language=_supported_language(intent.language),
                kind=intent.kind,
                reply_to=intent.reply_to,
                message_id=_new_message_id(),
                status=Status.RENDERING,
                render_intent={
                    "template": intent.template,
                    "builder": intent.builder,
                    "context": intent.context,
                },
                related_type=(
                    ContentType.objects.get_for_model(related) if related is not None else None
                ),
                related_id=str(related.pk) if related is not None else "",
            )
        )
    if not rows:
        return rows
    OutgoingEmail.objects.bulk_create(rows)
    transaction.on_commit(_render_after_commit([row.pk for row in rows]), robust=True)
    return rows


def render_pending_emails(email_ids: Sequence[int] | None = None) -> list[int]:
    """Render rows waiting in "to render" (these ids, or all of them) and queue them; return
    the ids now queued.

    Each row is rendered in its own short transaction under its row lock, skipping rows another
    process holds (it is rendering them), so no row is rendered twice. Rendering happens in the
    e-mail's language, from its intent, as ``queue_email`` would have rendered it then; the
    message is built once here (``prebuilt_message``). A row that cannot be rendered or built
    is marked failed (fault "could not be rendered") with the error, and keeps its intent.
    Does not hand the rows to the delivery task: the caller does, or the dispatcher.
    """
    if email_ids is None:
        email_ids = list(
            OutgoingEmail.objects.filter(status=Status.RENDERING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    rendered = []
    for email_id in email_ids:
        with transaction.atomic():
            email = (
                OutgoingEmail.objects.select_for_update(skip_locked=True)
                .filter(pk=email_id, status=Status.RENDERING)
                .first()
            )
            if email is None:
                continue
            try:
                _render_intent(email)
                email.prebuilt_message = prebuild_message(email)
            except Exception as error:  # any fault in a template or builder: recorded, not lost
                logger.exception("E-mail %s (%s) could not be rendered", email.pk, email.kind)
                email.status = Status.FAILED
                email.fault = Fault.RENDERING
                email.last_error = f"{type(error).__name__}: {error}"[:2000]
                email.save(update_fields=["status", "fault", "last_error", "updated_at"])
                continue
            email.status = Status.QUEUED
            email.render_intent = None
            email.next_attempt_at = timezone.now()
            email.save(
                update_fields=[
                    "subject",
                    "body_text",
                    "body_html",
                    "attachments",
                    "prebuilt_message",
                    "status",
                    "render_intent",
                    "next_attempt_at",
                    "updated_at",
                ]
            )
            rendered.append(email.pk)
    return rendered


def _render_after_commit(email_ids: list[int]):
    """The on-commit callback handing these rows to the render task. A named function, not a
    functools.partial: Django logs a failing robust callback by its ``__qualname__``, which a
    partial lacks, so a broker outage would turn into an AttributeError (a 500)."""

    def hand_off_to_render() -> None:
        _hand_off_to_render(email_ids)

    return hand_off_to_render


def _hand_off_to_render(email_ids: list[int]) -> None:
    # By name, as for delivery: the tasks module imports these services, not the reverse.
    current_app.signature(RENDER_EMAILS_TASK, args=(email_ids,)).delay()


def _render_intent(email: OutgoingEmail) -> None:
    intent = email.render_intent
    builder = _CONTEXT_BUILDERS[intent["builder"]]
    template = intent["template"]
    with translation.override(email.language):
        context, attachments = builder(intent["context"])
        context = {**context, "site_url": settings.SITE_URL}
        subject = _render_plain(f"{template}_subject.txt", context)
        body_text = _render_plain(f"{template}.txt", context)
        try:
            body_html = get_template(f"{template}.html").render(context)
        except TemplateDoesNotExist:
            body_html = ""
    email.subject = _single_line(subject, SUBJECT_MAX_LENGTH)
    email.body_text = body_text.strip() + "\n"
    email.body_html = body_html.strip()
    email.attachments = [_stored_attachment(attachment) for attachment in attachments]


def resend_email(email: OutgoingEmail, *, acting_user) -> ResendOutcome:
    """Send an e-mail again on a staff member's request (the admin's "resend" action).

    A queued or failed e-mail is queued again, due now, with its attempts reset; a sent one is
    copied into a new outbox row (the sent row stays as the record of what went out) which is
    queued; one being sent right now is left alone. One that carries a credential is never
    resent: its body is wiped once delivered, its link or code may have expired, and a fresh
    one is a click away for the person it belongs to. Side effects, in order: the row is locked
    and updated (or the copy written) in one transaction, the action is logged with the acting
    user, and after commit the id is handed to the delivery task.
    """
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().get(pk=email.pk)
        if email.secret:
            return ResendOutcome.CREDENTIAL
        if email.status == Status.SENDING:
            return ResendOutcome.IN_PROGRESS
        if email.status == Status.SENT:
            copy = OutgoingEmail(
                recipient=email.recipient,
                language=email.language,
                kind=email.kind,
                subject=email.subject,
                body_text=email.body_text,
                body_html=email.body_html,
                reply_to=email.reply_to,
                message_id=_new_message_id(),
                attachments=email.attachments,
                related_type=email.related_type,
                related_id=email.related_id,
                resent_from=email,
            )
            _save_with_prebuilt_message(copy)
            logger.info(
                "E-mail %s (%s) resent as %s by %s", email.pk, email.kind, copy.pk, acting_user
            )
            _hand_off_after_commit(copy.pk)
            return ResendOutcome.COPIED
        previous_status = email.status
        if email.render_intent is not None:
            # Never rendered (its rendering failed): render it again, then deliver it.
            email.status = Status.RENDERING
            email.fault = Fault.NONE
            email.last_error = ""
            email.save(update_fields=["status", "fault", "last_error", "updated_at"])
            logger.info(
                "E-mail %s (%s) queued for rendering again by %s", email.pk, email.kind, acting_user
            )
            transaction.on_commit(_render_after_commit([email.pk]), robust=True)
            return ResendOutcome.QUEUED
        email.status = Status.QUEUED
        email.attempts = 0
        email.next_attempt_at = timezone.now()
        email.fault = Fault.NONE
        email.last_error = ""
        email.save(
            update_fields=[
                "status",
                "attempts",
                "next_attempt_at",
                "fault",
                "last_error",
                "updated_at",
            ]
        )
        logger.info(
            "E-mail %s (%s) queued again (was %s) by %s",
            email.pk,
            email.kind,
            previous_status,
            acting_user,
        )
        _hand_off_after_commit(email.pk)
        return ResendOutcome.QUEUED


def hand_off(email_ids: Sequence[int], *, bulk: bool = False) -> None:
    """Publish delivery tasks for these rows, MAIL_DELIVERY_BATCH_SIZE ids per task.

    Raises if the broker is unreachable; the rows stay queued for the dispatcher. The task is
    found by name in Celery's registry (``mail.tasks`` registers it when Celery loads the apps'
    tasks), so an eager configuration still runs it in-process.
    """
    size = max(1, settings.MAIL_DELIVERY_BATCH_SIZE)
    task = DELIVER_BULK_EMAILS_TASK if bulk else DELIVER_EMAILS_TASK
    for start in range(0, len(email_ids), size):
        batch = list(email_ids[start : start + size])
        current_app.signature(task, args=(batch,)).delay()


def _hand_off_after_commit(email_id: int) -> None:
    """After the current transaction commits, hand this row (and any queued with it) over.

    A transaction that queues many e-mails (a notice to every delegate) publishes one task per
    batch instead of one per e-mail: the ids collect in one ``_HandOffBatch`` per transaction
    and savepoint level, whose one on-commit callback publishes them all. A batch takes ids only
    while its callback can still run: at the savepoint level that registered it, and in the
    transaction that registered it. When the transaction (or that savepoint) rolls back, Django
    drops the callback, and the next e-mail starts a new batch — so a rolled-back id never
    rides along with a later transaction's hand-off, and a committed one is never left in a
    batch nobody publishes.

    robust=True: a broker outage is logged by Django and the rows wait for the dispatcher,
    instead of turning a delegate's successful registration into a 500.
    """
    batch = getattr(_thread, "hand_off_batch", None)
    if batch is not None and batch.is_waiting():
        batch.email_ids.append(email_id)
        return
    batch = _thread.hand_off_batch = _HandOffBatch([email_id])
    transaction.on_commit(batch.hand_off, robust=True)


class _HandOffBatch:
    """The ids one transaction queued, handed to the delivery task together on commit."""

    def __init__(self, email_ids: list[int]):
        connection = transaction.get_connection()
        self.email_ids = email_ids
        self.handed_off = False
        self.in_transaction = connection.in_atomic_block
        self.savepoint_ids = list(connection.savepoint_ids)

    def is_waiting(self) -> bool:
        """True while this batch's on-commit callback is registered and has not run, and the
        connection is at the savepoint level that registered it.

        Not run yet: ``handed_off`` is still False. Same level: the same savepoints are open
        (a savepoint rolled back and opened again gets a new id). Same transaction: rows are
        written in the transaction that registered the callback, so the batch's first row is
        visible exactly while that transaction is open or has committed — after a rollback it
        is gone, and so is the callback. (Savepoint ids start again in every transaction, so
        they cannot tell one transaction from the next.)
        """
        connection = transaction.get_connection()
        if self.handed_off or not self.in_transaction or not connection.in_atomic_block:
            return False
        if list(connection.savepoint_ids) != self.savepoint_ids:
            return False
        return OutgoingEmail.objects.filter(pk=self.email_ids[0]).exists()

    def hand_off(self) -> None:
        # Before publishing: if the broker is down, the dispatcher takes over these rows.
        self.handed_off = True
        email_ids, self.email_ids = self.email_ids, []
        if email_ids:
            hand_off(email_ids)


def _save_with_prebuilt_message(email: OutgoingEmail) -> None:
    """Insert a new row with its message already built, so no delivery attempt builds it.

    A message that cannot be built (a header Python's e-mail package refuses) is still queued,
    without prebuilt bytes: the worker's attempt to build it fails and marks the row failed with
    the reason, where the staff see it, instead of failing the caller's transaction (a
    delegate's registration) over an e-mail.
    """
    try:
        email.prebuilt_message = prebuild_message(email)
    except (ValueError, UnicodeError):
        logger.warning(
            "E-mail to %s (%s) could not be built; queued anyway",
            email.recipient,
            email.kind,
            exc_info=True,
        )
    email.save(force_insert=True)


def _render_plain(template_name: str, context: dict) -> str:
    # Subjects and text bodies are not HTML: "R&D" must not arrive as "R&amp;D". Rendering with
    # autoescape off here means no template has to remember {% autoescape off %}.
    return get_template(template_name).template.render(Context(context, autoescape=False))


def _single_line(text: str, max_length: int) -> str:
    # A line break in a header starts a new header: fold every kind of them into spaces.
    line = " ".join(text.split())
    return line if len(line) <= max_length else line[: max_length - 1] + "…"


def _stored_attachment(attachment: EmailAttachment) -> dict:
    return {
        "filename": _single_line(attachment.filename, 255),
        "mimetype": attachment.mimetype,
        "content": base64.b64encode(attachment.content).decode("ascii"),
    }


def _supported_language(language: str) -> str:
    try:
        return translation.get_supported_language_variant(language or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def _new_message_id() -> str:
    return make_msgid(domain=_message_id_domain())


def _message_id_domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
