"""The rules of a visa invitation: when a petition can be filed, and what a request must hold.

Pure functions of dates and values (no database): the delegate's form, the services and
the secretariat's digest all ask them, so each rule and its wording live here once. Dates
are calendar days on the event's clock: "today" is the event's local date
(`today_on_event_clock`), whatever the delegate's or the server's time zone.
"""

import datetime
import enum
import re
import zoneinfo
from calendar import monthrange
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

# A passport must be valid this many months after the planned exit (the usual consular rule).
PASSPORT_VALID_MONTHS_AFTER_EXIT = 6

# Names as printed in the passport's Latin line: letters A–Z, separated by single spaces,
# hyphens or apostrophes.
_LATIN_NAME = re.compile(r"\A[A-Za-z]+(?:[ '’\-][A-Za-z]+)*\Z")
# Places and authorities as printed (Latin letters, digits, spaces and . , ( ) / - ').
_LATIN_TEXT = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9 .,()/'’\-]*\Z")
_PASSPORT_NUMBER = re.compile(r"\A[A-Z0-9]{5,20}\Z")

LATIN_NAME_MESSAGE = _(
    "Write this as in your passport, in Latin letters: A–Z, spaces, hyphens and apostrophes only."
)
LATIN_TEXT_MESSAGE = _(
    "Write this as in your passport, in Latin letters (A–Z), digits and simple punctuation."
)
PASSPORT_NUMBER_MESSAGE = _(
    "Enter the passport number as printed: 5 to 20 Latin letters and digits, no spaces."
)


@dataclass(frozen=True)
class VisaWindow:
    """When a petition can be filed, in days before entry, and how long it takes."""

    earliest_days: int
    latest_days: int
    processing_working_days: int


class FilingState(enum.StrEnum):
    NOT_YET_OPEN = "not_yet_open"  # too early: the secretariat files once the window opens
    OPEN = "open"
    CLOSED = "closed"  # too late: accepted, with a warning; the secretariat may still try


def today_on_event_clock(
    time_zone: str | zoneinfo.ZoneInfo, now: datetime.datetime
) -> datetime.date:
    """The calendar date at the event's place at the moment `now` (an aware datetime)."""
    zone = zoneinfo.ZoneInfo(time_zone) if isinstance(time_zone, str) else time_zone
    return now.astimezone(zone).date()


def filing_opens_on(entry_date: datetime.date, window: VisaWindow) -> datetime.date:
    """The first day the petition for this entry date can be filed (e.g. 90 days before)."""
    return entry_date - datetime.timedelta(days=window.earliest_days)


def filing_deadline(entry_date: datetime.date, window: VisaWindow) -> datetime.date:
    """The last day the petition for this entry date can be filed (e.g. 14 days before)."""
    return entry_date - datetime.timedelta(days=window.latest_days)


def filing_state(
    entry_date: datetime.date, window: VisaWindow, *, today: datetime.date
) -> FilingState:
    """Whether, on the event's `today`, the petition can be filed: both edge days count as
    open (exactly 90 and exactly 14 days before entry)."""
    if today < filing_opens_on(entry_date, window):
        return FilingState.NOT_YET_OPEN
    if today > filing_deadline(entry_date, window):
        return FilingState.CLOSED
    return FilingState.OPEN


def is_too_late(entry_date: datetime.date, window: VisaWindow, *, today: datetime.date) -> bool:
    """A request made on the event's `today` comes after the filing deadline."""
    return filing_state(entry_date, window, today=today) == FilingState.CLOSED


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the month's last day where it has fewer days (31 Aug + 6
    months = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))


def passport_valid_until_at_least(exit_date: datetime.date) -> datetime.date:
    """The earliest expiry date a passport may have for a stay ending on `exit_date`."""
    return add_months(exit_date, PASSPORT_VALID_MONTHS_AFTER_EXIT)


