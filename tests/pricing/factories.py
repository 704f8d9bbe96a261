"""Builders for pricing tests (and for the apps that use codes: addons, delegations)."""

import itertools
from decimal import Decimal

from pricing.models import Code
from pricing.services import create_codes

_sequence = itertools.count(1)


def make_code(event, code: str | None = None, **fields) -> Code:
    """A code for `event` made through pricing.services.create_codes: by default 10% off,
    any public category, unlimited uses, always valid."""
    values = {
        "code": code or f"CODE-{next(_sequence)}",
        "discount_kind": Code.Discount.PERCENT,
        "discount_value": Decimal("10"),
        "usage_limit": None,
    }
    values.update(fields)
    (made,) = create_codes(event, **values)
    return made


def make_free_code(event, categories=(), code: str = "GOV-2026", **fields) -> Code:
    """A free code unlocking `categories` (invite-only ones): a government invitation."""
    return make_code(event, code, discount_kind=Code.Discount.FREE, categories=categories, **fields)
