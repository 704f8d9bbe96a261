"""The attendee list as the export form gives it by default: confirmed and pending delegates,
by last name in the reader's alphabet, the Latin name for those who may see it; an XLSX with a
filter on its header and columns wide enough to read; times in the event's zone, named."""

import datetime
import io
from html.parser import HTMLParser

import pytest
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from exports import selectors, writers
from exports.columns import ExportContext, columns_named
from registrations.models import Registration
from registrations.services import reject_registration
from tests.factories import make_category, make_delegate, make_registration

from .conftest import as_dicts, body_of, make_staff, read_csv, read_xlsx

pytestmark = pytest.mark.django_db


class _CheckedInputs(HTMLParser):
    """The values a browser would send for a form's radio buttons and checkboxes as the page
    first shows them: every checked input, by name."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and "checked" in attributes and attributes.get("name"):
            self.values.setdefault(attributes["name"], []).append(attributes["value"])


def form_defaults(page: str, **chosen) -> dict[str, list[str]]:
    parser = _CheckedInputs()
    parser.feed(page)
    return {**parser.values, **{name: [value] for name, value in chosen.items()}}


def export_with_defaults(client, event, *, query="", lang="en", **chosen):
    """Open the export page as a user would, change only `chosen`, submit it."""
    url = f"/{lang}/staff/events/{event.slug}/export/" + (f"?{query}" if query else "")
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, form_defaults(page.content.decode(), **chosen))


@pytest.fixture
def mixed_names(attendees):
    """The attendees fixture (Нұрланқызы, Петров, Smith pending, Zhunusov; Abbott cancelled)
    and more names in both alphabets: accented, lower-case particles, Kazakh and Russian
    letters outside the basic alphabet, a shared last name, two identical names; and one
    registration of each status left out of the attendee list."""
    guests = make_category(attendees.event, name_en="Guest")  # no limit of its own
    pending = make_category(attendees.event, name_en="Press", requires_approval=True)
    full = make_category(attendees.event, name_en="Full", capacity=0)

    def register(category, last_name, first_name, **fields):
        delegate = make_delegate(last_name=last_name, first_name=first_name, latin_name="")
        return make_registration(category, delegate=delegate, **fields)

    twins = [register(guests, "Smith", "Anna") for _n in range(2)]
    extra = {
        "avila": register(guests, "Ávila", "Marta"),
        "de_vries": register(pending, "de Vries", "Jan"),
        "aliyev": register(guests, "Әлиев", "Дана"),
        "yolkin": register(guests, "Ёлкин", "Пётр"),
        "petrov_aleksei": register(guests, "Петров", "Алексей"),
        "usenov": register(guests, "Ұсенов", "Ерлан"),
        "umbetov": register(guests, "Үмбетов", "Асхат"),
        "aaronson": register(full, "Aaronson", "Zoe"),  # waitlisted
        "rejected": register(pending, "Aalto", "Eero"),
    }
    reject_registration(extra["rejected"], acting_user=None, reason="Not press")
    assert extra["aaronson"].status == Registration.Status.WAITLISTED
    return attendees, extra, sorted(twins, key=lambda twin: twin.reference)


def names(rows: list[dict]) -> list[str]:
    return [f"{row['Last name']} {row['First name']}" for row in rows]


# By hand. English readers: Latin before Cyrillic, accents and case after the letter itself
# ("Ávila" next to A, "de Vries" among the D's); Cyrillic in the Unicode collation's order,
# which puts Ә after А and Ұ after Ү. The two identical names follow their references.
ENGLISH_ORDER = [
    "Ávila Marta",
    "de Vries Jan",
    "Smith Anna",  # the attendees fixture's, pending
    "Smith Anna",
    "Smith Anna",
    "Zhunusov Bolat",
    "Әлиев Дана",
    "Ёлкин Пётр",
    "Нұрланқызы Әйгерім",
    "Петров Алексей",
    "Петров Иван",
    "Үмбетов Асхат",
    "Ұсенов Ерлан",
]
# Russian readers: Cyrillic first, then Latin.
RUSSIAN_ORDER = ENGLISH_ORDER[6:] + ENGLISH_ORDER[:6]
# Kazakh readers: the Kazakh alphabet, where Ұ comes before Ү.
KAZAKH_ORDER = RUSSIAN_ORDER[:5] + ["Ұсенов Ерлан", "Үмбетов Асхат"] + RUSSIAN_ORDER[7:]


@pytest.mark.parametrize(("lang", "expected"), [("en", ENGLISH_ORDER), ("ru", RUSSIAN_ORDER),
                                                ("kk", KAZAKH_ORDER)])  # fmt: skip
@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_default_export_is_confirmed_and_pending_by_last_name(
    client, mixed_names, lang, expected, format
):
    attendees, extra, twins = mixed_names
    client.force_login(make_staff(forums=[attendees.forum]))

    response = export_with_defaults(client, attendees.event, lang=lang, format=format)

    assert response.status_code == 200
    body = body_of(response)
    rows = read_xlsx(body) if format == "xlsx" else read_csv(body, ",")
    with translation.override(lang):
        header = rows[0]
        last, first = (
            header.index(translation.gettext("Last name")),
            header.index(translation.gettext("First name")),
        )
        status = header.index(translation.gettext("Status"))
        shown = {
            str(Registration.Status.CONFIRMED.label),
            str(Registration.Status.PENDING.label),
        }
    assert [f"{row[last]} {row[first]}" for row in rows[1:]] == expected
    assert {row[status] for row in rows[1:]} == shown
    references = [row[0] for row in rows[1:]]
    smiths = [ref for ref in references if ref in {twin.reference for twin in twins}]
    assert smiths == [twin.reference for twin in twins]  # the reference breaks the tie
    for left_out in (attendees.cancelled, extra["aaronson"], extra["rejected"]):
        assert left_out.reference not in references


def test_copy_and_python_csv_paths_sort_alike(mixed_names):
    attendees, _extra, _twins = mixed_names
    columns = columns_named(["reference", "last_name", "first_name"])
    for lang in ("en", "ru", "kk"):
        queryset = selectors.export_registrations(attendees.event, {}, language=lang)
        with translation.override(lang):
            context = ExportContext.for_event(attendees.event)
            python = b"".join(writers.stream_csv(queryset, columns, context, delimiter=","))
            copy = b"".join(writers.stream_csv_copy(queryset, columns, context, delimiter=","))
        assert copy == python
        assert len(read_csv(python, ",")) == len(ENGLISH_ORDER) + 1


def test_every_status_when_asked_and_one_status_when_filtered(client, mixed_names):
    attendees, extra, _twins = mixed_names
    client.force_login(make_staff(forums=[attendees.forum]))
    page = client.get(f"/en/staff/events/{attendees.event.slug}/export/").content.decode()
    assert "Confirmed and pending registrations only: the attendee list." in page
    assert f'href="/en/staff/events/{attendees.event.slug}/export/?statuses=all"' in page

    every = as_dicts(
        read_csv(body_of(export_with_defaults(client, attendees.event, query="statuses=all",
                                              format="csv")), ",")
    )  # fmt: skip
    waitlisted = as_dicts(
        read_csv(body_of(export_with_defaults(client, attendees.event,
                                              query="status__exact=waitlisted", format="csv")),
                 ",")
    )  # fmt: skip

    assert len(every) == len(ENGLISH_ORDER) + 3
    assert {row["Status"] for row in every} == {
        "Confirmed", "Pending approval", "Waitlisted", "Cancelled", "Rejected",
    }  # fmt: skip
    assert names(waitlisted) == ["Aaronson Zoe"]
    page = client.get(
        f"/en/staff/events/{attendees.event.slug}/export/?statuses=all"
    ).content.decode()
    assert "<dd>Every status</dd>" in page
    assert "Confirmed and pending registrations only" not in page


def test_admins_export_link_without_a_status_gives_the_attendee_list(client, mixed_names):
    attendees, _extra, _twins = mixed_names
    client.force_login(make_staff(all_forums=True, special=True))
    changelist = client.get(
        "/en/admin/registrations/registration/",
        {"event__id__exact": attendees.event.pk, "country__exact": "KZ"},
    ).content.decode()
    start = changelist.index(f"/en/staff/events/{attendees.event.slug}/export/")
    link = changelist[start:].split('"')[0].replace("&amp;", "&")

    page = client.get(link).content.decode()
    rows = as_dicts(read_csv(body_of(client.post(link, form_defaults(page, format="csv"))), ","))

    assert "Confirmed and pending registrations only: the attendee list." in page
    # In Kazakhstan: the fixture's Kazakh delegates and all the new ones (the factory's
    # country); Abbott (cancelled) is German, the waitlisted and rejected are left out.
    assert {row["Status"] for row in rows} == {"Confirmed", "Pending approval"}
    assert "Aaronson" not in {row["Last name"] for row in rows}
    assert "Aalto" not in {row["Last name"] for row in rows}


@pytest.mark.parametrize(("special", "offered"), [(True, True), (False, False)])
def test_latin_name_is_ticked_by_default_only_for_those_who_may_see_it(
    client, attendees, special, offered
):
    # The secretariat holds the special personal data permission; an organiser does not.
    if special:
        client.force_login(make_staff(all_forums=True, special=True))
    else:
        client.force_login(make_staff(forums=[attendees.forum]))
    page = client.get(f"/en/staff/events/{attendees.event.slug}/export/").content.decode()

    assert ("latin_name" in form_defaults(page)["columns"]) == offered
    rows = as_dicts(
        read_csv(body_of(export_with_defaults(client, attendees.event, format="csv")), ",")
    )
    by_reference = {row["Reference"]: row for row in rows}
    kazakh = by_reference[attendees.kazakh.reference]
    if offered:
        assert kazakh["Name in Latin letters"] == "Aigerim Nurlankyzy"
    else:
        assert "Name in Latin letters" not in kazakh
        assert "Aigerim Nurlankyzy" not in str(rows)


def test_xlsx_has_a_filter_on_the_header_and_columns_as_wide_as_their_headers(client, attendees):
    from registrations.services import update_registration_details

    long_name = "Steppe Minerals and Metals Exploration Limited Liability Partnership"
    update_registration_details(
        attendees.hidden, acting_user=make_staff(all_forums=True), organisation=long_name
    )
    client.force_login(make_staff(all_forums=True, special=True))

    content = body_of(export_with_defaults(client, attendees.event, format="xlsx"))

    sheet = load_workbook(io.BytesIO(content)).active
    header = [cell.value for cell in sheet[1]]
    last_column = get_column_letter(len(header))
    # The header row and the four attendees (the cancelled registration is not among them).
    assert sheet.auto_filter.ref == f"A1:{last_column}5"
    assert sheet.max_row == 5
    widths = {
        title: sheet.column_dimensions[get_column_letter(index)].width
        for index, title in enumerate(header, start=1)
    }
    for title, width in widths.items():
        assert width >= len(title), title
    # Wide enough for the values too: the e-mail addresses, the long name (up to a cap).
    rows = as_dicts(read_xlsx(content))
    assert widths["E-mail"] >= max(len(row["E-mail"]) for row in rows)
    assert widths["Organisation"] == writers.MAX_COLUMN_WIDTH < len(long_name)
    assert widths["Reference"] < widths["E-mail"]


def test_xlsx_widths_when_the_task_builds_it(attendees, django_capture_on_commit_callbacks):
    from exports.models import ExportLog
    from exports.tasks import build_xlsx_export

    export = ExportLog.objects.create(
        event=attendees.event, user=make_staff(forums=[attendees.forum]), format="xlsx",
        variant="full", columns=["reference", "email", "registered_at"], language="en",
        status="queued",
    )  # fmt: skip

    assert build_xlsx_export.apply(kwargs={"export_id": export.pk}).get() == "done"

    export.refresh_from_db()
    with export.file.open("rb") as file:
        sheet = load_workbook(io.BytesIO(file.read())).active
    assert [cell.value for cell in sheet[1]] == [
        "Reference", "E-mail", "Registered at (Asia/Almaty)",
    ]  # fmt: skip
    assert sheet.auto_filter.ref == "A1:C5"
    assert sheet.column_dimensions["C"].width >= len("Registered at (Asia/Almaty)")
    emails = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert sheet.column_dimensions["B"].width >= max(len(email) for email in emails)


def test_the_declared_widths_stand_in_where_values_are_not_measured(attendees):
    columns = columns_named(["reference", "organisation", "registered_at"])
    with translation.override("en"):
        context = ExportContext.for_event(attendees.event)
        widths = writers.column_widths(columns, context)
    # Each at least its header plus the filter button, and the organisation's typical width.
    assert widths[0] >= len("Reference") + writers.FILTER_BUTTON_WIDTH
    assert widths[1] > len("Organisation") + writers.FILTER_BUTTON_WIDTH
    assert widths[2] >= len("Registered at (Asia/Almaty)") + writers.FILTER_BUTTON_WIDTH


# 06:00 UTC is 11:00 in Almaty (UTC+5 since March 2024); 03:30 UTC is 08:30.
REGISTERED_UTC = datetime.datetime(2026, 5, 4, 6, 0, tzinfo=datetime.UTC)
CHECKED_IN_UTC = datetime.datetime(2026, 5, 5, 3, 30, 15, tzinfo=datetime.UTC)


@pytest.fixture
def timed(attendees):
    # No service sets a registration's creation time: it is the moment of the insert.
    Registration.objects.filter(pk=attendees.kazakh.pk).update(
        created_at=REGISTERED_UTC, checked_in_at=CHECKED_IN_UTC
    )
    return attendees


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_time_columns_name_the_zone_and_hold_the_events_local_time_in_csv(timed, lang):
    columns = columns_named(["reference", "registered_at", "checked_in_at"])
    queryset = selectors.export_registrations(timed.event, {}, language=lang)
    with translation.override(lang):
        context = ExportContext.for_event(timed.event)
        python = b"".join(writers.stream_csv(queryset, columns, context, delimiter=";"))
        copy = b"".join(writers.stream_csv_copy(queryset, columns, context, delimiter=";"))
        registered_at = translation.gettext("Registered at")
        checked_in_at = translation.gettext("Checked in at")

    for content in (python, copy):
        rows = read_csv(content, ";")
        assert rows[0] == [
            rows[0][0],
            f"{registered_at} (Asia/Almaty)",
            f"{checked_in_at} (Asia/Almaty)",
        ]
        kazakh = next(row for row in rows if row[0] == timed.kazakh.reference)
        assert kazakh[1:] == ["2026-05-04 11:00:00", "2026-05-05 08:30:15"]
    assert copy == python


def test_time_columns_name_the_zone_and_hold_the_events_local_time_in_xlsx(client, timed):
    client.force_login(make_staff(forums=[timed.forum]))

    response = client.post(
        f"/en/staff/events/{timed.event.slug}/export/",
        {"format": "xlsx", "variant": "full",
         "columns": ["reference", "registered_at", "checked_in_at"]},
    )  # fmt: skip
    rows = read_xlsx(body_of(response))
    assert rows[0] == [
        "Reference",
        "Registered at (Asia/Almaty)",
        "Checked in at (Asia/Almaty)",
    ]
    kazakh = next(row for row in rows if row[0] == timed.kazakh.reference)
    assert kazakh[1:] == [
        datetime.datetime(2026, 5, 4, 11, 0),
        datetime.datetime(2026, 5, 5, 8, 30, 15),
    ]
