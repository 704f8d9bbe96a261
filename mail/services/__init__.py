"""The outbox: queue e-mails in the caller's transaction, deliver them after commit.

The path of one e-mail:

1. ``queue_email`` renders it in the recipient's language and writes an ``OutgoingEmail`` row in
   the caller's transaction. Only after that transaction commits is the row's id handed to the
   ``mail.tasks.deliver_emails`` task (with the others its transaction queued, in batches); if
   the broker is down at that moment the row simply waits.
2. ``deliver_emails`` (run by the task) claims the rows under a lock, commits, talks SMTP over
   one connection without holding any lock, and records each result: sent, retry later, or
   failed.
3. ``dispatch_due_emails`` (run periodically by beat) hands due rows to the workers again —
   retries whose time has come and rows whose hand-off never reached the broker — and
   ``release_stuck_emails`` frees rows left in "sending" by a worker that died, once their
   lease (the task's hard time limit and a margin) has passed.

A caller holding locks others wait for queues ``EmailIntent``s instead
(``queue_emails_to_render``): its transaction writes rows "to render" with their intent, and after
commit the ``mail.tasks.render_emails`` task renders and delivers them in a worker (or, if
that hand-off never happened, the dispatcher's next run renders them).

So the database, not the broker, is the record of what still has to go out.

Imports flow one way: ``mail.tasks`` imports these services; the services publish the delivery
task by its name (``DELIVER_EMAILS_TASK``) and never import the tasks module.
"""

from .delivery import (
    DeliveryOutcome,
    deliver_emails,
    dispatch_due_emails,
    record_undeliverable,
    release_stuck_emails,
)
from .queueing import (
    DELIVER_BULK_EMAILS_TASK,
    DELIVER_EMAILS_TASK,
    RENDER_EMAILS_TASK,
    BulkEmail,
    EmailAttachment,
    EmailIntent,
    ResendOutcome,
    queue_bulk_emails,
    queue_email,
    queue_emails_to_render,
    queue_rendered_email,
    register_context_builder,
    render_pending_emails,
    resend_email,
)

__all__ = [
    "DELIVER_BULK_EMAILS_TASK",
    "DELIVER_EMAILS_TASK",
    "BulkEmail",
    "RENDER_EMAILS_TASK",
    "DeliveryOutcome",
    "EmailAttachment",
    "EmailIntent",
    "ResendOutcome",
    "deliver_emails",
    "dispatch_due_emails",
    "queue_bulk_emails",
    "queue_email",
    "record_undeliverable",
    "queue_emails_to_render",
    "queue_rendered_email",
    "register_context_builder",
    "release_stuck_emails",
    "render_pending_emails",
    "resend_email",
]
