"""The columns an attendee export can hold: a name, a translated header, and two ways to compute
the value, which the tests keep in agreement:

- `value(registration, context)`: in Python, for XLSX and for CSV on any database;
- `expression(context)`: the same value as SQL, for CSV through PostgreSQL's `COPY ... TO
  STDOUT`, the fast path (no Python per row).

Both run with the header language active (`translation.override`), so statuses, countries and
yes/no come out in the organiser's language. Dates are the event's local time, naive: the
attendee list is read by people at the venue, and openpyxl refuses aware datetimes; so the
header of every date column names the event's time zone (`Column.header`).
"""

import datetime
import json
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, CharField, F, Func, Value, When
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from django_countries import countries

from accounts.models import DelegateProfile
from registrations.models import Registration

# A column's kind decides how it is written and neutralised (see writers.py).
TEXT = "text"
PHONE = "phone"
DATETIME = "datetime"


@dataclass(frozen=True)
class ExportContext:
    """What every value needs besides the registration; built with the header language active."""

    time_zone: zoneinfo.ZoneInfo
    language: str
    yes: str
    no: str
    # Translated labels of codes ("status", "title", "language", "country"), looked up once
    # per export: a per-row get_FOO_display() translates the whole list of choices each time.
    labels: dict[str, dict[str, str]]
    # Category names in the header language, filled in as rows come (few categories).
    category_names: dict[int, str] = field(default_factory=dict)

    @classmethod
    def for_event(cls, event) -> "ExportContext":
        return cls(
            time_zone=event.tz,
            language=get_language(),
            yes=_("Yes"),
            no=_("No"),
            labels={
                "status": _choice_labels(Registration.Status.choices),
                "title": _choice_labels(DelegateProfile.Title.choices),
                "language": _choice_labels(settings.LANGUAGES),
                "country": _country_labels(),
            },
        )


@dataclass(frozen=True)
class Column:
    name: str
    label: Promise
    value: Callable[[Registration, ExportContext], object]
    expression: Callable[[ExportContext], object]
    fields: tuple[str, ...]
    kind: str = TEXT
    default: bool = True
    shareable: bool = False
    # Special personal data (passport name, nationality, phone, dietary and accessibility
    # needs): only for holders of `accounts.view_special_personal_data`, decided per request.
    special: bool = False
    # Annotations the Python value reads instead of model fields: a code as plain text skips
    # the field's converter (parsing every phone number again costs more than the export).
    annotations: dict = field(default_factory=dict)
    # A typical value's length in characters: the XLSX column's width when the values cannot
    # be measured in SQL first (see writers.measure).
    width: int = 20

    def header(self, context: ExportContext) -> str:
        """The header in the active language; a date column's names the event's time zone,
        the one its values are in: "Registered at (Asia/Almaty)"."""
        if self.kind == DATETIME:
            return _("%(column)s (%(time_zone)s)") % {
                "column": self.label,
                "time_zone": context.time_zone.key,
            }
        return str(self.label)


# SQL building blocks (PostgreSQL only: the COPY path) --------------------------------------


class Label(Func):
    """A code's translated label, looked up in a JSON object built once per export:
    `('{"KZ": "Казахстан", ...}'::jsonb ->> country)`. PostgreSQL folds the constant once, so
    this is one hash lookup per row, not a 250-branch CASE."""

    template = "(CAST(%(expressions)s)"
    arg_joiner = " AS jsonb) ->> "
    output_field = CharField()

    def __init__(self, labels: dict[str, str], expression, **extra):
        super().__init__(Value(json.dumps(labels, ensure_ascii=False)), expression, **extra)


class LocalTimeText(Func):
    """`to_char(moment AT TIME ZONE 'Asia/Almaty', 'YYYY-MM-DD HH24:MI:SS')`."""

    template = "to_char(%(expressions)s, 'YYYY-MM-DD HH24:MI:SS')"
    arg_joiner = " AT TIME ZONE "
    output_field = CharField()

    def __init__(self, expression, time_zone: str, **extra):
        super().__init__(expression, Value(time_zone), **extra)


def _text(name: str):
    return lambda context: F(name)


def _choice_labels(choices) -> dict[str, str]:
    return {str(code): str(label) for code, label in choices}


def _country_labels() -> dict[str, str]:
    return {code: str(name) for code, name in countries}


def _yes_no(name: str):
    return lambda context: Case(
        When(**{name: True}, then=Value(context.yes)),
        default=Value(context.no),
        output_field=CharField(),
    )


# Python values --------------------------------------------------------------------------


def _local(moment: datetime.datetime | None, context: ExportContext):
    if moment is None:
        return None
    # To the second, as the CSV has it (a spreadsheet keeps no microseconds anyway).
    return moment.astimezone(context.time_zone).replace(tzinfo=None, microsecond=0)


def _category_name_value(registration: Registration, context: ExportContext) -> str:
    name = context.category_names.get(registration.category_id)
    if name is None:
        name = context.category_names[registration.category_id] = registration.category.name
    return name


def _category_name(context: ExportContext):
    language = context.language if context.language in dict(settings.LANGUAGES) else "en"
    return Coalesce(
        NullIf(F(f"category__name_{language}"), Value("")),
        NullIf(F("category__name_en"), Value("")),
        F("category__name"),
        output_field=CharField(),
    )


