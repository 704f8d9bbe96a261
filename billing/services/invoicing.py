"""Making, issuing, discarding and crediting invoices.

Lock order (docs/architecture.md): whatever registrations holds (user → event → category →
registration rows), then the invoice rows, then the entity's `InvoiceSequence` row, which is
held only from the number's assignment to the commit — so two issues for one entity queue for
the shortest possible time, and issues for different entities never wait for each other.

Category prices are **net**: VAT, where it applies, is added on top (the usual rule for
conference fees sold to businesses).
"""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import User
from pricing.selectors import price_lines
from pricing.services import early_bird_by_payment
from registrations.models import Registration

from .. import extensions
from ..models import (
    BillingDetails,
    BillingHistory,
    EventBilling,
    EventIssuer,
    Invoice,
    InvoiceLine,
    InvoiceSequence,
    IssuingEntity,
)
from ..money import percent_of, quantize
from ..references import new_payment_reference

logger = logging.getLogger(__name__)
Action = BillingHistory.Action


class BillingError(Exception):
    """A refusal a person can act on; `message` is translated."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class VatTreatment:
    rate: Decimal
    reverse_charge: bool = False
    exempt: bool = False


def vat_treatment(entity: IssuingEntity, *, buyer_country: str, buyer_vat_number: str):
    """Which VAT an entity charges a buyer: none when the entity is exempt; none, with
    "reverse charge" on the invoice, for a business with a VAT number in another country when
    the entity applies the reverse charge; otherwise the entity's rate."""
    if entity.vat_mode == IssuingEntity.VatMode.EXEMPT:
        return VatTreatment(Decimal("0"), exempt=True)
    foreign = bool(buyer_country) and str(buyer_country) != str(entity.country)
    if entity.reverse_charge_for_foreign_business and buyer_vat_number.strip() and foreign:
        return VatTreatment(Decimal("0"), reverse_charge=True)
    return VatTreatment(entity.vat_rate)


def due_date(event, *, issued_on: datetime.date, due_days: int) -> datetime.date:
    """`due_days` after issue, but never later than the day before the event starts (and never
    before the day of issue: an invoice issued during the event is due at once)."""
    latest = event.start_date - datetime.timedelta(days=1)
    return max(issued_on, min(issued_on + datetime.timedelta(days=due_days), latest))


def early_bird_payment_deadline(registration: Registration) -> datetime.date | None:
    """The last day an early-bird price must be paid by, when the registration's event
    decides the early bird by payment date and the registration was priced early bird
    (`pricing.services.early_bird_by_payment`); else None. The deadline's date in UTC."""
    if not registration.early_bird or not early_bird_by_payment(registration.event_id):
        return None
    deadline = registration.category.early_bird_deadline
    return deadline.astimezone(datetime.UTC).date() if deadline else None


def event_billing(event) -> EventBilling:
    """The event's billing rules, or the defaults (unsaved) when it has none."""
    try:
        return event.billing
    except EventBilling.DoesNotExist:
        return EventBilling(event=event)


def save_billing_details(registration: Registration, **details) -> BillingDetails:
    """Keep whom to invoice for `registration` (the registration form's billing section):
    `invoice_to`, `organisation`, `address`, `country`, `vat_number`."""
    billing_details, _created = BillingDetails.objects.update_or_create(
        registration=registration, defaults=details
    )
    return billing_details


