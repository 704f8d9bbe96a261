"""Where each app declares the personal data it holds, so "download my data" and "delete my
account" (`privacy/`) reach every app, including apps added later.

A source is registered once, from its app's `AppConfig.ready()`:

    from minex.personal_data import PersonalDataSource, register_source

    register_source(PersonalDataSource(
        name="checkin", label=_("Check-in"), order=60,
        export=checkin_personal_data,        # (user) -> JSON-able value (ids, text, ISO dates)
        erase=erase_checkin_personal_data,   # (user, *, now) -> {"what": how many}
    ))

Why here (`minex/`, the shared helpers every app may import) and not in `privacy/`: the apps
register into this module and `privacy` reads it, so no app imports `privacy` and imports stay
one way — `mail` included, which may not import `accounts`. `privacy/sources.py` registers the
sources of the apps that existed when it was written; a later app registers its own, from its
own `personal_data.py` (pricing, addons, delegations, checkin, api do), with `plain`/`row`
below for JSON values.

Rules for a source: `export` returns only what the portal holds about that user (their own
rows, the values they gave); `erase` runs inside the deletion's transaction, after the user's
row is locked and before the account itself is anonymised (lower `order` first, `accounts`
last), wipes or anonymises what it may and keeps what the law requires (say which in its
`kept` text, shown on the export page and the privacy page), and must be idempotent.
"""

import datetime
import decimal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PersonalDataSource:
    name: str
    label: Any  # a lazy translation
    export: Callable[..., Any]
    erase: Callable[..., dict]
    order: int = 100
    # What this source keeps after an account's deletion, and why (a lazy translation).
    kept: Any = ""


_sources: dict[str, PersonalDataSource] = {}


def register_source(source: PersonalDataSource) -> None:
    """Register (or, with the same name, replace: `ready()` may run twice in tests)."""
    _sources[source.name] = source


def registered_sources() -> list[PersonalDataSource]:
    """Every source, in erase order (`order`, then name)."""
    return sorted(_sources.values(), key=lambda source: (source.order, source.name))


def plain(value):
    """A model value as JSON: dates in ISO 8601, countries and phones as their codes."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return value
    return str(value)


def row(instance, fields) -> dict:
    """`fields` of a model instance, each as `plain` JSON."""
    return {name: plain(getattr(instance, name)) for name in fields}
