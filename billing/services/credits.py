"""Credit notes: cancelling an issued invoice, in full or minus the event's cancellation
fee, and settling a cancelled or rejected registration's documents."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import User
from registrations.models import Registration

from ..models import BillingHistory, Invoice, InvoiceLine
from ..money import percent_of
from .invoicing import BillingError, discard_draft, event_billing, issue_invoice, record

Action = BillingHistory.Action


def credit_invoice(
    invoice: Invoice,
    *,
    acting_user: User | None,
    fee_percent: Decimal = Decimal("0"),
    reason: str = "",
) -> Invoice:
    """Cancel an issued invoice with a credit note, issued at once, and return it.

    The credit note repeats the invoice's lines with negative amounts; with `fee_percent`
    (the event's cancellation fee) a last, positive line keeps that share of the invoice's
    net, with VAT at the invoice's rate — so the credit note's gross is what the buyer no
    longer owes. Side effects, in order: the credit note and its lines; history rows on both
    documents; `issue_invoice` for the credit note. Raises `BillingError` for a draft or a
    credit note, or an invoice already credited.
    """
    fee_percent = Decimal(fee_percent)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.kind != Invoice.Kind.INVOICE or invoice.status != Invoice.Status.ISSUED:
            raise BillingError(gettext("Only an issued invoice can be credited."))
        if invoice.credit_notes.exclude(status=Invoice.Status.DISCARDED).exists():
            raise BillingError(gettext("This invoice has already been credited."))
        if not Decimal("0") <= fee_percent <= Decimal("100"):
            raise BillingError(gettext("The fee must be between 0 and 100 percent."))
        currency = invoice.currency
        lines = []
        for line in invoice.lines.all():
            lines.append(
                InvoiceLine(
                    position=line.position,
                    description=line.description,
                    quantity=-line.quantity,
                    unit_price=line.unit_price,
                    net=-line.net,
                    vat=-line.vat,
                    gross=-line.gross,
                )
            )
        if fee_percent:
            fee_net = percent_of(invoice.net, fee_percent, currency)
            fee_vat = percent_of(fee_net, invoice.vat_rate, currency)
            lines.append(
                InvoiceLine(
                    position=len(lines) + 1,
                    description=_fee_text(invoice.languages, fee_percent),
                    quantity=Decimal("1"),
                    unit_price=fee_net,
                    net=fee_net,
                    vat=fee_vat,
                    gross=fee_net + fee_vat,
                )
            )
        net = sum((line.net for line in lines), Decimal("0"))
        vat = sum((line.vat for line in lines), Decimal("0"))
        credit_note = Invoice.objects.create(
            kind=Invoice.Kind.CREDIT_NOTE,
            entity_id=invoice.entity_id,
            registration_id=invoice.registration_id,
            credits=invoice,
            year=timezone.localdate().year,
            buyer_name=invoice.buyer_name,
            buyer_organisation=invoice.buyer_organisation,
            buyer_address=invoice.buyer_address,
            buyer_country=invoice.buyer_country,
            buyer_vat_number=invoice.buyer_vat_number,
            buyer_email=invoice.buyer_email,
            currency=currency,
            net=net,
            vat_rate=invoice.vat_rate,
            vat=vat,
            gross=net + vat,
            reverse_charge=invoice.reverse_charge,
            vat_exempt=invoice.vat_exempt,
            languages=invoice.languages,
        )
        for line in lines:
            line.invoice = credit_note
        InvoiceLine.objects.bulk_create(lines)
        details = {"fee_percent": str(fee_percent), "reason": reason}
        record(credit_note, actor=acting_user, action=Action.DRAFTED, **details)
        record(
            invoice,
            actor=acting_user,
            action=Action.CREDITED,
            credit_note=credit_note.pk,
            **details,
        )
        credit_note = issue_invoice(credit_note, acting_user=acting_user)
    return credit_note


def settle_cancelled_registration(
    registration: Registration, *, acting_user: User | None
) -> list[Invoice]:
    """A registration was cancelled or rejected: discard its draft, and credit each issued
    invoice not yet credited; return the credit notes.

    The event's cancellation fee is kept only from money received: a cancelled registration
    that paid something (in full or in part) is credited minus the fee; one that paid nothing
    (a delegate who never paid, an automatic cancellation for non-payment, a rejection) is
    credited in full — nobody is chased for a fee on an unpaid invoice.
    """
    from ..selectors import payment_status

    credit_notes = []
    invoices = Invoice.objects.filter(registration=registration, kind=Invoice.Kind.INVOICE)
    for invoice in invoices.exclude(status=Invoice.Status.DISCARDED).order_by("pk"):
        if invoice.status == Invoice.Status.DRAFT:
            discard_draft(invoice, acting_user=acting_user, reason=registration.status)
            continue
        if invoice.credit_notes.exclude(status=Invoice.Status.DISCARDED).exists():
            continue
        paid_something = payment_status(registration).paid > 0
        fee = Decimal("0")
        if registration.status == Registration.Status.CANCELLED and paid_something:
            fee = event_billing(registration.event).cancellation_fee_percent
        credit_notes.append(
            credit_invoice(
                invoice, acting_user=acting_user, fee_percent=fee, reason=registration.status
            )
        )
    return credit_notes


def _fee_text(languages: list[str], fee_percent: Decimal) -> dict:
    texts = {}
    for language in languages:
        with translation.override(language):
            texts[language] = gettext("Cancellation fee (%(percent)s%%)") % {
                "percent": f"{fee_percent.normalize():f}"
            }
    return texts