def invoice_registration(
    registration: Registration,
    *,
    billing_details: dict | None = None,
    acting_user: User | None = None,
) -> Invoice | None:
    """Make the invoice for a registration in a paid category, and issue it if the
    registration is confirmed; return it (or the one it already has), or None.

    Nothing is made for a free category, a registration that holds no place (waitlisted:
    its invoice is made on promotion), or an event without an issuer for the currency (logged;
    the secretariat sees the registration as not invoiced). `billing_details` (the form's
    billing section), when given, is saved first for this and any later invoice.

    Side effects, in order: the billing details; the draft invoice with its line and a
    payment reference; a history row; for a confirmed registration, `issue_invoice`. Call
    inside the transaction that holds the registration row (registrations' signals do).
    """
    if registration.price <= 0:
        return None
    if billing_details and _worth_keeping(billing_details):
        save_billing_details(registration, **billing_details)
    if not registration.holds_place:
        return None
    issuer = (
        EventIssuer.objects.select_related("entity")
        .filter(event_id=registration.event_id, currency=registration.currency)
        .first()
    )
    if issuer is None:
        logger.warning(
            "No issuing entity for event %s in %s: registration %s not invoiced.",
            registration.event_id,
            registration.currency,
            registration.reference,
        )
        return None
    existing = (
        Invoice.objects.filter(registration=registration, kind=Invoice.Kind.INVOICE)
        .exclude(status=Invoice.Status.DISCARDED)
        .exclude(credit_notes__status=Invoice.Status.ISSUED)
        .first()
    )
    if existing is not None:
        invoice = existing
    else:
        invoice = _draft_invoice(registration, issuer.entity, acting_user=acting_user)
    if registration.status == Registration.Status.CONFIRMED and invoice.status == "draft":
        invoice = issue_invoice(invoice, acting_user=acting_user)
    return invoice


def _worth_keeping(details: dict) -> bool:
    """Whether the form's billing details say more than the default ("invoice to me", no
    address): the default is what a missing row means, so it costs no insert."""
    return details.get("invoice_to") == BillingDetails.InvoiceTo.ORGANISATION or any(
        details.get(name) for name in ("address", "country", "vat_number", "organisation")
    )


def _draft_invoice(
    registration: Registration, entity: IssuingEntity, *, acting_user: User | None
) -> Invoice:
    """A draft for the registration's price: one line per price line when the registration
    was priced by rules (`pricing.selectors.price_lines`: the category, its discounts, its
    add-ons), else one line for the category. VAT is computed per line and the invoice's
    VAT is the lines' sum, so the lines always add up to the totals."""
    buyer = _buyer(registration)
    treatment = vat_treatment(
        entity, buyer_country=buyer["buyer_country"], buyer_vat_number=buyer["buyer_vat_number"]
    )
    currency = registration.currency
    lines = []
    for position, price_line in enumerate(price_lines(registration), start=1):
        net = quantize(price_line.amount, currency)
        vat = percent_of(net, treatment.rate, currency)
        if price_line.pk is None:  # the category's price alone: the usual sentence
            description = _registration_line_text(registration, entity.languages)
        else:
            description = _price_line_text(price_line, entity.languages)
        lines.append(
            InvoiceLine(
                position=position,
                description=description,
                quantity=Decimal("1"),
                unit_price=net,
                net=net,
                vat=vat,
                gross=net + vat,
            )
        )
    net = sum((line.net for line in lines), Decimal("0"))
    vat = sum((line.vat for line in lines), Decimal("0"))
    invoice = Invoice(
        kind=Invoice.Kind.INVOICE,
        entity=entity,
        registration=registration,
        year=timezone.localdate().year,
        currency=currency,
        net=net,
        vat_rate=treatment.rate,
        vat=vat,
        gross=net + vat,
        reverse_charge=treatment.reverse_charge,
        vat_exempt=treatment.exempt,
        languages=entity.languages,
        **buyer,
    )
    _insert_with_payment_reference(invoice)
    for line in lines:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(lines)
    record(invoice, actor=acting_user, action=Action.DRAFTED, gross=str(invoice.gross))
    return invoice


def _buyer(registration: Registration) -> dict:
    details = BillingDetails.objects.filter(registration=registration).first()
    to_organisation = details is not None and details.invoice_to == "organisation"
    return {
        "buyer_name": registration.full_name,
        "buyer_organisation": details.organisation if to_organisation else "",
        "buyer_address": details.address if details else "",
        "buyer_country": (details.country if details and details.country else "")
        or registration.country,
        "buyer_vat_number": details.vat_number if to_organisation else "",
        "buyer_email": registration.email,
    }


def _registration_line_text(registration: Registration, languages: list[str]) -> dict:
    """The line's text in each of the invoice's languages, written now (a snapshot)."""
    event = registration.event
    texts = {}
    for language in languages:
        with translation.override(language):
            title = getattr(event, f"title_{language}", "") or event.title_en or event.title
            category = registration.category_name_in_language
            texts[language] = gettext("Registration for %(event)s: %(category)s") % {
                "event": title,
                "category": category,
            }
    return texts


