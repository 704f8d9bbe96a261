"""Kazakh dates read as Kazakh writes them, not in Django's US fallback."""

import datetime

from django.utils import formats, translation


def test_kazakh_dates_are_day_month_year_with_a_lower_case_month():
    moment = datetime.datetime(2026, 11, 29, 19, 27)
    with translation.override("kk"):
        assert formats.date_format(moment.date()) == "29 қараша 2026"
        assert formats.date_format(moment, "DATETIME_FORMAT") == "29 қараша 2026, 19:27"
        assert formats.date_format(moment.date(), "SHORT_DATE_FORMAT") == "29.11.2026"
