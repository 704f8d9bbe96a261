"""The dashboard's charts, read through their tables: the pace against the capacity and the
previous edition, categories by status, top countries; and nouns that agree with numbers."""

import datetime
import re
import zoneinfo
from dataclasses import dataclass

import polib
import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation

from events.models import Event, Forum
from exports import views
from exports.selectors import PreviousEdition, event_dashboard
from registrations.models import Registration
from registrations.services import cancel_registration, check_in_registration
from tests.factories import make_category, make_delegate, make_event, make_forum, make_registration

from .conftest import make_staff

pytestmark = pytest.mark.django_db

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")  # UTC+5, the factories' event time zone


def at(day: datetime.date, hour: int) -> datetime.datetime:
    """A moment on the venue's clock."""
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ALMATY)


def backdate(registration: Registration, moment: datetime.datetime) -> None:
    # No service sets a registration's creation time, on purpose: the ORM, after the service.
    Registration.objects.filter(pk=registration.pk).update(created_at=moment)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def table_row(page: str, attribute: str, value) -> list[str]:
    match = re.search(rf'<tr data-{attribute}="{value}">(.*?)</tr>', page, re.S)
    assert match, f"no row {attribute}={value}"
    return [text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match[1], re.S)]


def dashboard_page(client, event: Event, language: str = "en") -> str:
    response = client.get(f"/{language}/staff/events/{event.slug}/dashboard/")
    assert response.status_code == 200
    return response.content.decode()


@dataclass
class TwoEditions:
    forum: Forum
    previous: Event  # MINEX Asia 2025: 1-2 September 2025, registration opened 92 days before
    event: Event  # MINEX Asia 2026: starts in 20 days, registration opened 60 days before


@pytest.fixture
def two_editions() -> TwoEditions:
    forum = make_forum(name_en="MINEX Asia")

    # Last year's edition, registered while open, then moved to its real dates.
    previous = make_event(forum, title_en="MINEX Asia 2025", capacity=30)
    delegates = make_category(previous, name_en="Delegate")
    previous_start = datetime.date(2025, 9, 1)
    # Days before its start; -1 is its second day (counted at 0).
    for days_out in [60, 60, 60, 40, 40, 20, 5, 5, 5, 5, 0, -1]:
        registration = make_registration(delegates)
        backdate(registration, at(previous_start - datetime.timedelta(days=days_out), 12))
    dropped = make_registration(delegates)
    cancel_registration(dropped, acting_user=None, reason="Cannot travel")
    backdate(dropped, at(previous_start - datetime.timedelta(days=30), 12))
    Event.objects.filter(pk=previous.pk).update(
        year=2025,
        start_date=previous_start,
        end_date=previous_start + datetime.timedelta(days=1),
        registration_opens_at=at(previous_start - datetime.timedelta(days=92), 10),
        registration_closes_at=at(previous_start, 18),
        status=Event.Status.ARCHIVED,
    )

    # This year's: 20 days to go on the venue's calendar.
    today = timezone.now().astimezone(ALMATY).date()
    start = today + datetime.timedelta(days=20)
    event = make_event(
        forum,
        title_en="MINEX Asia 2026",
        capacity=40,
        start_date=start,
        registration_opens_at=at(start - datetime.timedelta(days=60), 10),
    )
    delegates = make_category(event, name_en="Delegate")
    speakers = make_category(event, name_en="Speaker", requires_approval=True)
    closed = make_category(event, name_en="Exhibitor", capacity=0)

    def registered(category, days_out: int, hour: int = 12) -> Registration:
        registration = make_registration(category)
        backdate(registration, at(start - datetime.timedelta(days=days_out), hour))
        return registration

    registered(delegates, 50)
    registered(delegates, 50)
    # 01:00 at the venue is 20:00 UTC the day before: 48 days out, not 49.
    registered(delegates, 48, hour=1)
    registered(delegates, 35)
    cancel_registration(registered(delegates, 25), acting_user=None, reason="Visa refused")
    registered(speakers, 21)  # pending approval: holds a place
    assert make_registration(closed).status == Registration.Status.WAITLISTED  # today, no place
    return TwoEditions(forum, Event.objects.get(pk=previous.pk), event)


