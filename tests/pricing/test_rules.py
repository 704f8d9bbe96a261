"""The pricing rules as a table: each row a real case from MINEX's terms, in the one order
of pricing.rules (category and early bird, sector rate, group discount, code, add-on places
a package includes)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from pricing.rules import CodeTerms, PricingInput, QuoteLine, quote

AT = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
DEADLINE_AHEAD = datetime.datetime(2026, 4, 1, tzinfo=datetime.UTC)
DEADLINE_PASSED = datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC)
NAME = {"en": "Delegate", "ru": "Делегат", "kk": "Делегат"}
NGO = {"en": "Non-governmental organisation", "ru": "НКО", "kk": "ҮЕҰ"}
GROUP_10 = [(3, Decimal("10"))]
GALA = QuoteLine("add_on", {"en": "Gala dinner"}, Decimal("120.00"), "EUR")
GALA_KEYED = QuoteLine("add_on", {"en": "Gala dinner"}, Decimal("120.00"), "EUR", key="add_on:7")
SITE_VISIT = QuoteLine("add_on", {"en": "Site visit"}, Decimal("80.00"), "EUR", key="add_on:8")


def _input(**fields) -> PricingInput:
    values = {"category_name": NAME, "price": Decimal("500"), "currency": "EUR"}
    values.update(fields)
    return PricingInput(**values)


def _early_bird(deadline=DEADLINE_AHEAD) -> dict:
    return {"early_bird_price": Decimal("450"), "early_bird_deadline": deadline}


CASES = {
    "category price alone": ({}, [("category", "500.00")], "500.00"),
    "10% early bird + 10% group (3 from one organisation) = 20%": (
        {**_early_bird(), "group_size": 3, "group_steps": GROUP_10},
        [("category", "500.00"), ("early_bird", "-50.00"), ("group", "-50.00")],
        "400.00",
    ),
    "early bird after its deadline does not apply": (
        {**_early_bird(DEADLINE_PASSED)},
        [("category", "500.00")],
        "500.00",
    ),
    "NGO rate (30% off)": (
        {"sector": "ngo", "sector_label": NGO, "sector_percent": Decimal("30")},
        [("category", "500.00"), ("sector", "-150.00")],
        "350.00",
    ),
    "NGO rate + early bird + group add up (30 + 10 + 10 = 50%)": (
        {
            **_early_bird(),
            "sector": "ngo",
            "sector_label": NGO,
            "sector_percent": Decimal("30"),
            "group_size": 4,
            "group_steps": GROUP_10,
        },
        [("category", "500.00"), ("early_bird", "-50.00"), ("sector", "-150.00"),
         ("group", "-50.00")],
        "250.00",
    ),
    "free government place (free code)": (
        {**_early_bird(), "code": CodeTerms("GOV-2026", "free", Decimal("0"))},
        [("category", "500.00"), ("early_bird", "-50.00"), ("code", "-450.00")],
        "0.00",
    ),
    "group below its minimum size gets nothing": (
        {"group_size": 2, "group_steps": GROUP_10},
        [("category", "500.00")],
        "500.00",
    ),
    "the largest group step reached applies": (
        {"group_size": 6, "group_steps": [(3, Decimal("10")), (5, Decimal("15"))]},
        [("category", "500.00"), ("group", "-75.00")],
        "425.00",
    ),
    "percent code adds to the early bird (10 + 25 = 35%)": (
        {**_early_bird(), "code": CodeTerms("PARTNER25", "percent", Decimal("25"))},
        [("category", "500.00"), ("early_bird", "-50.00"), ("code", "-125.00")],
        "325.00",
    ),
    "fixed code comes off what is left": (
        {**_early_bird(), "code": CodeTerms("MINUS100", "fixed", Decimal("100"))},
        [("category", "500.00"), ("early_bird", "-50.00"), ("code", "-100.00")],
        "350.00",
    ),
    "a fee never goes below zero": (
        {"sector_percent": Decimal("60"), "sector": "ngo", "sector_label": NGO,
         "code": CodeTerms("BIG", "fixed", Decimal("900"))},
        [("category", "500.00"), ("sector", "-300.00"), ("code", "-200.00")],
        "0.00",
    ),
    "percentages above 100 in sum stop at a free fee": (
        {"sector_percent": Decimal("70"), "sector": "ngo", "sector_label": NGO,
         "code": CodeTerms("HALF", "percent", Decimal("50"))},
        [("category", "500.00"), ("sector", "-350.00"), ("code", "-150.00")],
        "0.00",
    ),
    "add-ons come after the code and are not discounted by it": (
        {"code": CodeTerms("GOV-2026", "free", Decimal("0")), "extra_lines": [GALA]},
        [("category", "500.00"), ("code", "-500.00"), ("add_on", "120.00")],
        "120.00",
    ),
    "a package's gala place: the add-on line taken off again (rule 5)": (
        {"code": CodeTerms("PKG-GOLD", "free", Decimal("0")),
         "extra_lines": [GALA_KEYED, SITE_VISIT], "included_keys": frozenset({"add_on:7"})},
        [("category", "500.00"), ("code", "-500.00"), ("add_on", "120.00"),
         ("add_on", "80.00"), ("included", "-120.00")],
        "80.00",
    ),
    "an unlock-only code (0%) adds no line": (
        {"code": CodeTerms("SPEAKER", "percent", Decimal("0"))},
        [("category", "500.00")],
        "500.00",
    ),
    "cents round half up": (
        {"price": Decimal("333.33"), "code": CodeTerms("TEN", "percent", Decimal("10"))},
        [("category", "333.33"), ("code", "-33.33")],
        "300.00",
    ),
}  # fmt: skip


@pytest.mark.parametrize(("fields", "lines", "total"), CASES.values(), ids=CASES.keys())
def test_price_table(fields, lines, total):
    result = quote(_input(**fields), at=AT)

    assert [(line.kind, str(line.amount)) for line in result.lines] == lines
    assert str(result.total) == total
    assert all(line.currency == "EUR" for line in result.lines)


def test_lines_are_described_in_each_language():
    result = quote(_input(**_early_bird(), code=CodeTerms("GOV-2026", "free", Decimal("0"))), at=AT)

    category, early_bird, code = result.lines
    assert category.descriptions == NAME
    assert early_bird.descriptions["en"] == "Early-bird discount"
    assert code.descriptions["en"] == "Code GOV-2026: free place"
    with translation.override("ru"):
        assert category.description == "Делегат"


def test_the_quote_says_whether_the_early_bird_applied():
    assert quote(_input(**_early_bird()), at=AT).early_bird is True
    assert quote(_input(**_early_bird(DEADLINE_PASSED)), at=AT).early_bird is False