@dataclass(frozen=True)
class TripLimits:
    """The event's dates and how far around them a planned stay may reach."""

    start_date: datetime.date
    end_date: datetime.date
    entry_days_before_start: int
    exit_days_after_end: int

    @property
    def earliest_entry(self) -> datetime.date:
        return self.start_date - datetime.timedelta(days=self.entry_days_before_start)

    @property
    def latest_exit(self) -> datetime.date:
        return self.end_date + datetime.timedelta(days=self.exit_days_after_end)


def request_problems(values: dict, *, limits: TripLimits, today: datetime.date) -> dict[str, str]:
    """What is wrong with a request's passport and trip details, by field name (empty: all
    fine). `values` holds the model's field names; a missing value is the form's business
    (required fields), so a rule about it is skipped here.

    Checks: names and texts in Latin letters as in the passport; a plausible passport number;
    birth before issue, issue before expiry and not in the future; entry not in the past and
    within the event's reach (no earlier than N days before the start, no later than its
    end), exit not before entry, not before the start and no later than N days after the end;
    the passport valid at least six months after exit; the consulate's city when applying at
    a consulate."""
    problems: dict[str, str] = {}

    for name in ("surname", "given_names"):
        value = values.get(name)
        if value and not _LATIN_NAME.match(value):
            problems[name] = LATIN_NAME_MESSAGE
    for name in ("place_of_birth", "passport_authority", "consulate_city"):
        value = values.get(name)
        if value and not _LATIN_TEXT.match(value):
            problems[name] = LATIN_TEXT_MESSAGE
    number = values.get("passport_number")
    if number and not _PASSPORT_NUMBER.match(number):
        problems["passport_number"] = PASSPORT_NUMBER_MESSAGE

    birth = values.get("date_of_birth")
    issued = values.get("passport_issued_on")
    expires = values.get("passport_expires_on")
    entry = values.get("entry_date")
    exit_ = values.get("exit_date")

    if birth and birth >= today:
        problems["date_of_birth"] = _("The date of birth must be in the past.")
    if issued and issued > today:
        problems["passport_issued_on"] = _("The passport's issue date cannot be in the future.")
    elif issued and birth and issued <= birth and "date_of_birth" not in problems:
        problems["passport_issued_on"] = _("The passport must be issued after the date of birth.")
    if expires and issued and expires <= issued:
        problems["passport_expires_on"] = _(
            "The passport's expiry date must be after its issue date."
        )

    if entry:
        if entry < today:
            problems["entry_date"] = _("The entry date cannot be in the past.")
        elif entry < limits.earliest_entry:
            problems["entry_date"] = _(
                "The invitation covers entry from %(date)s at the earliest "
                "(%(days)s days before the event)."
            ) % {"date": date_format(limits.earliest_entry), "days": limits.entry_days_before_start}
        elif entry > limits.end_date:
            problems["entry_date"] = _("The entry date must be before the event ends.")
    if exit_:
        if entry and exit_ < entry:
            problems["exit_date"] = _("The exit date cannot be before the entry date.")
        elif exit_ < limits.start_date:
            problems["exit_date"] = _("The exit date cannot be before the event starts.")
        elif exit_ > limits.latest_exit:
            problems["exit_date"] = _(
                "The invitation covers a stay until %(date)s at the latest "
                "(%(days)s days after the event)."
            ) % {"date": date_format(limits.latest_exit), "days": limits.exit_days_after_end}
    if expires and exit_ and "passport_expires_on" not in problems:
        needed = passport_valid_until_at_least(exit_)
        if expires < needed:
            problems["passport_expires_on"] = _(
                "Your passport must be valid until at least %(date)s: six months after your "
                "planned exit."
            ) % {"date": date_format(needed)}

    if values.get("application_kind") == "consulate" and not values.get("consulate_city"):
        problems["consulate_city"] = _(
            "Name the city of the consulate or embassy where you will apply."
        )
    return problems
