"""Bank transfer: instructions (the entity's account in the invoice's currency and the
payment reference); the money is booked when the bank statement is imported."""

from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import BankAccount, Invoice
from .base import PaymentError, PaymentProvider, PaymentStart, TransferInstructions


def receiving_account(invoice: Invoice) -> BankAccount | None:
    """The issuing entity's account for the invoice's currency: the default one first."""
    return (
        BankAccount.objects.filter(entity_id=invoice.entity_id, currency=invoice.currency)
        .order_by("-is_default", "pk")
        .first()
    )


def transfer_instructions(invoice: Invoice, account: BankAccount, amount: Decimal):
    return TransferInstructions(
        beneficiary=invoice.entity.legal_name,
        bank_name=account.bank_name,
        currency=invoice.currency,
        amount=amount,
        reference=invoice.payment_reference_display,
        iban=account.iban,
        bic=account.bic,
        account_number=account.account_number,
        bank_code=account.bank_code,
        beneficiary_code=account.beneficiary_code,
    )


class BankTransferProvider(PaymentProvider):
    code = "transfer"
    name = _("Bank transfer")

    def is_enabled(self) -> bool:
        return True

    def start_payment(self, invoice, *, amount: Decimal, request=None) -> PaymentStart:
        account = receiving_account(invoice)
        if account is None:
            raise PaymentError(
                gettext("The bank details are not available yet; the secretariat will send them.")
            )
        return PaymentStart(instructions=transfer_instructions(invoice, account, amount))
