"""Importing a bank statement, the reviewer's choices, and applying it.

Lock order (docs/architecture.md): applying locks the statement row, then every invoice it
will book against, in primary-key order, before the first payment; `record_payment` then
locks each invoice again (already held). Nothing here locks registration rows, so the order
after them holds.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from ..models import (
    BankAccount,
    BankStatement,
    Invoice,
    Payment,
    StatementAllocation,
    StatementLine,
)
from ..services import record_payment
from .errors import StatementError
from .matcher import Matcher
from .parsers import ParsedLine, parse_statement
from .selectors import open_invoices, statement_settings

Outcome = StatementLine.Outcome


def compact_account(value: str) -> str:
    return "".join(char for char in (value or "") if char.isalnum()).upper()


def line_fingerprint(account_key: str, line: ParsedLine, occurrence: int) -> str:
    """A stable SHA-256 of what the bank said about a booking. `occurrence` tells apart two
    identical bookings in one file (the same payer sending the same amount twice a day)."""
    parts = [
        account_key,
        line.booked_on.isoformat(),
        format(line.amount.normalize(), "f"),
        line.currency,
        " ".join(line.reference.split()).casefold(),
        line.bank_id,
        str(occurrence),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _account_key(account: BankAccount) -> str:
    return (
        compact_account(account.iban)
        or compact_account(account.account_number)
        or (f"account-{account.pk}")
    )


def _check_account(account: BankAccount, named: str) -> None:
    """A statement that names an account must name this one (its IBAN or local number)."""
    if not named:
        return
    ours = {compact_account(account.iban), compact_account(account.account_number)} - {""}
    if ours and compact_account(named) not in ours:
        raise StatementError(
            gettext(
                "This statement is for account %(named)s, not for %(account)s. Choose the "
                "right bank account."
            )
            % {"named": named, "account": ", ".join(sorted(ours))}
        )


def import_statement(
    bank_account: BankAccount,
    *,
    content: bytes,
    file_name: str,
    statement_format: str,
    layout=None,
    fee_tolerance: Decimal,
    acting_user,
) -> BankStatement:
    """Read `content`, match each credit to the entity's invoices and store the statement for
    review (nothing is booked). `layout` is the CSV layout (default: the account's saved
    one). Raises `StatementError` — and saves nothing — for a file too
    big, empty, unreadable, laid out otherwise than `layout` says, or for another account.

    Lines whose fingerprint is already booked (the same statement imported before and
    applied) are stored as "already booked" and left out of matching.
    """
    if len(content) > settings.BILLING_STATEMENT_MAX_BYTES:
        raise StatementError(
            gettext("The file is larger than %(size)d MB.")
            % {"size": settings.BILLING_STATEMENT_MAX_BYTES // (1024 * 1024)}
        )
    parsed = parse_statement(
        content,
        statement_format=statement_format,
        layout=layout or statement_settings(bank_account),
        currency=bank_account.currency,
    )
    _check_account(bank_account, parsed.account)
    account_key = _account_key(bank_account)
    seen = Counter()
    fingerprints = []
    for line in parsed.lines:
        identity = (line.booked_on, line.amount, line.currency, line.reference, line.bank_id)
        seen[identity] += 1
        fingerprints.append(line_fingerprint(account_key, line, seen[identity]))
    booked = set(
        Payment.objects.filter(
            external_id__in=[f"stmt:{each}" for each in fingerprints]
        ).values_list("external_id", flat=True)
    )
    matcher = Matcher(open_invoices(bank_account.entity), tolerance=fee_tolerance)

    lines, verdicts = [], []
    for position, (line, fingerprint) in enumerate(zip(parsed.lines, fingerprints, strict=True)):
        row = StatementLine(
            position=position + 1,
            booked_on=line.booked_on,
            amount=line.amount,
            currency=line.currency,
            reference=line.reference,
            counterparty=line.counterparty,
            bank_id=line.bank_id,
            fingerprint=fingerprint,
        )
        if f"stmt:{fingerprint}" in booked:
            row.outcome, verdict = Outcome.ALREADY_BOOKED, None
        else:
            verdict = matcher.match(
                amount=line.amount,
                currency=line.currency,
                text=line.reference,
                payer=line.counterparty,
            )
            row.outcome, row.basis, row.difference = (
                verdict.outcome,
                verdict.basis,
                verdict.difference,
            )
            row.include = verdict.outcome == Outcome.MATCHED
        lines.append(row)
        verdicts.append(verdict)

    with transaction.atomic():
        statement = BankStatement.objects.create(
            bank_account=bank_account,
            format=statement_format,
            file_name=file_name[:255],
            file_sha256=hashlib.sha256(content).hexdigest(),
            bank_statement_id=parsed.bank_statement_id,
            fee_tolerance=fee_tolerance,
            uploaded_by=acting_user,
        )
        for row in lines:
            row.statement = statement
        StatementLine.objects.bulk_create(lines, batch_size=1000)
        allocations, candidates = [], []
        through = StatementLine.candidates.through
        for row, verdict in zip(lines, verdicts, strict=True):
            if verdict is None:
                continue
            allocations += [
                StatementAllocation(line=row, invoice_id=pk, amount=amount)
                for pk, amount in verdict.allocations
            ]
            if verdict.outcome == Outcome.AMBIGUOUS:  # a matched line's are its allocations
                candidates += [
                    through(statementline_id=row.pk, invoice_id=pk) for pk in verdict.candidates
                ]
        StatementAllocation.objects.bulk_create(allocations, batch_size=1000)
        through.objects.bulk_create(candidates, batch_size=1000)
    return statement


def _editable_line(line: StatementLine) -> None:
    if line.statement.status != BankStatement.Status.REVIEW or line.applied_at:
        raise StatementError(gettext("This statement has been applied; it cannot change."))
    if line.outcome in (Outcome.ALREADY_BOOKED, Outcome.NOT_A_PAYMENT):
        raise StatementError(gettext("This line is not a payment to book."))


def choose_invoice(line: StatementLine, *, invoice: Invoice) -> StatementLine:
    """The reviewer says which invoice a line pays (an ambiguous or unmatched one, or a
    correction): the whole amount goes to it, and the line is marked for booking."""
    _editable_line(line)
    if (
        invoice.status != Invoice.Status.ISSUED
        or invoice.kind != Invoice.Kind.INVOICE
        or invoice.entity_id != line.statement.bank_account.entity_id
    ):
        raise StatementError(
            gettext("Invoice %(number)s is not an issued invoice of this account's entity.")
            % {"number": invoice.number or invoice.pk}
        )
    if invoice.currency != line.currency:
        raise StatementError(
            gettext("Invoice %(number)s is in %(currency)s, the transfer in %(line)s.")
            % {"number": invoice.number, "currency": invoice.currency, "line": line.currency}
        )
    with transaction.atomic():
        line.allocations.all().delete()
        StatementAllocation.objects.create(line=line, invoice=invoice, amount=line.amount)
        line.basis = StatementLine.Basis.REVIEWER
        line.include = True
        line.save(update_fields=["basis", "include"])
    return line


def set_included(line: StatementLine, *, include: bool) -> StatementLine:
    """Mark a line to be booked on apply, or not. A line without an invoice cannot be."""
    _editable_line(line)
    if include and not line.include and not StatementAllocation.objects.filter(line=line).exists():
        raise StatementError(
            gettext("Line %(line)d has no invoice yet: choose one first.") % {"line": line.position}
        )
    if line.include != include:
        line.include = include
        line.save(update_fields=["include"])
    return line


@dataclass(frozen=True)
class ApplyResult:
    lines_booked: int
    payments: int
    already_booked: int


def apply_statement(statement: BankStatement, *, acting_user) -> ApplyResult:
    """Book every line marked for booking through `record_payment` (method transfer, source
    statement), one payment per invoice the line pays; mark the statement applied.

    Idempotent per line: the first payment's `external_id` is the line's fingerprint
    (`stmt:<sha256>`), further ones add ":2", ":3". A line whose fingerprint is already
    booked — the same statement imported and applied before, or applied meanwhile by
    someone else — books nothing and is counted as already booked. One transaction: a
    failure books nothing. Side effects: `record_payment`'s (history rows, receipts through
    the outbox after commit).
    """
    with transaction.atomic():
        statement = BankStatement.objects.select_for_update().get(pk=statement.pk)
        if statement.status != BankStatement.Status.REVIEW:
            raise StatementError(gettext("This statement has already been applied."))
        lines = list(
            statement.lines.filter(include=True, applied_at__isnull=True)
            .exclude(outcome__in=[Outcome.ALREADY_BOOKED, Outcome.NOT_A_PAYMENT])
            .prefetch_related("allocations")
            .order_by("position")
        )
        invoice_ids = sorted({a.invoice_id for line in lines for a in line.allocations.all()})
        invoices = {
            invoice.pk: invoice
            for invoice in Invoice.objects.select_for_update()
            .filter(pk__in=invoice_ids)
            .order_by("pk")
        }
        booked_before = set(
            Payment.objects.filter(
                external_id__in=[line.external_id for line in lines]
            ).values_list("external_id", flat=True)
        )
        now = timezone.now()
        lines_booked = payments = already = 0
        for line in lines:
            booked = None
            if line.external_id not in booked_before:
                booked = _book_line(statement, line, invoices, acting_user=acting_user)
            if booked is None:
                line.outcome = Outcome.ALREADY_BOOKED
                line.save(update_fields=["outcome"])
                already += 1
                continue
            line.applied_at = now
            line.save(update_fields=["applied_at"])
            lines_booked += 1
            payments += booked
        statement.status = BankStatement.Status.APPLIED
        statement.applied_by = acting_user
        statement.applied_at = now
        statement.save(update_fields=["status", "applied_by", "applied_at"])
    return ApplyResult(lines_booked=lines_booked, payments=payments, already_booked=already)


def _book_line(statement, line, invoices, *, acting_user) -> int | None:
    """Book one line's allocations; return how many payments were made, or None when its
    fingerprint turned out to be booked meanwhile (another import of the statement, perhaps
    to another invoice): then nothing more is booked for it."""
    made = 0
    for number, allocation in enumerate(line.allocations.all(), start=1):
        payment, created = record_payment(
            invoices[allocation.invoice_id],
            amount=allocation.amount,
            received_on=line.booked_on,
            method=Payment.Method.TRANSFER,
            bank_reference=(line.bank_id or line.reference)[:200],
            source=Payment.Source.STATEMENT,
            external_id=line.external_id if number == 1 else f"{line.external_id}:{number}",
            acting_user=acting_user,
            note=gettext("Bank statement %(file)s, line %(line)d")
            % {"file": statement.file_name, "line": line.position},
        )
        if number == 1 and not created:
            return None
        allocation.payment = payment
        allocation.save(update_fields=["payment"])
        made += int(created)
    return made
