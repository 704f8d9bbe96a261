"""What an export holds: both CSV variants and XLSX, opened the way Excel would."""

import datetime

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from exports.columns import COLUMNS, DEFAULT_COLUMNS, ExportContext
from exports.models import ExportLog
from registrations.models import Registration

from .conftest import FORMULAS, as_dicts, body_of, make_staff, read_csv, read_xlsx

pytestmark = pytest.mark.django_db

ALL_COLUMNS = list(COLUMNS)
REGISTERED_AT = "Registered at (Asia/Almaty)"
CHECKED_IN_AT = "Checked in at (Asia/Almaty)"


def headers(event, lang="en") -> list[str]:
    with translation.override(lang):
        context = ExportContext.for_event(event)
        return [column.header(context) for column in COLUMNS.values()]


def export(client, event, *, format, variant="full", columns=ALL_COLUMNS, query="", lang="en"):
    with_query = f"?{query}" if query else ""
    url = f"/{lang}/staff/events/{event.slug}/export/{with_query}"
    return client.post(url, {"format": format, "variant": variant, "columns": columns})


@pytest.fixture
def staff_client(client, attendees):
    """A forum's staff member who may see special personal data (as the secretariat may):
    every column comes out. What organisers without it get: tests/exports/test_access.py."""
    client.force_login(make_staff(forums=[attendees.forum], special=True))
    return client


@pytest.mark.parametrize(("format", "delimiter"), [("csv", ","), ("csv_semicolon", ";")])
def test_csv_opens_with_bom_headers_and_every_registration(
    staff_client, attendees, format, delimiter
):
    response = export(staff_client, attendees.event, format=format, query="statuses=all")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="{attendees.event.slug}-attendees-'
    )
    rows = read_csv(body_of(response), delimiter)
    assert rows[0] == headers(attendees.event)
    assert all(len(row) == len(ALL_COLUMNS) for row in rows)
    by_reference = {row["Reference"]: row for row in as_dicts(rows)}
    assert set(by_reference) == {
        r.reference for r in (attendees.kazakh, attendees.russian, attendees.english,
                               attendees.hidden, attendees.cancelled)
    }  # fmt: skip
    kazakh = by_reference[attendees.kazakh.reference]
    assert kazakh["First name"] == "Әйгерім"
    assert kazakh["Last name"] == "Нұрланқызы"
    assert kazakh["Job title"] == "Бас геолог, Қазақстан"
    assert kazakh["Dietary needs"] == "Халал"
    assert kazakh["Status"] == "Confirmed"
    assert kazakh["Category"] == "Delegate"
    assert kazakh["Country"] == "Kazakhstan"
    assert kazakh["Nationality"] == "Russia"
    assert kazakh["Visa letter needed"] == "Yes"
    assert kazakh["Agreed to be listed"] == "Yes"
    assert kazakh["Language"] == "Kazakh"
    assert kazakh["Phone"] == "+77012345678"
    local = attendees.kazakh.created_at.astimezone(attendees.event.tz)
    assert kazakh[REGISTERED_AT] == local.strftime("%Y-%m-%d %H:%M:%S")
    assert kazakh[CHECKED_IN_AT]
    assert by_reference[attendees.russian.reference][CHECKED_IN_AT] == ""
    assert by_reference[attendees.english.reference]["Status"] == "Pending approval"
    assert by_reference[attendees.cancelled.reference]["Status"] == "Cancelled"


@pytest.mark.parametrize(("format", "delimiter"), [("csv", ","), ("csv_semicolon", ";")])
def test_csv_formulas_come_out_inert_and_phones_keep_their_plus(
    staff_client, attendees, format, delimiter
):
    rows = as_dicts(
        read_csv(body_of(export(staff_client, attendees.event, format=format)), delimiter)
    )

    by_reference = {row["Reference"]: row for row in rows}
    assert by_reference[attendees.kazakh.reference]["Organisation"] == "'" + FORMULAS[0]
    assert by_reference[attendees.russian.reference]["Organisation"] == "'+1+1"
    assert by_reference[attendees.russian.reference]["Job title"] == "'-2+3"
    assert by_reference[attendees.english.reference]["Organisation"] == "'@SUM(A1)"
    assert by_reference[attendees.russian.reference]["Phone"] == "+79161234567"
    assert by_reference[attendees.english.reference]["Phone"] == "+442071234567"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "@", "-", "\t", "\r")), value
            assert not value.startswith("+") or value.startswith("+") and value[1:].isdigit()


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_csv_headers_and_values_in_the_organisers_language(staff_client, attendees, lang):
    rows = read_csv(
        body_of(export(staff_client, attendees.event, format="csv_semicolon", lang=lang)), ";"
    )

    assert rows[0] == headers(attendees.event, lang)
    with translation.override(lang):
        expected_status = str(Registration.Status.CONFIRMED.label)
        expected_yes = translation.gettext("Yes")
    kazakh = dict(
        zip(ALL_COLUMNS, next(r for r in rows if r[0] == attendees.kazakh.reference), strict=True)
    )
    assert kazakh["status"] == expected_status
    assert kazakh["visa_letter_needed"] == expected_yes
    assert kazakh["first_name"] == "Әйгерім"
    if lang == "ru":
        assert kazakh["category"] == "Делегат"
        assert kazakh["country"] == "Казахстан"
        assert kazakh["nationality"] == "Россия"
    else:
        assert kazakh["category"] == "Delegate"  # no Kazakh name: the English one


