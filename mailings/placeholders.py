"""A mailing's placeholders: checked line by line when written, filled in per recipient.

The secretariat writes plain text with ``{{ name }}`` placeholders. This is deliberately not
Django's template language: a text typed in the admin must not reach attributes, tags or
filters. A placeholder outside the known set, a ``{{`` without its ``}}``, a stray ``}}`` or a
template tag (``{% … %}``) is refused with the line it is on.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PLACEHOLDERS = {
    "first_name": gettext_lazy("the delegate's first name"),
    "last_name": gettext_lazy("the delegate's last name"),
    "full_name": gettext_lazy("the delegate's full name"),
    "greeting": gettext_lazy("the salutation, e.g. “Dear Dr Nurlanova,”"),
    "reference": gettext_lazy("the registration's reference"),
    "event": gettext_lazy("the event's title"),
    "event_dates": gettext_lazy("the event's dates"),
    "venue": gettext_lazy("the event's venue and city"),
    "registration_link": gettext_lazy("a link to the delegate's registration page"),
}

_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def check_template(text: str) -> list[str]:
    """The problems in ``text``, each naming its line (empty when it is fine)."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _PLACEHOLDER.finditer(line):
            name = match.group(1)
            if name not in PLACEHOLDERS:
                problems.append(
                    _("Line %(line)d: unknown placeholder “%(placeholder)s”. Known: %(known)s.")
                    % {
                        "line": number,
                        "placeholder": match.group(0),
                        "known": ", ".join(sorted(PLACEHOLDERS)),
                    }
                )
        rest = _PLACEHOLDER.sub("", line)
        if "{{" in rest:
            problems.append(_("Line %(line)d: “{{” is not closed with “}}”.") % {"line": number})
        elif "}}" in rest:
            problems.append(_("Line %(line)d: “}}” without an opening “{{”.") % {"line": number})
        if "{%" in rest or "%}" in rest:
            problems.append(
                _("Line %(line)d: template tags ({%% … %%}) are not allowed, only placeholders.")
                % {"line": number}
            )
    return problems


def validate_template(text: str) -> None:
    """Raise ValidationError listing every problem (with its line) in ``text``."""
    problems = check_template(text)
    if problems:
        raise ValidationError(problems)


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with each placeholder replaced by its value (a checked text has no others)."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), ""), text)
