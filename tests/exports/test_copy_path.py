"""The fast CSV path (PostgreSQL's COPY, neutralising in SQL) and the Python path (any
database) write the same list: same rows, same values, same neutralising, in every language."""

import pytest
from django.utils import translation

from exports import selectors, writers
from exports.columns import COLUMNS, ExportContext, columns_named
from registrations.services import update_registration_details

from .conftest import make_staff, read_csv

pytestmark = pytest.mark.django_db


def both_paths(event, *, lang, delimiter=",", sharing=False, filters=None):
    columns = columns_named(COLUMNS)
    filters = {"statuses": "all"} if filters is None else filters
    queryset = selectors.export_registrations(event, filters, sharing=sharing, language=lang)
    with translation.override(lang):
        context = ExportContext.for_event(event)
        python = b"".join(writers.stream_csv(queryset, columns, context, delimiter=delimiter))
        copy = b"".join(writers.stream_csv_copy(queryset, columns, context, delimiter=delimiter))
    # Byte for byte, line ends included: a reader must not be able to tell the paths apart.
    assert copy == python
    return read_csv(python, delimiter), read_csv(copy, delimiter)


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_copy_and_python_paths_write_the_same_rows(attendees, lang, delimiter):
    python, copy = both_paths(attendees.event, lang=lang, delimiter=delimiter)

    assert len(python) == 6
    assert copy == python


def test_copy_path_neutralises_every_trigger_and_keeps_awkward_texts_intact(attendees):
    secretariat = make_staff(all_forums=True)
    update_registration_details(
        attendees.hidden,
        acting_user=secretariat,
        organisation='Dr "Quote", Semi;colon\nSecond line',
        job_title="\tTabbed",
        dietary_needs="\rReturn first",
        accessibility_needs="=cmd|' /C calc'!A0",
    )
    update_registration_details(
        attendees.english, acting_user=secretariat, organisation="-", job_title="@"
    )

    python, copy = both_paths(attendees.event, lang="en", delimiter=";")

    assert copy == python
    header = python[0]
    hidden = dict(
        zip(header, next(r for r in python if r[0] == attendees.hidden.reference), strict=True)
    )
    assert hidden["Organisation"] == 'Dr "Quote", Semi;colon\nSecond line'
    assert hidden["Job title"] == "'\tTabbed"
    assert hidden["Dietary needs"] == "'\rReturn first"
    assert hidden["Accessibility needs"] == "'=cmd|' /C calc'!A0"
    english = dict(
        zip(header, next(r for r in python if r[0] == attendees.english.reference), strict=True)
    )
    assert (english["Organisation"], english["Job title"]) == ("'-", "'@")


def test_copy_path_reports_its_row_count(attendees):
    counts = []
    columns = columns_named(["reference"])
    queryset = selectors.export_registrations(attendees.event, {"status__exact": "confirmed"})
    with translation.override("en"):
        b"".join(
            writers.stream_csv_copy(
                queryset, columns, ExportContext.for_event(attendees.event), delimiter=",",
                on_finish=counts.append,
            )
        )  # fmt: skip
    assert counts == [3]


def test_neutralise_rules():
    assert writers.neutralise("=1+1") == "'=1+1"
    assert writers.neutralise("+77012345678") == "'+77012345678"
    assert writers.neutralise("+77012345678", "phone") == "+77012345678"
    assert writers.neutralise("+7 701 =1", "phone") == "'+7 701 =1"
    assert writers.neutralise("Казахстан") == "Казахстан"
    assert writers.neutralise("a=1") == "a=1"
    assert writers.neutralise("") == ""


def test_crlf_line_ends_leave_line_breaks_inside_quotes_alone_across_blocks():
    stream = b'a,"x\ny ""q"" z\n",b\nc,d\n'
    blocks = [stream[:4], stream[4:9], stream[9:10], stream[10:]]  # split mid-field, mid-quote

    assert b"".join(writers.crlf_line_ends(blocks)) == b'a,"x\ny ""q"" z\n",b\r\nc,d\r\n'