def test_pace_table_compares_with_the_previous_edition_at_the_same_days_out(client, two_editions):
    client.force_login(make_staff(forums=[two_editions.forum]))

    page = dashboard_page(client, two_editions.event)

    # Days before the start: this year's total so far, last year's at the same point.
    # The axis starts at last year's opening (92 days out), the earlier of the two.
    assert table_row(page, "days-out", 92) == ["92", "0", "0"]
    assert table_row(page, "days-out", 56) == ["56", "0", "3"]
    assert table_row(page, "days-out", 49) == ["49", "2", "3"]
    assert table_row(page, "days-out", 42) == ["42", "3", "3"]
    assert table_row(page, "days-out", 35) == ["35", "4", "5"]
    assert table_row(page, "days-out", 28) == ["28", "4", "5"]  # the cancelled one: no place
    assert table_row(page, "days-out", 21) == ["21", "5", "5"]
    assert table_row(page, "days-out", 20) == ["20", "5", "6"]  # today; waitlisted: no place
    assert table_row(page, "days-out", 14) == ["14", "not yet", "6"]
    # On the first day: the 4 + 1 of the last days, and one made on the second day.
    assert table_row(page, "days-out", 0) == ["0", "not yet", "12"]
    assert table_row(page, "capacity", 40) == ["Capacity", "40"]
    header = re.search(r'id="pace-table">.*?<thead>(.*?)</thead>', page, re.S)[1]
    assert text(header) == "Days before the event MINEX Asia 2026 MINEX Asia 2025"
    summary = text(re.search(r'<p class="chart__summary".*?</p>', page, re.S)[0])
    assert summary == (
        "With 20 days to go: 5 registrations hold places; MINEX Asia 2025 had 6 at the same point."
    )
    caption = text(re.search(r"<figcaption.*?</figcaption>", page, re.S)[0])
    assert "confirmed or pending approval" in caption
    assert "Compared with MINEX Asia 2025" in caption
    # Drawn: both lines, the capacity line, a title and description for screen readers.
    assert page.count('class="pace-chart__current"') == 1
    assert page.count('class="pace-chart__previous"') == 1
    assert page.count('class="pace-chart__capacity"') == 1
    assert "Capacity: 40 places</text>" in page
    assert '<title id="pace-title">' in page
    assert '<desc id="pace-desc">' in page


def test_the_first_edition_says_there_is_nothing_to_compare_with(client, two_editions):
    client.force_login(make_staff(forums=[two_editions.forum]))

    page = dashboard_page(client, two_editions.previous)

    assert "No earlier edition of this forum to compare with." in page
    assert 'class="pace-chart__previous"' not in page
    assert table_row(page, "days-out", 0) == ["0", "12"]  # the event is over: the whole run
    assert table_row(page, "days-out", 35) == ["35", "5"]
    summary = text(re.search(r'<p class="chart__summary".*?</p>', page, re.S)[0])
    assert summary == "On the first day of the event: 12 registrations hold places."


def test_a_previous_edition_the_user_may_not_see_is_not_compared(two_editions):
    stranger = make_staff(forums=[make_forum()])
    organiser = make_staff(forums=[two_editions.forum])

    hidden = event_dashboard(two_editions.event, user=stranger)
    shown = event_dashboard(two_editions.event, user=organiser)

    assert hidden.previous_edition == PreviousEdition.HIDDEN
    assert hidden.previous_pace is None
    assert shown.previous_edition == PreviousEdition.SHOWN
    assert shown.previous_pace.event == two_editions.previous
    with translation.override("en"):
        chart = render_to_string(
            "exports/_pace_chart.html",
            {
                "event": two_editions.event,
                "dashboard": hidden,
                "pace_chart": views._pace_chart(hidden),
            },
            request=RequestFactory().get("/"),
        )
    assert "No earlier edition you can see to compare with." in chart
    assert "MINEX Asia 2025" not in chart


def test_a_draft_earlier_edition_is_not_the_previous_one(client, two_editions):
    Event.objects.filter(pk=two_editions.previous.pk).update(status=Event.Status.DRAFT)
    client.force_login(make_staff(forums=[two_editions.forum]))

    page = dashboard_page(client, two_editions.event)

    assert "No earlier edition of this forum to compare with." in page
    assert table_row(page, "days-out", 20) == ["20", "5"]


def test_an_event_open_since_publication_starts_its_pace_today(client):
    forum = make_forum()
    start = timezone.now().astimezone(ALMATY).date() + datetime.timedelta(days=30)
    event = make_event(forum, start_date=start, registration_opens_at=None, capacity=80)
    client.force_login(make_staff(forums=[forum]))

    page = dashboard_page(client, event)

    summary = text(re.search(r'<p class="chart__summary".*?</p>', page, re.S)[0])
    assert summary == "With 30 days to go: 0 registrations hold places."
    assert table_row(page, "days-out", 30) == ["30", "0"]
    assert table_row(page, "capacity", 80) == ["Capacity", "80"]
    assert "No earlier edition of this forum to compare with." in page


