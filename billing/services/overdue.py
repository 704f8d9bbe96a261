"""Reminders before the due date, and what happens to invoices left unpaid after it; run by
beat (`billing.tasks`), a batch at a time, each invoice in its own short transaction."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from registrations.models import Registration
from registrations.services import InvalidTransition, cancel_registration

from .. import emails
from ..models import BillingHistory, Invoice
from ..selectors import payment_status
from .invoicing import event_billing, record

logger = logging.getLogger(__name__)
Action = BillingHistory.Action


def _open_invoices():
    return Invoice.objects.filter(
        kind=Invoice.Kind.INVOICE, status=Invoice.Status.ISSUED, credit_notes__isnull=True
    ).select_related("registration__event__billing")


def send_payment_reminders(*, today: datetime.date | None = None, limit: int = 500) -> int:
    """Remind buyers of invoices due within their event's `reminder_days_before_due` that are
    not paid in full and were not reminded yet; return how many reminders were queued.

    Side effects, per invoice, in its own transaction: the invoice row is locked and checked
    again; `reminder_sent_at`; a history row; the reminder through the outbox."""
    today = today or timezone.localdate()
    candidates = (
        _open_invoices()
        .filter(reminder_sent_at__isnull=True, due_on__gte=today)
        .exclude(registration__event__billing__reminder_days_before_due=0)
        .order_by("due_on", "pk")
    )
    sent = 0
    for invoice in candidates[:limit]:
        rules = event_billing(invoice.registration.event)
        days = rules.reminder_days_before_due
        if not days or invoice.due_on - datetime.timedelta(days=days) > today:
            continue
        with transaction.atomic():
            locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
            if locked.reminder_sent_at is not None:
                continue
            if payment_status(invoice.registration).underpaid <= 0:
                continue
            locked.reminder_sent_at = timezone.now()
            locked.save(update_fields=["reminder_sent_at"])
            record(locked, actor=None, action=Action.REMINDER_SENT)
            emails.send_payment_reminder(invoice)
        sent += 1
    return sent


def flag_overdue_invoices(*, today: datetime.date | None = None, limit: int = 500) -> int:
    """Flag invoices unpaid after their due date (`overdue_since`, shown in the admin); for an
    event that chose `auto_cancel_unpaid`, cancel the registration through
    `registrations.services.cancel_registration` (its place goes to the waitlist, the delegate
    gets the cancellation e-mail, and the invoice is credited — in full if nothing was paid).
    Return how many invoices were flagged.

    Each invoice in its own transaction; the registration is cancelled first (its locks come
    before the invoice's in the lock order), then the invoice row is locked and flagged."""
    today = today or timezone.localdate()
    candidates = _open_invoices().filter(overdue_since__isnull=True, due_on__lt=today)
    flagged = 0
    for invoice in candidates.order_by("due_on", "pk")[:limit]:
        registration = invoice.registration
        if payment_status(registration).underpaid <= 0:
            continue
        with transaction.atomic():
            rules = event_billing(registration.event)
            cancelled = False
            if rules.auto_cancel_unpaid and registration.status in Registration.ACTIVE_STATUSES:
                try:
                    cancel_registration(
                        registration,
                        acting_user=None,
                        reason=gettext("Unpaid after the invoice's due date."),
                    )
                    cancelled = True
                except InvalidTransition:
                    pass
            locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
            if locked.overdue_since is not None:
                continue
            locked.overdue_since = timezone.now()
            locked.save(update_fields=["overdue_since"])
            record(locked, actor=None, action=Action.MARKED_OVERDUE, due_on=str(locked.due_on))
            if cancelled:
                record(locked, actor=None, action=Action.AUTO_CANCELLED)
        flagged += 1
    return flagged
