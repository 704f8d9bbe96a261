"""The demo calendar (events.demo.seed_calendar; `seed_demo` adds the categories on top)."""

import pytest
from django.utils import translation

from events.demo import seed_calendar
from events.models import Event, Forum

pytestmark = pytest.mark.django_db


def _snapshot():
    forums = list(Forum.objects.order_by("slug").values())
    events = list(Event.objects.order_by("slug").values())
    for event in events:
        event.pop("updated_at")
    return forums, events


def test_seed_calendar_creates_the_four_forums_and_the_2026_calendar():
    seed_calendar()
    assert set(Forum.objects.values_list("slug", flat=True)) == {
        "astana",
        "asia",
        "europe",
        "eurasia",
    }
    astana = Event.objects.get(slug="minex-astana-2026")
    assert (astana.edition_number, str(astana.start_date), str(astana.end_date)) == (
        16,
        "2026-04-15",
        "2026-04-16",
    )
    europe = Event.objects.get(forum__slug="europe")
    assert europe.country.code == "IE" and europe.edition_number == 10
    assert Event.objects.get(forum__slug="asia").edition_number == 12
    with translation.override("ru"):
        assert Event.objects.get(forum__slug="eurasia").city == "Лондон"


def test_seed_calendar_marks_dates_not_in_the_programme_as_samples():
    seed_calendar()
    provisional = set(
        Event.objects.filter(dates_are_provisional=True).values_list("forum__slug", flat=True)
    )
    assert provisional == {"asia", "europe", "eurasia"}


def test_seed_calendar_twice_leaves_the_same_rows():
    seed_calendar()
    first = _snapshot()
    seed_calendar()
    assert _snapshot() == first