def bar_titles(page: str, chart_id: str) -> list[str]:
    svg = re.search(rf'aria-labelledby="{chart_id}-title".*?</svg>', page, re.S)
    assert svg, f"no chart {chart_id}"
    return re.findall(r"<rect [^>]*><title>(.*?)</title></rect>", svg[0])


def bar_geometry(page: str, chart_id: str) -> list[tuple[str, float, float]]:
    svg = re.search(rf'aria-labelledby="{chart_id}-title".*?</svg>', page, re.S)[0]
    return [
        (css, float(x), float(width))
        for x, width, css in re.findall(
            r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="\d+" class="bar bar--(\w+)"',
            svg,
        )
    ]


def test_categories_are_stacked_by_status_with_a_legend(client, two_editions):
    client.force_login(make_staff(forums=[two_editions.forum]))

    page = dashboard_page(client, two_editions.event)

    assert bar_titles(page, "category-chart") == [
        "Delegate — Confirmed: 4",
        "Delegate — Cancelled or rejected: 1",
        "Speaker — Pending approval: 1",
        "Exhibitor — Waitlisted: 1",
    ]
    # One scale: Delegate's 5 span the plot (656 units), Speaker's 1 a fifth of it; the
    # segments of a bar follow each other.
    assert bar_geometry(page, "category-chart") == [
        ("confirmed", 0.0, 524.8),
        ("ended", 524.8, 131.2),
        ("pending", 0.0, 131.2),
        ("waitlisted", 0.0, 131.2),
    ]
    legend = re.search(
        r'<ul class="chart-legend">(.*?)</ul>', page.split('id="category-heading"')[1], re.S
    )
    assert text(legend[1]) == "Confirmed Pending Waitlisted Cancelled or rejected"


@pytest.fixture
def many_countries():
    """KZ 4, RU 3, CN 2 and nine countries with one registration each (plus a cancelled one
    from Germany, which holds no place)."""
    forum = make_forum()
    event = make_event(forum)
    category = make_category(event)
    counts = {"KZ": 4, "RU": 3, "CN": 2}
    counts.update(dict.fromkeys(["AU", "CA", "DE", "FR", "GB", "IN", "JP", "TR", "US"], 1))
    for country, count in counts.items():
        for _ in range(count):
            make_registration(category, delegate=make_delegate(country=country))
    cancelled = make_registration(category, delegate=make_delegate(country="DE"))
    cancel_registration(cancelled, acting_user=None, reason="Cannot travel")
    return forum, event


