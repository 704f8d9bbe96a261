"""Reads for statement import: the entity's invoices as the matcher needs them, and a
statement's lines for the review page."""

from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from ..models import (
    BankStatement,
    Invoice,
    Payment,
    StatementAllocation,
    StatementLine,
    StatementSettings,
)
from ..references import normalise_reference
from .matcher import OpenInvoice

_MONEY = DecimalField(max_digits=16, decimal_places=3)


def _sum(queryset, column: str):
    return Coalesce(
        Subquery(
            queryset.order_by().values(group=Value(1)).annotate(total=Sum(column)).values("total"),
            output_field=_MONEY,
        ),
        Value(Decimal("0")),
        output_field=_MONEY,
    )


def with_outstanding(invoices):
    """`invoices` annotated with `outstanding`: the gross, less the issued credit notes, less
    the money paid against the invoice and them (refunds count back). Zero or less: paid."""
    credited = Invoice.objects.filter(
        credits=OuterRef("pk"), kind=Invoice.Kind.CREDIT_NOTE, status=Invoice.Status.ISSUED
    )
    # Two sums, not one with an OR: each is an index lookup per invoice.
    paid = Payment.objects.filter(invoice=OuterRef("pk"))
    refunded = Payment.objects.filter(
        invoice__credits=OuterRef("pk"), invoice__kind=Invoice.Kind.CREDIT_NOTE
    )
    return invoices.annotate(
        outstanding=ExpressionWrapper(
            F("gross") + _sum(credited, "gross") - _sum(paid, "amount") - _sum(refunded, "amount"),
            output_field=_MONEY,
        )
    )


def open_invoices(entity) -> list[OpenInvoice]:
    """Every issued invoice of `entity` with what is still owed on it. One query."""
    rows = (
        with_outstanding(
            Invoice.objects.filter(
                entity=entity, kind=Invoice.Kind.INVOICE, status=Invoice.Status.ISSUED
            )
        )
        .values_list(
            "pk",
            "number",
            "payment_reference",
            "currency",
            "outstanding",
            "buyer_name",
            "buyer_organisation",
        )
        .order_by("pk")
    )
    return [
        OpenInvoice(
            pk=pk,
            number=number,
            payment_reference=reference,
            currency=currency,
            outstanding=outstanding,
            buyer_name=name,
            buyer_organisation=organisation,
        )
        for pk, number, reference, currency, outstanding, name, organisation in rows
    ]


def statement_for_review(statement_id: int) -> BankStatement:
    """A statement with its lines, their allocations and candidates (a fixed number of
    queries whatever the number of lines)."""
    invoices = Invoice.objects.only(
        "pk", "number", "currency", "gross", "buyer_name", "buyer_organisation", "entity_id"
    )
    lines = StatementLine.objects.order_by("position").prefetch_related(
        Prefetch(
            "allocations",
            queryset=StatementAllocation.objects.select_related("invoice", "payment").order_by(
                "pk"
            ),
        ),
        Prefetch("candidates", queryset=invoices.order_by("pk")),
    )
    return (
        BankStatement.objects.select_related("bank_account__entity", "uploaded_by", "applied_by")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .get(pk=statement_id)
    )


def find_invoice(entity, text: str) -> Invoice | None:
    """The entity's issued invoice a reviewer typed: its number ("MXUK-2026-00042", case
    and spaces forgiven) or its payment reference."""
    compact = normalise_reference(text)
    if not compact or "\x00" in text:  # PostgreSQL refuses NUL in text
        return None
    issued = Invoice.objects.filter(
        entity=entity, kind=Invoice.Kind.INVOICE, status=Invoice.Status.ISSUED
    )
    return (
        issued.filter(payment_reference=compact).first()
        or issued.filter(number__iexact=" ".join(text.split())).first()
    )


def statement_counts(queryset):
    """Statements with their lines counted by outcome (one query for a changelist)."""
    Outcome = StatementLine.Outcome
    return queryset.annotate(
        line_count=Count("lines"),
        matched_count=Count("lines", filter=Q(lines__outcome=Outcome.MATCHED)),
        ambiguous_count=Count("lines", filter=Q(lines__outcome=Outcome.AMBIGUOUS)),
        unmatched_count=Count("lines", filter=Q(lines__outcome=Outcome.UNMATCHED)),
    )


def statement_settings(account) -> StatementSettings:
    """The account's saved CSV layout and tolerance, or the defaults (unsaved)."""
    try:
        return account.statement_settings
    except StatementSettings.DoesNotExist:
        return StatementSettings(bank_account=account)
