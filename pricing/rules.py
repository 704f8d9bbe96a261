"""The pricing rules, declared in one place and applied in ONE order (docs/pricing.md):

1. the category's price, and its early-bird discount when the registration is made before
   the category's early-bird deadline (by registration date: the portal prices a
   registration when it is made, and an invoice issued at that price is never changed);
2. the sector rate (an NGO or academia rate for the category: `SectorRate`);
3. the group discount (N or more from one organisation or one delegation: `GroupDiscount`,
   the largest step reached);
4. the code (percent, fixed amount or free);
5. add-on places included in a sponsor package: each add-on line whose key is among
   `PricingInput.included_keys` is taken off again by a line of its own (the person holds one
   of the package's add-on places, e.g. its 2 gala places), so that add-on costs nothing.

How they combine (MINEX's terms): every percentage is taken of the category's full price
and percentages ADD — 10 % early bird and 10 % group make 20 %, never 19 %. The early-bird
price is turned into its own line (full price − early-bird price). A fixed code then takes
its amount off what is left, and a free code takes off all that is left. The registration
fee never goes below zero: a discount line is cut to what is left. Add-on lines (from the
providers registered with `pricing.extensions.add_line_provider`) come after the fee and are
not discounted by its rules.

This module only computes: no query, no write (`pricing.services` loads the rules and
stores the result).
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation
from django.utils.translation import gettext

from .models import PriceLine

Kind = PriceLine.Kind
CENT = Decimal("0.01")
HUNDRED = Decimal("100")
LANGUAGES = ("en", "ru", "kk")


@dataclass(frozen=True)
class QuoteLine:
    kind: str
    descriptions: dict  # {"en": …, "ru": …, "kk": …}
    amount: Decimal
    currency: str
    # What the line prices, for rules that act on one line (rule 5): "add_on:<id>".
    key: str = ""

    @property
    def description(self) -> str:
        language = (translation.get_language() or "en").split("-")[0]
        return self.descriptions.get(language) or self.descriptions["en"]


@dataclass(frozen=True)
class Quote:
    lines: list[QuoteLine]
    currency: str
    early_bird: bool = False

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0")).quantize(CENT)

    @property
    def has_rules(self) -> bool:
        """Whether anything but the category's own price (and its early bird) applies."""
        return any(line.kind not in (Kind.CATEGORY, Kind.EARLY_BIRD) for line in self.lines)


@dataclass(frozen=True)
class CodeTerms:
    """What the pricing rules need of a code."""

    code: str
    kind: str  # Code.Discount
    value: Decimal


@dataclass
class PricingInput:
    """Everything the rules read, loaded by the service (no model access here)."""

    category_name: dict  # {"en": …, "ru": …, "kk": …}
    price: Decimal
    currency: str
    early_bird_price: Decimal | None = None
    early_bird_deadline: datetime.datetime | None = None
    sector: str = ""
    sector_label: dict = field(default_factory=dict)  # {"en": "NGO", …}
    sector_percent: Decimal | None = None
    group_size: int = 1
    group_steps: list[tuple[int, Decimal]] = field(default_factory=list)  # (min size, %)
    code: CodeTerms | None = None
    extra_lines: list[QuoteLine] = field(default_factory=list)  # add-ons
    included_keys: frozenset = frozenset()  # lines a package includes (rule 5)


def add_on_key(add_on_id: int) -> str:
    """The key of an add-on's line (addons' line provider sets it; rule 5 reads it)."""
    return f"add_on:{add_on_id}"


def _in_languages(message: str, **params) -> dict:
    """A gettext message in each of the portal's languages, with `params` filled in
    (each param may itself be a {language: text} dict)."""
    texts = {}
    for language in LANGUAGES:
        with translation.override(language):
            values = {
                name: (value.get(language) or value.get("en")) if isinstance(value, dict) else value
                for name, value in params.items()
            }
            texts[language] = gettext(message) % values
    return texts


def _percent(price: Decimal, percent: Decimal) -> Decimal:
    return (price * percent / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def _format_percent(percent: Decimal) -> str:
    return f"{percent.normalize():f}"


def group_percent(steps: list[tuple[int, Decimal]], size: int) -> Decimal | None:
    """The percentage of the largest step a group of `size` reaches, or None."""
    reached = [percent for min_size, percent in steps if size >= min_size]
    return reached[-1] if reached else None


def quote(data: PricingInput, *, at: datetime.datetime) -> Quote:
    """Apply the rules in their order to `data` for a registration made at `at`."""
    currency = data.currency
    full = data.price.quantize(CENT)
    lines = [QuoteLine(Kind.CATEGORY, dict(data.category_name), full, currency)]
    left = full  # what the fee still costs, never below zero

    def discount(kind, descriptions, amount):
        nonlocal left
        amount = min(amount, left)
        if amount > 0:
            lines.append(QuoteLine(kind, descriptions, -amount, currency))
            left -= amount

    # 1. Early bird, by registration date.
    early_bird = (
        data.early_bird_price is not None
        and data.early_bird_deadline is not None
        and at < data.early_bird_deadline
    )
    if early_bird:
        discount(
            Kind.EARLY_BIRD,
            _in_languages("Early-bird discount"),
            full - data.early_bird_price.quantize(CENT),
        )
    # 2. Sector rate, and 3. group discount: percentages of the full price, added up.
    if data.sector_percent:
        percent = _format_percent(data.sector_percent)
        discount(
            Kind.SECTOR,
            _in_languages(
                "Sector rate: %(sector)s (−%(percent)s%%)",
                sector=data.sector_label,
                percent=percent,
            ),
            _percent(full, data.sector_percent),
        )
    group = group_percent(data.group_steps, data.group_size)
    if group:
        discount(
            Kind.GROUP,
            _in_languages(
                "Group discount (group of %(size)s: −%(percent)s%%)",
                size=data.group_size,
                percent=_format_percent(group),
            ),
            _percent(full, group),
        )
    # 4. The code.
    code = data.code
    if code is not None:
        if code.kind == "free":
            discount(Kind.CODE, _in_languages("Code %(code)s: free place", code=code.code), left)
        elif code.kind == "percent" and code.value:
            discount(
                Kind.CODE,
                _in_languages(
                    "Code %(code)s (−%(percent)s%%)",
                    code=code.code,
                    percent=_format_percent(code.value),
                ),
                _percent(full, code.value),
            )
        elif code.kind == "fixed" and code.value:
            discount(
                Kind.CODE,
                _in_languages("Code %(code)s", code=code.code),
                code.value.quantize(CENT),
            )
    lines.extend(data.extra_lines)
    # 5. Add-on places a package includes: the add-on's own line taken off again.
    for line in data.extra_lines:
        if line.key and line.key in data.included_keys and line.amount > 0:
            lines.append(
                QuoteLine(
                    Kind.INCLUDED,
                    _in_languages("%(add_on)s: included in the package", add_on=line.descriptions),
                    -line.amount,
                    line.currency,
                    key=line.key,
                )
            )
    return Quote(lines=lines, currency=currency, early_bird=early_bird)
