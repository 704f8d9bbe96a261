"""Amounts of money as billing stores and computes them: `Decimal`, rounded to the currency's
ISO 4217 minor units (none for the yen, two for the euro and the tenge, three for the Kuwaiti
dinar; Babel's CLDR data), half up as accountants round. Every amount billing writes goes
through `quantize`; how an amount is *shown* is `registrations.templatetags.money`."""

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import get_currency_precision

# The database columns hold up to three decimal places (the Kuwaiti dinar's); no currency in
# ISO 4217 has more.
MAX_DECIMAL_PLACES = 3
MAX_DIGITS = 14


def minor_units(currency: str) -> int:
    """How many decimal places `currency` has (ISO 4217): JPY 0, EUR 2, KWD 3."""
    return get_currency_precision(currency)


def quantize(amount: Decimal | int | str, currency: str) -> Decimal:
    """`amount` rounded half up to `currency`'s minor units: `quantize("10.005", "EUR")` is
    `Decimal("10.01")`, `quantize("100.5", "JPY")` is `Decimal("101")`."""
    exponent = Decimal(1).scaleb(-minor_units(currency))
    return Decimal(amount).quantize(exponent, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal, currency: str) -> Decimal:
    """`percent` % of `amount`, rounded for `currency` (VAT, a cancellation fee)."""
    return quantize(Decimal(amount) * Decimal(percent) / Decimal(100), currency)
