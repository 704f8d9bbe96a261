"""Amounts of money as a reader of the page's language writes them: `€950.00` in English,
`950,00 €` in Russian and Kazakh (CLDR's patterns through Babel), with the currency's ISO 4217
minor units (two for the tenge, the euro, the pound and the dollar)."""

import re
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency
from django import template
from django.conf import settings
from django.utils import translation

register = template.Library()

# CLDR's currency spacing, which Babel does not apply: a code written in letters ("KZT") is
# kept apart from the digits by a no-break space ("KZT 950.00", not "KZT950.00").
_LETTER_AGAINST_DIGIT = re.compile(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")
NO_BREAK_SPACE = "\u00a0"


def _babel_locale(language: str) -> Locale:
    try:
        return Locale.parse(translation.to_locale(language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(translation.to_locale(settings.LANGUAGE_CODE))


def format_money(amount: Decimal | int | str | None, currency: str, language: str = "") -> str:
    """`amount` in `currency`, written for `language` (the active language by default)."""
    if amount in (None, ""):
        return ""
    locale = _babel_locale(language or translation.get_language() or settings.LANGUAGE_CODE)
    text = format_currency(Decimal(amount), currency, locale=locale)
    return _LETTER_AGAINST_DIGIT.sub(NO_BREAK_SPACE, text)


@register.filter
def money(amount, currency: str) -> str:
    """`{{ registration.price|money:registration.currency }}` in the active language."""
    return format_money(amount, currency)
