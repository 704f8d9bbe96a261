"""Payment references: short, typeable codes a payer copies into a transfer, e.g.
"MX26 4821 173" — the portal's letters, the year's last two digits, six random digits and a
Luhn check digit, so a mistyped digit or two swapped neighbours are caught when a bank
statement is read. Stored compactly ("MX264821173"), shown in groups of four."""

import re
import secrets

from django.conf import settings

_DIGITS_AFTER_PREFIX = 9  # two for the year, six random, one check


def _prefix() -> str:
    return settings.BILLING_REFERENCE_PREFIX


def luhn_check_digit(digits: str) -> str:
    """The digit that makes `digits` + it pass the Luhn test."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:  # doubled: these will sit in odd places once the check is appended
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def new_payment_reference(year: int) -> str:
    """A fresh random reference for an invoice of `year` (uniqueness is the caller's: the
    database constraint, with a retry)."""
    body = f"{year % 100:02d}{secrets.randbelow(10**6):06d}"
    return f"{_prefix()}{body}{luhn_check_digit(body)}"


def normalise_reference(text: str) -> str:
    """What a payer typed, compact: capitals, no spaces, dashes or dots."""
    return re.sub(r"[\s\-./]", "", text or "").upper()


def is_valid_reference(text: str) -> bool:
    """Whether `text` (spaces and case forgiven) is a well-formed reference with a right
    check digit."""
    compact = normalise_reference(text)
    prefix = _prefix()
    digits = compact[len(prefix) :]
    if not compact.startswith(prefix) or len(digits) != _DIGITS_AFTER_PREFIX:
        return False
    if not digits.isdigit():
        return False
    return luhn_check_digit(digits[:-1]) == digits[-1]


def find_references(text: str) -> list[str]:
    """Every valid reference in free text (a transfer's remittance line), compact, in order,
    without repeats; spaces, dashes and case inside a reference are forgiven."""
    prefix = re.escape(_prefix())
    separators = r"[\s\-./]*"
    pattern = prefix + "".join(separators + r"\d" for _ in range(_DIGITS_AFTER_PREFIX))
    found = []
    for match in re.finditer(pattern, text or "", flags=re.IGNORECASE):
        compact = normalise_reference(match.group(0))
        if is_valid_reference(compact) and compact not in found:
            found.append(compact)
    return found


def display_reference(compact: str) -> str:
    """ "MX264821173" → "MX26 4821 173"."""
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
