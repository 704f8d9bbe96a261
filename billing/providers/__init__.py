"""Ways to pay an invoice (`base.PaymentProvider`): bank transfer, and card through Stripe
Checkout when its keys are set. `enabled_providers()` is what views and templates offer."""

from .bank_transfer import BankTransferProvider
from .base import PaymentError, PaymentProvider, PaymentStart, TransferInstructions
from .stripe_checkout import StripeCheckoutProvider

PROVIDERS: dict[str, PaymentProvider] = {
    provider.code: provider for provider in (BankTransferProvider(), StripeCheckoutProvider())
}


def get_provider(code: str) -> PaymentProvider | None:
    """The provider named `code` if it is on, else None."""
    provider = PROVIDERS.get(code)
    return provider if provider is not None and provider.is_enabled() else None


def enabled_providers() -> list[PaymentProvider]:
    return [provider for provider in PROVIDERS.values() if provider.is_enabled()]


__all__ = [
    "PROVIDERS",
    "BankTransferProvider",
    "PaymentError",
    "PaymentProvider",
    "PaymentStart",
    "StripeCheckoutProvider",
    "TransferInstructions",
    "enabled_providers",
    "get_provider",
]
