"""Rules about a registration's details that every entry point checks the same way.

The delegate's form, the change page, the admin's on-behalf form and the services (and so
the admin's change page) all ask `visa_letter_problems`, so the rule and its wording live
here once. It imports nothing from the app: models (the database constraint's message),
services and forms can all use it.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

VISA_LETTER_NEEDS_NATIONALITY = _("A visa invitation letter needs the nationality.")
VISA_LETTER_NEEDS_LATIN_NAME = _(
    "A visa invitation letter needs the name in Latin letters, as in the passport."
)

# `latin_name=UNKNOWN`: the caller cannot tell yet (the on-behalf form, where an empty field
# keeps the profile's value); the service checks it once the profile is known.
UNKNOWN = object()


def visa_letter_problems(
    *, visa_letter_needed: bool, nationality: str, latin_name: str | object = UNKNOWN
) -> dict[str, str]:
    """What is missing for a visa invitation letter, by field name (empty: nothing).

    The letter is addressed to a consulate, which matches it against the passport: it needs
    the nationality and the name in Latin letters.
    """
    if not visa_letter_needed:
        return {}
    problems = {}
    if not nationality:
        problems["nationality"] = VISA_LETTER_NEEDS_NATIONALITY
    if latin_name is not UNKNOWN and not latin_name:
        problems["latin_name"] = VISA_LETTER_NEEDS_LATIN_NAME
    return problems


def require_visa_letter_details(
    *, visa_letter_needed: bool, nationality: str, latin_name: str
) -> None:
    """Raise a `ValidationError` keyed by field when a visa letter lacks what it needs."""
    problems = visa_letter_problems(
        visa_letter_needed=visa_letter_needed, nationality=nationality, latin_name=latin_name
    )
    if problems:
        raise ValidationError(problems)
