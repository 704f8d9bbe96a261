"""Country names in the visitor's language, in that language's alphabetical order.

django-countries sorts with the Unicode collation algorithm's default table (DUCET, through
pyuca), which puts Russian in order but not Kazakh: there Ё is a letter of its own, Ұ comes
before Ү, and І after Ы. The choices are built once per language and kept for the life of the
process: sorting ~250 names costs more than rendering the page that shows them.
"""

import functools
import unicodedata

import pyuca
from django.utils import translation
from django_countries import countries

# Kazakh letters placed differently from DUCET, each with the letter it follows: a word with
# one sorts after every word with that letter in the same place (Бутан < Біріккен...).
KAZAKH_LETTER_AFTER = {"ё": "е", "ү": "ұ", "і": "ы"}
# A primary weight above any DUCET assigns (implicit weights stay below 0x10000).
_AFTER_EVERY_LETTER = 0x10000


@functools.cache
def _collator() -> pyuca.Collator:
    return pyuca.Collator()  # reads DUCET (~0.4 s): once per process, when first needed


def collation_key(text: str, language: str) -> tuple[int, ...]:
    """The key that sorts `text` alphabetically for readers of `language`."""
    collator = _collator()
    if not language.startswith("kk"):
        return collator.sort_key(text)
    elements: list[list[int]] = []
    run = ""
    for char in unicodedata.normalize("NFC", text):
        follows = KAZAKH_LETTER_AFTER.get(char.lower())
        if follows is None:
            run += char
            continue
        elements += collator.collation_elements(unicodedata.normalize("NFD", run))
        run = ""
        base = collator.collation_elements(follows.upper() if char.isupper() else follows)
        elements += [*base, [_AFTER_EVERY_LETTER, base[0][1], base[0][2]]]
    elements += collator.collation_elements(unicodedata.normalize("NFD", run))
    return collator.sort_key_from_collation_elements(elements)


def sorted_by_name(choices, language: str) -> list[tuple[str, str]]:
    """(code, name) pairs in the alphabetical order of `language`."""
    return sorted(
        ((code, str(name)) for code, name in choices), key=lambda c: collation_key(c[1], language)
    )


@functools.cache
def country_choices_in(language: str) -> tuple[tuple[str, str], ...]:
    """Every country as (code, name) in `language`, alphabetically, after an empty choice.

    Cached per language: callers share one tuple, never re-sorted per request."""
    with translation.override(language):
        return (("", "—"), *sorted_by_name(countries, language))


def country_choices() -> tuple[tuple[str, str], ...]:
    """Country choices in the active language (a callable for `ChoiceField(choices=...)`,
    evaluated each time a form is built, so each visitor sees their own language)."""
    return country_choices_in(translation.get_language() or "en")
