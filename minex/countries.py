"""Country names in the visitor's language, in that language's alphabetical order.

django-countries sorts with the Unicode collation algorithm's default table (DUCET, through
pyuca), which puts Russian in order but not Kazakh: there Ё is a letter of its own, Ұ comes
before Ү, and І after Ы. The choices are built once per language and kept for the life of the
process: sorting ~250 names costs more than rendering the page that shows them.
"""

import functools
import unicodedata

import pyuca
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django_countries import countries
from django_countries.fields import CountryField

from .widgets import LongSelect

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


@functools.cache
def country_codes() -> frozenset[str]:
    """Every country's code (the same in every language): what a country value may be."""
    return frozenset(code for code, _name in country_choices_in("en") if code)


class CountryChoiceField(forms.ChoiceField):
    """A country chosen from `country_choices`, checked against the set of codes.

    ChoiceField checks a value by walking its choices, which for a callable means building
    and normalising all ~250 of them again: about a millisecond per field on every POST."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", LongSelect)
        super().__init__(choices=country_choices, **kwargs)

    def valid_value(self, value) -> bool:
        return str(value) in country_codes()


def full_clean(instance, *, exclude=(), **options) -> None:
    """`instance.full_clean(exclude=..., **options)`, with its country fields checked against
    the set of country codes.

    Django checks a model field with choices by walking them, and django-countries builds its
    ~250 translated choices for every check: about a millisecond per country field, several
    times per registration (the profile's two, the registration's two). The result is the
    same: an unknown code is the field's own "not a valid choice" error, an empty one is
    refused only where the field is not blank=True."""
    countries_fields = [
        field
        for field in instance._meta.concrete_fields
        if isinstance(field, CountryField) and field.name not in exclude
    ]
    errors: dict = {}
    try:
        instance.full_clean(
            exclude={*exclude, *(field.name for field in countries_fields)}, **options
        )
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    for field in countries_fields:
        code = str(getattr(instance, field.attname) or "")
        if code and code not in country_codes():
            problem = ValidationError(
                field.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": code},
            )
        elif not code and not field.blank:
            problem = ValidationError(field.error_messages["blank"], code="blank")
        else:
            continue
        errors.setdefault(field.name, []).append(problem)
    if errors:
        raise ValidationError(errors)
