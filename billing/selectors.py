"""Reads: what a registration owes and has paid, and the documents a user may see."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Max, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from events.selectors import events_visible_to
from registrations.models import Registration

from .models import EventBilling, Invoice, Payment

ZERO = Decimal("0")


class PaymentState(models.TextChoices):
    NOT_INVOICED = "not_invoiced", _("Not invoiced")
    UNPAID = "unpaid", _("Unpaid")
    PARTLY_PAID = "partly_paid", _("Partly paid")
    PAID = "paid", _("Paid")
    REFUNDED = "refunded", _("Refunded")
    CREDITED = "credited", _("Cancelled, nothing due")


@dataclass(frozen=True)
class PaymentStatus:
    """A registration's money: `invoiced` is the issued documents' gross (credit notes count
    negative), `paid` the payments' sum (refunds count negative); `balance` is what is still
    owed (negative: paid too much)."""

    state: str
    currency: str = ""
    invoiced: Decimal = ZERO
    paid: Decimal = ZERO
    refunded: Decimal = ZERO
    due_on: object = None
    overdue: bool = False

    @property
    def balance(self) -> Decimal:
        return self.invoiced - self.paid

    @property
    def underpaid(self) -> Decimal:
        return max(self.balance, ZERO)

    @property
    def overpaid(self) -> Decimal:
        return max(-self.balance, ZERO)

    @property
    def label(self) -> str:
        return PaymentState(self.state).label


def state_for(invoiced: Decimal, paid: Decimal, refunded: Decimal) -> str:
    """The payment state for these sums (see `PaymentState`)."""
    balance = invoiced - paid
    if balance > 0:
        return PaymentState.PARTLY_PAID if paid > 0 else PaymentState.UNPAID
    if balance < 0:
        return PaymentState.PAID
    if refunded > 0:
        return PaymentState.REFUNDED
    if invoiced == 0 and paid == 0:
        return PaymentState.CREDITED
    return PaymentState.PAID


def payment_statuses(registration_ids: Iterable[int]) -> dict[int, PaymentStatus]:
    """Each registration's `PaymentStatus`, in two queries whatever their number (for lists
    and changelists). Registrations without an issued document are "not invoiced"."""
    ids = list(registration_ids)
    documents = (
        Invoice.objects.filter(registration_id__in=ids, status=Invoice.Status.ISSUED)
        .values("registration_id", "currency")
        .annotate(
            invoiced=Sum("gross"),
            due_on=Min("due_on", filter=Q(kind=Invoice.Kind.INVOICE)),
            overdue=Max("overdue_since"),
            credited=Max("pk", filter=Q(kind=Invoice.Kind.CREDIT_NOTE)),
        )
    )
    money = {
        row["invoice__registration_id"]: row
        for row in Payment.objects.filter(invoice__registration_id__in=ids)
        .values("invoice__registration_id")
        .annotate(paid=Sum("amount"), refunded=Sum("amount", filter=Q(amount__lt=0)))
    }
    statuses = {pk: PaymentStatus(PaymentState.NOT_INVOICED) for pk in ids}
    for row in documents:
        pk = row["registration_id"]
        payments = money.get(pk, {})
        paid = payments.get("paid") or ZERO
        refunded = -(payments.get("refunded") or ZERO)
        invoiced = row["invoiced"] or ZERO
        statuses[pk] = PaymentStatus(
            state=state_for(invoiced, paid, refunded),
            currency=row["currency"],
            invoiced=invoiced,
            paid=paid,
            refunded=refunded,
            due_on=row["due_on"],
            overdue=row["overdue"] is not None and row["credited"] is None and invoiced > paid,
        )
    return statuses


def payment_status(registration: Registration) -> PaymentStatus:
    """One registration's `PaymentStatus` (unpaid, partly paid, paid, refunded, …), with
    what is under- or overpaid. Two queries."""
    return payment_statuses([registration.pk])[registration.pk]


def status_from_documents(registration: Registration, documents: list[Invoice]) -> PaymentStatus:
    """`payment_status` for a page that already holds the registration's issued documents:
    one query (the payments) instead of two."""
    if not documents:
        return PaymentStatus(PaymentState.NOT_INVOICED)
    sums = Payment.objects.filter(invoice__registration=registration).aggregate(
        paid=Sum("amount"), refunded=Sum("amount", filter=Q(amount__lt=0))
    )
    invoiced = sum((document.gross for document in documents), ZERO)
    paid, refunded = sums["paid"] or ZERO, -(sums["refunded"] or ZERO)
    invoices = [d for d in documents if d.kind == Invoice.Kind.INVOICE]
    credited = any(d.kind == Invoice.Kind.CREDIT_NOTE for d in documents)
    due_dates = [d.due_on for d in invoices if d.due_on]
    return PaymentStatus(
        state=state_for(invoiced, paid, refunded),
        currency=documents[0].currency,
        invoiced=invoiced,
        paid=paid,
        refunded=refunded,
        due_on=min(due_dates) if due_dates else None,
        overdue=any(d.overdue_since for d in invoices) and not credited and invoiced > paid,
    )


def invoices_visible_to(user) -> models.QuerySet[Invoice]:
    """The documents of the events `user` sees (`events_visible_to`); none without
    `billing.view_billing`."""
    if not user.has_perm("billing.view_billing"):
        return Invoice.objects.none()
    return Invoice.objects.filter(registration__event__in=events_visible_to(user))


def registration_documents(registration: Registration) -> list[Invoice]:
    """A registration's issued invoices and credit notes, oldest first (the delegate's page)."""
    return list(
        Invoice.objects.filter(registration=registration, status=Invoice.Status.ISSUED).order_by(
            "issued_on", "pk"
        )
    )


@dataclass(frozen=True)
class CurrencyTotals:
    currency: str
    invoiced: Decimal
    paid: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.invoiced - self.paid


def event_totals(event) -> list[CurrencyTotals]:
    """Invoiced (issued invoices less credit notes) and paid (less refunds) per currency for
    one event, in one aggregate query: the dashboard's billing panel, which organisers see."""
    paid = (
        Payment.objects.filter(
            invoice__registration__event=event, currency=models.OuterRef("currency")
        )
        .order_by()
        .values("currency")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    rows = (
        Invoice.objects.filter(registration__event=event, status=Invoice.Status.ISSUED)
        .order_by("currency")
        .values("currency")
        .annotate(
            invoiced=Sum("gross"),
            paid=models.Subquery(paid[:1], output_field=models.DecimalField()),
        )
    )
    return [
        CurrencyTotals(row["currency"], row["invoiced"] or ZERO, row["paid"] or ZERO)
        for row in rows
    ]


def accountant_documents(user, *, entity, start, end) -> models.QuerySet[Invoice]:
    """The issued invoices and credit notes of `entity` dated `start`–`end` (inclusive) that
    `user` may see, in number order: the accountant's list."""
    return (
        invoices_visible_to(user)
        .filter(entity=entity, status=Invoice.Status.ISSUED, issued_on__range=(start, end))
        .select_related("credits", "registration")
        .order_by("year", "sequence_number")
    )


def payment_required_for_check_in(event) -> bool:
    """Whether `event` refuses unpaid delegates at the door (`EventBilling`): no query when
    the event was read with `select_related("billing")`, else one."""
    if "billing" in event._state.fields_cache:
        billing = event._state.fields_cache["billing"]
        return bool(billing and billing.payment_required_for_check_in)
    return EventBilling.objects.filter(event=event, payment_required_for_check_in=True).exists()


def registrations_owing(event, registration_ids: Iterable[int] | None = None) -> set[int]:
    """The ids of `event`'s registrations in a paid category that owe money: never invoiced,
    or invoiced (issued invoices less credit notes) more than paid (payments less refunds).
    A registration whose invoice was credited in full owes nothing. One query, for one
    registration at the door or the whole event's offline list alike."""
    invoiced = (
        Invoice.objects.filter(registration_id=models.OuterRef("pk"), status=Invoice.Status.ISSUED)
        .order_by()
        .values("registration_id")
        .annotate(total=Sum("gross"))
        .values("total")
    )
    paid = (
        Payment.objects.filter(invoice__registration_id=models.OuterRef("pk"))
        .order_by()
        .values("invoice__registration_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    registrations = Registration.objects.filter(event=event, price__gt=0)
    if registration_ids is not None:
        registrations = registrations.filter(pk__in=list(registration_ids))
    return set(
        registrations.annotate(
            invoiced=models.Subquery(invoiced[:1], output_field=models.DecimalField()),
            paid=Coalesce(
                models.Subquery(paid[:1], output_field=models.DecimalField()),
                ZERO,
                output_field=models.DecimalField(),
            ),
        )
        .filter(Q(invoiced__isnull=True) | Q(invoiced__gt=models.F("paid")))
        .values_list("pk", flat=True)
    )
