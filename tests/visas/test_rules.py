"""The filing window's edges (exactly 90 and 14 days before entry, on the event's clock) and
the checks of a request's passport and trip details."""

import datetime

import pytest
from django.utils import translation

from visas.rules import (
    FilingState,
    TripLimits,
    VisaWindow,
    add_months,
    filing_deadline,
    filing_opens_on,
    filing_state,
    is_too_late,
    passport_valid_until_at_least,
    request_problems,
    today_on_event_clock,
)

KAZAKHSTAN = VisaWindow(earliest_days=90, latest_days=14, processing_working_days=5)
ENTRY = datetime.date(2026, 9, 10)
UTC = datetime.UTC


def days_before_entry(days: int) -> datetime.date:
    return ENTRY - datetime.timedelta(days=days)


@pytest.mark.parametrize(
    ("days_before", "state"),
    [
        (91, FilingState.NOT_YET_OPEN),
        (90, FilingState.OPEN),  # the first day the petition may be filed
        (89, FilingState.OPEN),
        (15, FilingState.OPEN),
        (14, FilingState.OPEN),  # the last day
        (13, FilingState.CLOSED),
        (0, FilingState.CLOSED),
    ],
)
def test_filing_window_edges(days_before, state):
    assert filing_state(ENTRY, KAZAKHSTAN, today=days_before_entry(days_before)) == state
    assert is_too_late(ENTRY, KAZAKHSTAN, today=days_before_entry(days_before)) == (
        state == FilingState.CLOSED
    )


def test_window_dates_for_an_entry_date():
    assert filing_opens_on(ENTRY, KAZAKHSTAN) == datetime.date(2026, 6, 12)
    assert filing_deadline(ENTRY, KAZAKHSTAN) == datetime.date(2026, 8, 27)


def test_another_countrys_window():
    europe = VisaWindow(earliest_days=180, latest_days=30, processing_working_days=15)
    assert filing_state(ENTRY, europe, today=days_before_entry(30)) == FilingState.OPEN
    assert filing_state(ENTRY, europe, today=days_before_entry(29)) == FilingState.CLOSED


def test_today_is_the_event_s_date_not_utc_nor_the_delegate_s():
    # 19:30 UTC on 27 August is already 28 August in Almaty (UTC+5), still 27 August in New York.
    moment = datetime.datetime(2026, 8, 27, 19, 30, tzinfo=UTC)

    assert today_on_event_clock("Asia/Almaty", moment) == datetime.date(2026, 8, 28)
    assert today_on_event_clock("America/New_York", moment) == datetime.date(2026, 8, 27)


def test_deadline_day_ends_at_midnight_on_the_event_s_clock():
    # The deadline for entry on 10 September is 27 August (14 days before), in Almaty.
    before_midnight_almaty = datetime.datetime(2026, 8, 27, 18, 59, tzinfo=UTC)  # 23:59 +05
    after_midnight_almaty = datetime.datetime(2026, 8, 27, 19, 0, tzinfo=UTC)  # 00:00 +05

    on_time = today_on_event_clock("Asia/Almaty", before_midnight_almaty)
    late = today_on_event_clock("Asia/Almaty", after_midnight_almaty)

    assert not is_too_late(ENTRY, KAZAKHSTAN, today=on_time)
    # A delegate in New York still has 27 August on their clock, but Almaty has moved on.
    assert is_too_late(ENTRY, KAZAKHSTAN, today=late)


def test_window_opening_day_on_the_event_s_clock():
    # 90 days before 10 September is 12 June; it starts at 00:00 in Almaty = 19:00 UTC 11 June.
    just_before = today_on_event_clock(
        "Asia/Almaty", datetime.datetime(2026, 6, 11, 18, 59, tzinfo=UTC)
    )
    just_after = today_on_event_clock(
        "Asia/Almaty", datetime.datetime(2026, 6, 11, 19, 0, tzinfo=UTC)
    )

    assert filing_state(ENTRY, KAZAKHSTAN, today=just_before) == FilingState.NOT_YET_OPEN
    assert filing_state(ENTRY, KAZAKHSTAN, today=just_after) == FilingState.OPEN


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 3, 15), 6, datetime.date(2026, 9, 15)),
        (datetime.date(2026, 8, 31), 6, datetime.date(2027, 2, 28)),
        (datetime.date(2027, 8, 31), 6, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 12, 1), 1, datetime.date(2027, 1, 1)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