COLUMNS: dict[str, Column] = {
    column.name: column
    for column in [
        Column(
            "reference",
            gettext_lazy("Reference"),
            lambda r, c: r.reference,
            _text("reference"),
            ("reference",),
            width=14,
        ),
        Column(
            "status",
            gettext_lazy("Status"),
            lambda r, c: c.labels["status"].get(r.status, r.status),
            lambda c: Label(c.labels["status"], F("status")),
            ("status",),
            width=18,
        ),
        Column(
            "category",
            gettext_lazy("Category"),
            _category_name_value,
            _category_name,
            tuple(f"category__name_{code}" for code, _name in settings.LANGUAGES)
            + ("category__name",),
            width=20,
        ),
        Column(
            "title",
            pgettext_lazy("person", "Title"),
            lambda r, c: c.labels["title"].get(r.title, r.title),
            lambda c: Label(c.labels["title"], F("title")),
            ("title",),
            default=False,
            width=6,
        ),
        Column(
            "first_name",
            gettext_lazy("First name"),
            lambda r, c: r.first_name,
            _text("first_name"),
            ("first_name",),
            shareable=True,
            width=14,
        ),
        Column(
            "last_name",
            gettext_lazy("Last name"),
            lambda r, c: r.last_name,
            _text("last_name"),
            ("last_name",),
            shareable=True,
            width=16,
        ),
        # Ticked by default, as badges and visa letters need it; being special personal data,
        # it is offered (and so ticked) only to those who may see it (ExportForm).
        Column(
            "latin_name",
            gettext_lazy("Name in Latin letters"),
            lambda r, c: r.latin_name,
            _text("latin_name"),
            ("latin_name",),
            special=True,
            width=24,
        ),
        Column(
            "email",
            gettext_lazy("E-mail"),
            lambda r, c: r.email,
            _text("email"),
            ("email",),
            width=28,
        ),
        Column(
            "job_title",
            gettext_lazy("Job title"),
            lambda r, c: r.job_title,
            _text("job_title"),
            ("job_title",),
            shareable=True,
            width=24,
        ),
        Column(
            "organisation",
            gettext_lazy("Organisation"),
            lambda r, c: r.organisation,
            _text("organisation"),
            ("organisation",),
            shareable=True,
            width=28,
        ),
        Column(
            "country",
            gettext_lazy("Country"),
            lambda r, c: c.labels["country"].get(r.export_country, ""),
            lambda c: Label(c.labels["country"], F("country")),
            (),
            shareable=True,
            annotations={"export_country": Cast("country", CharField())},
            width=16,
        ),
        Column(
            "phone",
            gettext_lazy("Phone"),
            lambda r, c: r.export_phone,
            _text("phone"),
            (),
            kind=PHONE,
            annotations={"export_phone": Cast("phone", CharField())},
            special=True,
            width=16,
        ),
        Column(
            "nationality",
            gettext_lazy("Nationality"),
            lambda r, c: c.labels["country"].get(r.export_nationality, ""),
            lambda c: Label(c.labels["country"], F("nationality")),
            (),
            default=False,
            annotations={"export_nationality": Cast("nationality", CharField())},
            special=True,
            width=16,
        ),
        Column(
            "visa_letter_needed",
            gettext_lazy("Visa letter needed"),
            lambda r, c: c.yes if r.visa_letter_needed else c.no,
            _yes_no("visa_letter_needed"),
            ("visa_letter_needed",),
            default=False,
            width=5,
        ),
        Column(
            "dietary_needs",
            gettext_lazy("Dietary needs"),
            lambda r, c: r.dietary_needs,
            _text("dietary_needs"),
            ("dietary_needs",),
            default=False,
            special=True,
            width=24,
        ),
        Column(
            "accessibility_needs",
            gettext_lazy("Accessibility needs"),
            lambda r, c: r.accessibility_needs,
            _text("accessibility_needs"),
            ("accessibility_needs",),
            default=False,
            special=True,
            width=24,
        ),
        Column(
            "consent_attendee_list",
            gettext_lazy("Agreed to be listed"),
            lambda r, c: c.yes if r.consent_attendee_list else c.no,
            _yes_no("consent_attendee_list"),
            ("consent_attendee_list",),
            default=False,
            width=5,
        ),
        Column(
            "consent_marketing",
            gettext_lazy("Accepts news"),
            lambda r, c: c.yes if r.consent_marketing else c.no,
            _yes_no("consent_marketing"),
            ("consent_marketing",),
            default=False,
            width=5,
        ),
        Column(
            "registered_at",
            gettext_lazy("Registered at"),
            lambda r, c: _local(r.created_at, c),
            lambda c: LocalTimeText(F("created_at"), c.time_zone.key),
            ("created_at",),
            kind=DATETIME,
            width=19,
        ),
        Column(
            "checked_in_at",
            gettext_lazy("Checked in at"),
            lambda r, c: _local(r.checked_in_at, c),
            lambda c: LocalTimeText(F("checked_in_at"), c.time_zone.key),
            ("checked_in_at",),
            kind=DATETIME,
            default=False,
            width=19,
        ),
        Column(
            "language",
            gettext_lazy("Language"),
            lambda r, c: c.labels["language"].get(r.language, r.language),
            lambda c: Label(c.labels["language"], F("language")),
            ("language",),
            default=False,
            width=10,
        ),
    ]
}

DEFAULT_COLUMNS = [name for name, column in COLUMNS.items() if column.default]
SHAREABLE_COLUMNS = [name for name, column in COLUMNS.items() if column.shareable]


def allowed_column_names(names, *, special_personal_data: bool) -> list[str]:
    """`names` in the registry's order, unknown names and — unless `special_personal_data`
    — the columns of special personal data dropped. The view calls this at request time and
    stores the result, so a background task only ever builds the columns allowed then."""
    wanted = set(names)
    return [
        name
        for name, column in COLUMNS.items()
        if name in wanted and (special_personal_data or not column.special)
    ]


def columns_named(names) -> list[Column]:
    """The columns for `names`, in the registry's order (unknown names are dropped)."""
    wanted = set(names)
    return [column for name, column in COLUMNS.items() if name in wanted]