def test_xlsx_keeps_texts_as_text_phones_with_plus_and_local_dates(staff_client, attendees):
    response = export(staff_client, attendees.event, format="xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    content = body_of(response)
    rows = as_dicts(read_xlsx(content))
    by_reference = {row["Reference"]: row for row in rows}
    kazakh = by_reference[attendees.kazakh.reference]
    assert kazakh["Organisation"] == FORMULAS[0]
    assert kazakh["First name"] == "Әйгерім"
    assert kazakh["Job title"] == "Бас геолог, Қазақстан"
    assert kazakh["Phone"] == "+77012345678"
    assert kazakh[REGISTERED_AT] == attendees.kazakh.created_at.astimezone(
        attendees.event.tz
    ).replace(tzinfo=None, microsecond=0)
    assert isinstance(kazakh[CHECKED_IN_AT], datetime.datetime)
    assert by_reference[attendees.russian.reference]["Organisation"] == "+1+1"
    assert by_reference[attendees.russian.reference]["Job title"] == "-2+3"
    assert by_reference[attendees.english.reference]["Organisation"] == "@SUM(A1)"
    sheet = load_workbook(__import__("io").BytesIO(content)).active
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"


def test_xlsx_formula_typed_as_text_stays_text_when_reopened(staff_client, attendees):
    from registrations.services import update_registration_details

    update_registration_details(
        attendees.hidden, acting_user=make_staff(all_forums=True), organisation="=1+1",
        job_title="#N/A",
    )  # fmt: skip

    rows = as_dicts(read_xlsx(body_of(export(staff_client, attendees.event, format="xlsx"))))

    hidden = next(row for row in rows if row["Reference"] == attendees.hidden.reference)
    assert hidden["Organisation"] == "=1+1"
    assert hidden["Job title"] == "#N/A"


def test_column_choice_and_default_columns(staff_client, attendees):
    rows = read_csv(
        body_of(
            export(
                staff_client,
                attendees.event,
                format="csv",
                columns=["reference", "email", "nationality"],
            )
        ),
        ",",
    )
    assert rows[0] == ["Reference", "E-mail", "Nationality"]

    page = staff_client.get(f"/en/staff/events/{attendees.event.slug}/export/")
    checked = [
        name for name in ALL_COLUMNS
        if f'value="{name}"' in page.content.decode() and f'value="{name}"\n' not in ""
    ]  # fmt: skip
    assert checked  # the form lists every column
    for name in DEFAULT_COLUMNS:
        assert f'name="columns" value="{name}"' in page.content.decode()


def test_sharing_list_holds_only_confirmed_delegates_who_agreed_and_only_shareable_columns(
    staff_client, attendees
):
    rows = as_dicts(
        read_csv(
            body_of(export(staff_client, attendees.event, format="csv", variant="sharing")), ","
        )
    )

    assert list(rows[0]) == ["First name", "Last name", "Job title", "Organisation", "Country"]
    assert sorted(row["Last name"] for row in rows) == ["Нұрланқызы", "Петров"]
    log = ExportLog.objects.get()
    assert log.variant == "sharing"
    assert log.row_count == 2


def test_filters_with_the_admins_parameter_names(staff_client, attendees):
    def references(query):
        rows = as_dicts(
            read_csv(
                body_of(
                    export(
                        staff_client,
                        attendees.event,
                        format="csv",
                        columns=["reference"],
                        query=query,
                    )
                ),
                ",",
            )
        )
        return {row["Reference"] for row in rows}

    assert references("status__exact=pending") == {attendees.english.reference}
    assert references(f"category__id__exact={attendees.speakers.pk}") == {
        attendees.english.reference
    }
    assert references("country__exact=KZ") == {
        attendees.kazakh.reference,
        attendees.hidden.reference,
    }
    assert references("visa_letter_needed__exact=1") == {attendees.kazakh.reference}
    assert attendees.kazakh.reference not in references("visa_letter_needed__exact=0")
    assert references("checked_in=yes") == {attendees.kazakh.reference}
    # Without a status filter, the cancelled registration is left out (attendees only).
    assert len(references("checked_in=no")) == 3
    assert len(references("checked_in=no&statuses=all")) == 4
    assert references("status__exact=cancelled") == {attendees.cancelled.reference}
    assert references("q=петров") == {attendees.russian.reference}
    assert references(f"q={attendees.english.reference}") == {attendees.english.reference}
    assert references("q=anna+smith") == {attendees.english.reference}
    today = datetime.date.today()
    tomorrow = today + datetime.timedelta(days=2)
    assert (
        len(
            references(
                f"created_at__gte={today - datetime.timedelta(days=1)}&created_at__lt={tomorrow}"
            )
        )
        == 4
    )
    assert references(f"created_at__gte={tomorrow}") == set()
    # The admin's own keys (ordering, page, the event filter) are ignored.
    assert len(references("o=1&p=2&event__id__exact=999&_changelist_filters=x")) == 4


@pytest.mark.parametrize(
    "query",
    ["status__exact=paid", "category__id__exact=abc", "country__exact=XX",
     "visa_letter_needed__exact=maybe", "checked_in=2", "created_at__gte=yesterday",
     "created_at__lt=2026-13-45"],
)  # fmt: skip
def test_bad_filter_values_are_a_400_with_a_message_never_a_500(staff_client, attendees, query):
    url = f"/en/staff/events/{attendees.event.slug}/export/?{query}"

    for response in (
        staff_client.get(url),
        staff_client.post(url, {"format": "csv", "columns": ["reference"]}),
    ):
        assert response.status_code == 400
        assert "The filters in the address are not valid" in response.content.decode()
    assert not ExportLog.objects.exists()


def test_a_nul_character_in_the_filters_is_a_400_never_a_500(staff_client, attendees):
    # Refused before the view by minex.middleware.RejectNullCharactersMiddleware.
    url = f"/en/staff/events/{attendees.event.slug}/export/?q=%00"

    for response in (
        staff_client.get(url),
        staff_client.post(url, {"format": "csv", "columns": ["reference"]}),
    ):
        assert response.status_code == 400
        assert "characters the portal cannot accept" in response.content.decode()
    assert not ExportLog.objects.exists()


def test_every_export_is_logged(staff_client, attendees):
    organiser = staff_client.session["_auth_user_id"]
    export(
        staff_client,
        attendees.event,
        format="csv",
        columns=["reference", "email"],
        query="status__exact=confirmed&o=2",
    )
    body_of(export(staff_client, attendees.event, format="csv_semicolon", variant="sharing"))
    export(staff_client, attendees.event, format="xlsx", columns=["reference"], lang="ru")

    first, second, third = ExportLog.objects.order_by("pk")
    assert str(first.user_id) == organiser
    assert first.event == attendees.event
    assert (first.format, first.variant) == ("csv", "full")
    assert first.filters == {"status__exact": "confirmed"}
    assert first.columns == ["reference", "email"]
    assert first.language == "en"
    assert (second.format, second.variant) == ("csv_semicolon", "sharing")
    assert second.columns == ["first_name", "last_name", "job_title", "organisation", "country"]
    assert second.row_count == 2
    assert (third.format, third.language, third.row_count, third.status) == (
        "xlsx",
        "ru",
        4,
        "done",
    )
    assert first.created_at <= second.created_at <= third.created_at


def test_streamed_csv_is_logged_with_its_row_count_once_sent(staff_client, attendees):
    response = export(staff_client, attendees.event, format="csv", query="status__exact=confirmed")
    log = ExportLog.objects.get()
    assert log.status == ExportLog.Status.RUNNING

    body_of(response)

    log.refresh_from_db()
    assert log.status == ExportLog.Status.DONE
    assert (
        log.row_count
        == Registration.objects.filter(event=attendees.event, status="confirmed").count()
        == 3
    )


def test_the_export_form_needs_a_column(staff_client, attendees):
    response = export(staff_client, attendees.event, format="csv", columns=[])

    assert response.status_code == 400
    assert "Choose at least one column." in response.content.decode()
    assert not ExportLog.objects.exists()


def test_date_filters_in_the_admins_own_format_and_in_the_events_time_zone(staff_client, attendees):
    def count(query):
        response = export(
            staff_client, attendees.event, format="csv", columns=["reference"], query=query
        )
        assert response.status_code == 200, query
        return len(as_dicts(read_csv(body_of(response), ",")))

    # DateFieldListFilter links carry aware date-times: "2026-05-01 00:00:00+05:00".
    today = timezone.localdate(timezone=attendees.event.tz)
    start = f"{today} 00:00:00+05:00".replace("+", "%2B").replace(" ", "+")
    assert count(f"created_at__gte={start}") == 4
    # A plain date is midnight at the venue (Asia/Almaty), not in UTC.
    tomorrow = today + datetime.timedelta(days=1)
    assert count(f"created_at__lt={tomorrow}") == 4
    assert count(f"created_at__gte={tomorrow}") == 0


def test_export_page_describes_the_filters_it_received(staff_client, attendees):
    page = staff_client.get(
        f"/en/staff/events/{attendees.event.slug}/export/"
        f"?category__id__exact={attendees.speakers.pk}&status__exact=pending&o=3"
    ).content.decode()

    assert "<dd>Speaker</dd>" in page
    assert "<dd>Pending approval</dd>" in page
    assert (
        f'action="/en/staff/events/{attendees.event.slug}/export/'
        f'?status__exact=pending&amp;category__id__exact={attendees.speakers.pk}"'
    ) in page
