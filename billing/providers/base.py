"""The payment-provider interface: how a delegate pays an invoice (bank transfer, card
through Stripe Checkout, …) and how the provider tells us it was paid.

A provider is a plain object registered in `billing.providers.PROVIDERS`; views and
templates ask `enabled_providers()` and never name a provider themselves, so another one
(a Kazakh card acquirer, say) is a new module and a line in the registry.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpRequest

from ..models import Invoice


@dataclass(frozen=True)
class TransferInstructions:
    """What a payer types into their bank's transfer form."""

    beneficiary: str
    bank_name: str
    currency: str
    amount: Decimal
    reference: str  # the payment reference, in groups of four
    iban: str = ""
    bic: str = ""
    account_number: str = ""
    bank_code: str = ""
    beneficiary_code: str = ""


@dataclass(frozen=True)
class PaymentStart:
    """What starting a payment gives: a page to send the payer to, or instructions to show."""

    redirect_url: str = ""
    instructions: TransferInstructions | None = None
    details: dict = field(default_factory=dict)


class PaymentError(Exception):
    """A payment could not be started; `str(error)` is a translated sentence for the payer."""


class PaymentProvider(ABC):
    code: str
    name: str  # translatable, shown to the payer

    @abstractmethod
    def is_enabled(self) -> bool:
        """Whether the portal offers this provider now (keys configured, …)."""

    @abstractmethod
    def start_payment(self, invoice: Invoice, *, amount: Decimal, request: HttpRequest):
        """Begin paying `amount` of `invoice`; return a `PaymentStart`. Raises
        `PaymentError`."""