LIMITS = TripLimits(
    start_date=datetime.date(2026, 9, 12),
    end_date=datetime.date(2026, 9, 14),
    entry_days_before_start=30,
    exit_days_after_end=30,
)
TODAY = datetime.date(2026, 7, 1)


def good_values(**overrides) -> dict:
    values = {
        "surname": "O'NEILL-SMITH",
        "given_names": "JOHN PAUL",
        "date_of_birth": datetime.date(1980, 5, 17),
        "place_of_birth": "ST. JOHN'S, CANADA",
        "passport_number": "AB1234567",
        "passport_issued_on": datetime.date(2022, 3, 1),
        "passport_expires_on": datetime.date(2032, 3, 1),
        "passport_authority": "PASSPORT CANADA",
        "entry_date": datetime.date(2026, 9, 11),
        "exit_date": datetime.date(2026, 9, 15),
        "application_kind": "consulate",
        "consulate_city": "Ottawa",
    }
    values.update(overrides)
    return values


def test_good_values_have_no_problems():
    assert request_problems(good_values(), limits=LIMITS, today=TODAY) == {}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"surname": "Иванов"}, "surname"),
        ({"given_names": "José"}, "given_names"),
        ({"given_names": "JOHN  PAUL"}, "given_names"),
        ({"surname": "SMITH1"}, "surname"),
        ({"place_of_birth": "Алматы"}, "place_of_birth"),
        ({"passport_authority": "МВД РК"}, "passport_authority"),
        ({"passport_number": "AB 123"}, "passport_number"),
        ({"passport_number": "ab1234567"}, "passport_number"),
        ({"date_of_birth": TODAY}, "date_of_birth"),
        ({"passport_issued_on": datetime.date(2026, 7, 2)}, "passport_issued_on"),
        ({"passport_issued_on": datetime.date(1979, 1, 1)}, "passport_issued_on"),
        ({"passport_expires_on": datetime.date(2022, 3, 1)}, "passport_expires_on"),
        ({"entry_date": datetime.date(2026, 6, 30)}, "entry_date"),
        ({"entry_date": datetime.date(2026, 8, 12)}, "entry_date"),  # 31 days before the start
        ({"entry_date": datetime.date(2026, 9, 15)}, "entry_date"),  # after the end
        ({"exit_date": datetime.date(2026, 9, 10)}, "exit_date"),  # before entry
        (
            {"entry_date": datetime.date(2026, 8, 20), "exit_date": datetime.date(2026, 9, 1)},
            "exit_date",
        ),  # before the start
        ({"exit_date": datetime.date(2026, 10, 15)}, "exit_date"),  # 31 days after the end
        ({"passport_expires_on": datetime.date(2027, 3, 14)}, "passport_expires_on"),
        ({"consulate_city": ""}, "consulate_city"),
    ],
)
def test_each_bad_value_is_named(overrides, field):
    problems = request_problems(good_values(**overrides), limits=LIMITS, today=TODAY)

    assert list(problems) == [field]


def test_edges_that_are_allowed():
    values = good_values(
        entry_date=datetime.date(2026, 8, 13),  # exactly 30 days before the start
        exit_date=datetime.date(2026, 10, 14),  # exactly 30 days after the end
        passport_expires_on=datetime.date(2027, 4, 14),  # exactly six months after exit
        application_kind="on_arrival",
        consulate_city="",
    )

    assert request_problems(values, limits=LIMITS, today=TODAY) == {}


def test_passport_six_months_after_exit():
    assert passport_valid_until_at_least(datetime.date(2026, 9, 15)) == datetime.date(2027, 3, 15)


def test_dates_in_messages_are_in_the_active_language():
    with translation.override("ru"):
        problems = request_problems(
            good_values(passport_expires_on=datetime.date(2026, 12, 1)), limits=LIMITS, today=TODAY
        )
        message = str(problems["passport_expires_on"])

    assert "15 марта 2027" in message