def _price_line_text(price_line, languages: list[str]) -> dict:
    """A price line's text (kept by pricing in English, Russian and Kazakh) in each of the
    invoice's languages."""
    texts = {}
    for language in languages:
        with translation.override(language):
            texts[language] = price_line.description_in_language
    return texts


def _insert_with_payment_reference(invoice: Invoice) -> None:
    """Insert a new invoice with a fresh payment reference, drawing again on the rare clash."""
    for _attempt in range(10):
        invoice.payment_reference = new_payment_reference(invoice.year)
        try:
            with transaction.atomic():
                invoice.save(force_insert=True)
            return
        except IntegrityError as error:
            if "billing_invoice_payment_reference" not in str(error):
                raise
    raise RuntimeError("Could not draw a free payment reference in ten attempts.")


def issue_invoice(invoice: Invoice, *, acting_user: User | None) -> Invoice:
    """Issue a draft: give it the entity's next number for the year, the issue date and (for
    an invoice) the due date; from now on it is never changed.

    The number comes from the entity's `InvoiceSequence` row for the year, locked with
    `SELECT … FOR UPDATE` until the commit: numbers have no gap (a rolled-back issue rolls
    its number back too) and no duplicate. Lock order: the invoice row, then the sequence row.

    Side effects, in order: the sequence row; the invoice's number, status and dates; a
    history row; `extensions.document_issued` (the PDF and the e-mail hang off it). Raises
    `BillingError` unless the document is a draft.
    """
    with transaction.atomic():
        invoice = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("entity", "registration__event")
            .get(pk=invoice.pk)
        )
        if invoice.status != Invoice.Status.DRAFT:
            raise BillingError(gettext("Only a draft can be issued."))
        issued_on = timezone.localdate()
        invoice.year = issued_on.year
        invoice.sequence_number = _next_number(invoice.entity, issued_on.year)
        invoice.number = (
            f"{invoice.entity.invoice_prefix}-{issued_on.year}-{invoice.sequence_number:05d}"
        )
        invoice.status = Invoice.Status.ISSUED
        invoice.issued_on = issued_on
        if invoice.kind == Invoice.Kind.INVOICE:
            rules = event_billing(invoice.registration.event)
            invoice.due_on = due_date(
                invoice.registration.event, issued_on=issued_on, due_days=rules.payment_due_days
            )
            deadline = early_bird_payment_deadline(invoice.registration)
            if deadline is not None:  # the early-bird price holds only if paid by then
                invoice.due_on = max(issued_on, min(invoice.due_on, deadline))
        invoice.save(
            update_fields=["year", "sequence_number", "number", "status", "issued_on", "due_on"]
        )
        record(invoice, actor=acting_user, action=Action.ISSUED, number=invoice.number)
        extensions.document_issued.send(Invoice, invoice=invoice, actor=acting_user)
    return invoice


def _next_number(entity: IssuingEntity, year: int) -> int:
    # ON CONFLICT DO NOTHING makes the year's row without a savepoint or a race; the
    # SELECT … FOR UPDATE then queues every other issuer for this entity behind us.
    InvoiceSequence.objects.bulk_create(
        [InvoiceSequence(entity=entity, year=year, last_number=0)], ignore_conflicts=True
    )
    sequence = InvoiceSequence.objects.select_for_update().get(entity=entity, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def discard_draft(invoice: Invoice, *, acting_user: User | None, reason: str = "") -> Invoice:
    """Set a draft aside (its registration was rejected or cancelled before approval): it
    keeps its row and history, never gets a number. Raises `BillingError` unless a draft."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status != Invoice.Status.DRAFT:
            raise BillingError(gettext("Only a draft can be discarded."))
        invoice.status = Invoice.Status.DISCARDED
        invoice.save(update_fields=["status"])
        record(invoice, actor=acting_user, action=Action.DISCARDED, reason=reason)
    return invoice


def record(invoice: Invoice, *, actor: User | None, action: str, payment=None, **details):
    """A history row for `invoice` (billing's services only)."""
    return BillingHistory.objects.create(
        invoice=invoice, payment=payment, actor=actor, action=action, details=details
    )
