"""The demo calendar (events.demo.seed_calendar; `seed_demo` adds the categories on top)."""

import datetime

import pytest
from django.utils import timezone, translation

from events.demo import seed_calendar
from events.models import Event, Forum

pytestmark = pytest.mark.django_db

FORUM_SLUGS = {"astana", "asia", "europe", "eurasia"}
EDITIONS_2026 = {"minex-astana-2026", "minex-asia-2026", "minex-europe-2026", "minex-eurasia-2026"}
# The day this is run, mid-2027 (Astana's 2027 edition over, its 2028 window not yet due), and
# 2029 (every 2026 edition long past).
SEEDING_DAYS = [
    pytest.param(None, id="now"),
    pytest.param(datetime.datetime(2027, 6, 1, 12, tzinfo=datetime.UTC), id="2027-06-01"),
    pytest.param(datetime.datetime(2029, 1, 15, 12, tzinfo=datetime.UTC), id="2029-01-15"),
]


def _snapshot():
    return {
        "forums": list(Forum.objects.order_by("pk").values()),
        "events": list(Event.objects.order_by("pk").values()),
    }


def _open_editions(now):
    """Forum slug -> the editions open for registration at `now`."""
    open_editions = {}
    for event in Event.objects.select_related("forum"):
        if event.registration_state(now) == Event.RegistrationState.OPEN:
            open_editions.setdefault(event.forum.slug, []).append(event)
    return open_editions


def test_seed_calendar_creates_the_four_forums_and_the_2026_calendar():
    seed_calendar()
    assert set(Forum.objects.values_list("slug", flat=True)) == FORUM_SLUGS
    astana = Event.objects.get(slug="minex-astana-2026")
    assert (astana.edition_number, str(astana.start_date), str(astana.end_date)) == (
        16,
        "2026-04-15",
        "2026-04-16",
    )
    europe = Event.objects.get(slug="minex-europe-2026")
    assert europe.country.code == "IE" and europe.edition_number == 10
    assert Event.objects.get(slug="minex-asia-2026").edition_number == 12
    with translation.override("ru"):
        assert Event.objects.get(slug="minex-eurasia-2026").city == "Лондон"


def test_seed_calendar_marks_dates_not_in_the_programme_as_samples():
    seed_calendar()
    provisional = set(
        Event.objects.filter(slug__in=EDITIONS_2026, dates_are_provisional=True).values_list(
            "forum__slug", flat=True
        )
    )
    assert provisional == {"asia", "europe", "eurasia"}
    later = Event.objects.exclude(slug__in=EDITIONS_2026)
    assert all(event.dates_are_provisional for event in later)


def test_seed_calendar_twice_leaves_the_same_rows():
    seed_calendar()
    first = _snapshot()
    seed_calendar()
    assert _snapshot() == first


@pytest.mark.parametrize("now", SEEDING_DAYS)
def test_seed_calendar_leaves_every_forum_an_edition_open_for_registration(now):
    seed_calendar(now=now)

    open_editions = _open_editions(now or timezone.now())
    assert set(open_editions) == FORUM_SLUGS
    # The real 2026 editions are there as the programme has them, even when past.
    astana = Event.objects.get(slug="minex-astana-2026")
    assert (astana.start_date, astana.end_date, astana.dates_are_provisional) == (
        datetime.date(2026, 4, 15),
        datetime.date(2026, 4, 16),
        False,
    )
    assert set(Event.objects.filter(slug__in=EDITIONS_2026).values_list("slug", flat=True)) == (
        EDITIONS_2026
    )


def test_next_edition_follows_the_forum_with_sample_dates():
    now = datetime.datetime(2027, 6, 1, 12, tzinfo=datetime.UTC)

    seed_calendar(now=now)

    (astana,) = _open_editions(now)["astana"]
    assert (astana.slug, astana.edition_number, astana.year) == ("minex-astana-2028", 18, 2028)
    assert (astana.start_date, astana.end_date) == (
        datetime.date(2028, 4, 15),
        datetime.date(2028, 4, 16),
    )
    assert astana.dates_are_provisional
    assert astana.title_en == "18th MINEX Forum, Astana 2028"
    assert astana.title_ru == "18-й Форум MINEX, Астана 2028"
    assert astana.title_kk == "18-ші MINEX форумы, Астана 2028"
    (asia,) = _open_editions(now)["asia"]
    assert (asia.title_en, asia.title_kk) == ("13th MINEX Asia 2027", "13-ші MINEX Asia 2027")
    (europe,) = _open_editions(now)["europe"]
    assert (europe.title_en, europe.title_kk) == (
        "11th MINEX Europe 2027",
        "11-ші MINEX Europe 2027",
    )


def test_seeding_again_later_adds_the_next_editions_and_keeps_the_earlier_ones():
    days = [
        timezone.now(),
        datetime.datetime(2027, 6, 1, 12, tzinfo=datetime.UTC),
        datetime.datetime(2029, 1, 15, 12, tzinfo=datetime.UTC),
    ]
    for now in days:
        before = _snapshot()

        seed_calendar(now=now)

        after = _snapshot()
        assert after["forums"][: len(before["forums"])] == before["forums"]
        assert after["events"][: len(before["events"])] == before["events"]
        assert set(_open_editions(now)) == FORUM_SLUGS
        # The same day again adds nothing.
        seed_calendar(now=now)
        assert _snapshot() == after


def test_later_titles_use_each_languages_ordinals():
    now = datetime.datetime(2036, 1, 15, 12, tzinfo=datetime.UTC)

    seed_calendar(now=now)

    titles = {
        event.forum.slug: (event.title_en, event.title_ru, event.title_kk)
        for events in _open_editions(now).values()
        for event in events
    }
    assert titles == {
        "astana": (
            "26th MINEX Forum, Astana 2036",
            "26-й Форум MINEX, Астана 2036",
            "26-шы MINEX форумы, Астана 2036",
        ),
        "asia": ("22nd MINEX Asia 2036", "22-й MINEX Asia 2036", "22-ші MINEX Asia 2036"),
        "europe": ("20th MINEX Europe 2036", "20-й MINEX Europe 2036", "20-шы MINEX Europe 2036"),
        "eurasia": (
            "MINEX Eurasia 2036, London",
            "MINEX Eurasia 2036, Лондон",
            "MINEX Eurasia 2036, Лондон",
        ),
    }
