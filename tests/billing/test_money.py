"""Amounts rounded to each currency's minor units; payment references a payer can type."""

from decimal import Decimal

import pytest

from billing.money import percent_of, quantize
from billing.references import (
    display_reference,
    find_references,
    is_valid_reference,
    new_payment_reference,
    normalise_reference,
)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("100.5", "JPY", "101"),  # no minor unit, half up
        ("100.49", "JPY", "100"),
        ("350000.005", "KZT", "350000.01"),  # two, half up (not banker's rounding)
        ("10.005", "EUR", "10.01"),
        ("10.0049", "EUR", "10.00"),
        ("1.2345", "KWD", "1.235"),  # three
        ("-10.005", "EUR", "-10.01"),  # a credit note's amounts round away from zero too
    ],
)
def test_quantize_rounds_half_up_to_the_currencys_minor_units(amount, currency, expected):
    result = quantize(Decimal(amount), currency)
    assert result == Decimal(expected)
    assert str(result) == expected


def test_vat_on_a_yen_price_is_whole_yen():
    assert percent_of(Decimal("9999"), Decimal("10"), "JPY") == Decimal("1000")
    assert percent_of(Decimal("600"), Decimal("12"), "KZT") == Decimal("72.00")
    assert percent_of(Decimal("0.333"), Decimal("20"), "KWD") == Decimal("0.067")


def test_new_reference_is_valid_and_shown_in_groups_of_four():
    reference = new_payment_reference(2026)
    assert is_valid_reference(reference)
    assert reference.startswith("MX26")
    assert display_reference(reference) == f"{reference[:4]} {reference[4:8]} {reference[8:]}"


def test_a_mistyped_digit_or_swapped_neighbours_fail_the_check():
    reference = new_payment_reference(2026)
    digits = reference[2:]
    wrong_digit = reference[:5] + str((int(reference[5]) + 1) % 10) + reference[6:]
    assert not is_valid_reference(wrong_digit)
    i = next(i for i in range(2, len(digits)) if digits[i] != digits[i - 1])
    swapped = "MX" + digits[: i - 1] + digits[i] + digits[i - 1] + digits[i + 1 :]
    assert not is_valid_reference(swapped)


def test_references_are_found_in_a_transfer_text_whatever_the_spacing_and_case():
    first, second = new_payment_reference(2026), new_payment_reference(2026)
    spaced = display_reference(first).lower()
    dashed = "-".join([second[:4], second[4:8], second[8:]])
    text = f"Payment for invoices {spaced} and {dashed}, again {first}; not MX260000000"
    assert find_references(text) == [first, second]
    assert normalise_reference(f" {spaced} ") == first