def country_rows(page: str) -> list[list[str]]:
    table = re.search(r'<table class="staff-table" id="top-countries">.*?</table>', page, re.S)[0]
    return [
        [text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr data-country=.*?</tr>", table, re.S)
    ]


def test_top_ten_countries_in_the_pages_language_then_other(client, many_countries):
    forum, event = many_countries
    client.force_login(make_staff(forums=[forum]))

    english = dashboard_page(client, event, "en")
    russian = dashboard_page(client, event, "ru")

    # Most first; ties in the alphabet of the page's language; the rest as "Other".
    assert country_rows(english) == [
        ["Kazakhstan", "4"], ["Russia", "3"], ["China", "2"],
        ["Australia", "1"], ["Canada", "1"], ["France", "1"], ["Germany", "1"],
        ["India", "1"], ["Japan", "1"], ["Türkiye", "1"],
        ["Other", "2"],  # United Kingdom, United States of America
    ]  # fmt: skip
    assert country_rows(russian)[:3] == [["Казахстан", "4"], ["Россия", "3"], ["Китай", "2"]]
    assert [name for name, _count in country_rows(russian)[3:10]] == [
        "Австралия", "Великобритания", "Германия", "Индия", "Канада",
        "Соединённые Штаты Америки", "Турция",
    ]  # fmt: skip
    assert country_rows(russian)[10][1] == "2"  # France, Japan
    # The bars: one per row of the table, in its order, longest first.
    titles = bar_titles(english, "country-chart")
    assert len(titles) == 11
    assert titles[:4] == ["Kazakhstan: 4", "Russia: 3", "China: 2", "Australia: 1"]
    assert titles[-1] == "Other: 2"
    widths = [width for _css, _x, width in bar_geometry(english, "country-chart")]
    assert widths[:4] == [656.0, 492.0, 328.0, 164.0]  # one scale, the longest the full plot


# The Russian forms, as the lead will add them to locale/ru: a catalogue of our own here, so
# the test shows the template hands the count to gettext (three forms for Russian).
RUSSIAN = (
    "nplurals=4; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<12 || "
    "n%100>14) ? 1 : n%10==0 || (n%10>=5 && n%10<=9) || (n%100>=11 && n%100<=14)? 2 : 3);"
)
TILE_FORMS = [
    ("dashboard tile", "registration", "registrations",
     ["регистрация", "регистрации", "регистраций", "регистрации"]),
    ("dashboard tile", "of %(capacity)s place taken", "of %(capacity)s places taken",
     ["из %(capacity)s места занято", "из %(capacity)s мест занято",
      "из %(capacity)s мест занято", "из %(capacity)s места занято"]),
    ("dashboard tile", "approval waiting", "approvals waiting",
     ["ожидает одобрения", "ожидают одобрения", "ожидают одобрения", "ожидают одобрения"]),
    ("dashboard tile", "visa letter requested", "visa letters requested",
     ["визовое письмо запрошено", "визовых письма запрошено", "визовых писем запрошено",
      "визового письма запрошено"]),
    ("dashboard tile", "delegate checked in", "delegates checked in",
     ["делегат отметился", "делегата отметились", "делегатов отметились",
      "делегата отметились"]),
    ("", "%(counter)s registration holds a place", "%(counter)s registrations hold places",
     ["%(counter)s регистрация занимает место", "%(counter)s регистрации занимают места",
      "%(counter)s регистраций занимают места", "%(counter)s регистрации занимают места"]),
    ("", "With %(days)s day to go:", "With %(days)s days to go:",
     ["До начала %(days)s день:", "До начала %(days)s дня:", "До начала %(days)s дней:",
      "До начала %(days)s дня:"]),
]  # fmt: skip


@pytest.fixture
def russian_plurals(settings, tmp_path):
    catalogue = polib.POFile()
    catalogue.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": RUSSIAN}
    for context, singular, plural, forms in TILE_FORMS:
        catalogue.append(
            polib.POEntry(
                msgctxt=context or None,
                msgid=singular,
                msgid_plural=plural,
                msgstr_plural=dict(enumerate(forms)),
            )
        )
    (tmp_path / "ru" / "LC_MESSAGES").mkdir(parents=True)
    catalogue.save_as_mofile(str(tmp_path / "ru" / "LC_MESSAGES" / "django.mo"))
    # First in the list: these forms win over the project's catalogue.
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]


@pytest.fixture
def counted_event():
    """5 registrations (2 confirmed, one of them checked in; 2 pending; 1 cancelled) for 21
    places, 21 days before the event."""
    forum = make_forum()
    start = timezone.now().astimezone(ALMATY).date() + datetime.timedelta(days=21)
    event = make_event(forum, capacity=21, start_date=start)
    plain = make_category(event)
    approval = make_category(event, requires_approval=True)
    first, _second = make_registration(plain), make_registration(plain)
    make_registration(approval), make_registration(approval)
    cancel_registration(make_registration(plain), acting_user=None, reason="Cannot travel")
    check_in_registration(first, acting_user=None)
    return forum, event


def tiles(page: str) -> str:
    return text(re.search(r'<ul class="tiles">(.*?)</ul>', page, re.S)[1])


def test_numbers_and_nouns_agree_in_russian(client, counted_event, russian_plurals):
    forum, event = counted_event
    client.force_login(make_staff(forums=[forum]))

    page = dashboard_page(client, event, "ru")

    shown = tiles(page)
    assert "5 регистраций" in shown
    assert "4 из 21 места занято" in shown
    assert "2 ожидают одобрения" in shown
    assert "0 визовых писем запрошено" in shown
    assert "1 делегат отметился" in shown
    summary = text(re.search(r'<p class="chart__summary".*?</p>', page, re.S)[0])
    assert summary.startswith("До начала 21 день: 4 регистрации занимают места")


def test_numbers_and_nouns_agree_in_english(client, counted_event):
    forum, event = counted_event
    client.force_login(make_staff(forums=[forum]))

    shown = tiles(dashboard_page(client, event, "en"))

    assert "5 registrations" in shown
    assert "4 of 21 places taken" in shown
    assert "2 approvals waiting" in shown
    assert "0 visa letters requested" in shown
    assert "1 delegate checked in" in shown


def test_the_dashboard_needs_no_inline_script_or_style(client, two_editions):
    client.force_login(make_staff(forums=[two_editions.forum]))

    page = dashboard_page(client, two_editions.event)

    # Scripts only from static files (check-in's live numbers: checkin/static/checkin/live.js).
    assert not re.search(r"<script(?![^>]*\ssrc=\"/static/)", page)
    assert "<style" not in page
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"\son[a-z]+=", page)
