"""Petition numbers uploaded back: read a CSV or XLSX, match its rows to the event's visa
requests, report, and apply on confirmation.

The file is the downloaded list with its "Petition number" column filled in, or any sheet
with a petition-number column and a request- or letter-number column (headers in any of the
portal's languages, or the column names). Reading refuses, with a translated message and
nothing applied: an empty file, one above `VISA_PETITION_UPLOAD_MAX_BYTES` or
`VISA_PETITION_UPLOAD_MAX_ROWS`, a file that is neither CSV (UTF-8, or Windows-1251 as
Russian Excel saves it) nor XLSX, one without the columns, and malformed rows (a petition
number without a request or letter number, or a number that is not one line of at most 50
characters) — all listed.

Matching (`match_rows`) sorts every row into one outcome: to record (the request is
requested or in review), already recorded (the same number: a no-op), conflicting (another
number already recorded, a refused or withdrawn request, two numbers for one request in the
file, or a request and a letter number naming different requests) and unmatched (no request
of this event has the number: another event's numbers are unmatched too). Rows without a
petition number are skipped (not filed yet).

Applying (`apply_upload`) matches again, inside one transaction, and records every row "to
record" through `services.record_petition` (audited, the delegate e-mailed) — or nothing, if
the requests changed since the report was shown or a service refuses one.
"""

import csv
import datetime
import enum
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import load_workbook

from events.models import Event

from .. import services
from ..models import VisaLetter, VisaRequest
from .columns import COLUMNS_BY_NAME, KEY_COLUMNS, PETITION_NUMBER_COLUMN

PETITION_NUMBER_MAX_LENGTH = VisaRequest._meta.get_field("petition_number").max_length
# Cells read per row: the list has 15 columns; a sheet far wider is not this list.
MAX_COLUMNS = 60
# Malformed rows named in the message; the rest are counted.
MAX_PROBLEMS_SHOWN = 20
# An XLSX is a zip: a small file can unpack to gigabytes (openpyxl holds the shared strings
# in memory). The list unpacks to about ten times its size; refuse far beyond that.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")

Status = VisaRequest.Status


class UploadError(Exception):
    """The file cannot be used; `messages` are translated and fit to show."""

    def __init__(self, *messages: str):
        self.messages = list(messages)
        super().__init__(" ".join(self.messages))


class UploadChanged(UploadError):
    """The requests changed between the report and the confirmation: nothing was applied."""


@dataclass(frozen=True)
class UploadedRow:
    line: int  # the row's number in the file (the header is its first non-empty row)
    request_number: str
    letter_number: str
    petition_number: str

    def as_list(self) -> list:
        return [self.line, self.request_number, self.letter_number, self.petition_number]


class Outcome(enum.StrEnum):
    TO_RECORD = "to_record"
    ALREADY_RECORDED = "already_recorded"
    CONFLICT = "conflict"
    UNMATCHED = "unmatched"
    SKIPPED = "skipped"


@dataclass
class ReportRow:
    row: UploadedRow
    outcome: Outcome
    request: VisaRequest | None = None
    note: str = ""

    @property
    def key(self) -> str:
        return self.row.request_number or self.row.letter_number


@dataclass
class UploadReport:
    rows: list[ReportRow] = field(default_factory=list)

    def _with(self, outcome: Outcome) -> list[ReportRow]:
        return [row for row in self.rows if row.outcome == outcome]

    @property
    def to_record(self) -> list[ReportRow]:
        return self._with(Outcome.TO_RECORD)

    @property
    def already_recorded(self) -> list[ReportRow]:
        return self._with(Outcome.ALREADY_RECORDED)

    @property
    def conflicts(self) -> list[ReportRow]:
        return self._with(Outcome.CONFLICT)

    @property
    def unmatched(self) -> list[ReportRow]:
        return self._with(Outcome.UNMATCHED)

    @property
    def skipped(self) -> list[ReportRow]:
        return self._with(Outcome.SKIPPED)

    def planned(self) -> list[list]:
        """What applying would record: [request id, petition number] pairs, sorted."""
        return sorted([row.request.pk, row.row.petition_number] for row in self.to_record)


# Reading -----------------------------------------------------------------------------------


def read_upload(uploaded) -> list[UploadedRow]:
    """The rows of an uploaded file (a Django UploadedFile) or raise UploadError."""
    max_bytes = settings.VISA_PETITION_UPLOAD_MAX_BYTES
    if uploaded.size is not None and uploaded.size > max_bytes:
        raise UploadError(too_large_message())
    content = uploaded.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise UploadError(too_large_message())
    if not content.strip():
        raise UploadError(_("The file is empty."))
    if content.startswith(XLSX_MAGIC):
        table = _xlsx_table(content)
    elif content.startswith(OLE_MAGIC):
        raise UploadError(
            _("This is an old Excel file (.xls). Save it as .xlsx or as CSV and upload it again.")
        )
    else:
        table = _csv_table(content)
    return _rows_of(table)


def too_large_message() -> str:
    max_bytes = settings.VISA_PETITION_UPLOAD_MAX_BYTES
    megabyte = 1024 * 1024
    size = f"{max_bytes / megabyte:.0f} MB" if max_bytes >= megabyte else f"{max_bytes} B"
    return _("The file is larger than %(size)s. Upload only the list.") % {"size": size}


def _not_a_table() -> UploadError:
    return UploadError(_("This file is neither a CSV nor an XLSX spreadsheet."))


def _csv_table(content: bytes):
    if b"\x00" in content:
        raise _not_a_table()
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1251")  # Russian Excel's "CSV" without UTF-8
        except UnicodeDecodeError:
            raise _not_a_table() from None
    if _CONTROL.search(text):
        raise _not_a_table()
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error:
        raise UploadError(_("The CSV file is malformed (check its quotes).")) from None


def _xlsx_table(content: bytes):
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _unreadable_xlsx() from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise _unreadable_xlsx()
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            yield [_cell_text(value) for value in row]
    except UploadError:
        raise
    except Exception:  # any fault in an untrusted zip or its XML is the file's, not ours
        raise _unreadable_xlsx() from None


def _unreadable_xlsx() -> UploadError:
    return UploadError(_("This XLSX file cannot be read. Save it again and upload it."))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number typed into a cell: 1234567, not 1234567.0
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return str(value)


def _header_names() -> dict[str, str]:
    """Every header an upload's columns are known by: the column names and the translated
    headers in each language, normalised."""
    names = {}
    for name in (*KEY_COLUMNS, PETITION_NUMBER_COLUMN):
        names[_normalise(name)] = name
        for code, _language in settings.LANGUAGES:
            with translation.override(code):
                names[_normalise(COLUMNS_BY_NAME[name].header)] = name
    return names


def _normalise(header: str) -> str:
    return _SPACES.sub(" ", header).strip().casefold()


def _rows_of(table) -> list[UploadedRow]:
    max_rows = settings.VISA_PETITION_UPLOAD_MAX_ROWS
    known = _header_names()
    positions = None
    rows: list[UploadedRow] = []
    problems: list[str] = []
    for line, cells in enumerate(table, start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if positions is None:
            positions = {}
            for index, header in enumerate(cells):
                positions.setdefault(known.get(_normalise(header)), index)
            positions.pop(None, None)
            if PETITION_NUMBER_COLUMN not in positions or not any(
                name in positions for name in KEY_COLUMNS
            ):
                raise UploadError(_wrong_columns())
            continue
        if len(rows) >= max_rows:
            raise UploadError(
                ngettext(
                    "The file has more than %(count)d row. Upload at most %(count)d rows.",
                    "The file has more than %(count)d rows. Upload at most %(count)d rows.",
                    max_rows,
                )
                % {"count": max_rows}
            )

        row = UploadedRow(
            line=line,
            request_number=_cell(cells, positions, "request"),
            letter_number=_cell(cells, positions, "letter"),
            petition_number=_cell(cells, positions, PETITION_NUMBER_COLUMN),
        )
        problem = _row_problem(row)
        if problem:
            problems.append(_("Row %(line)d: %(problem)s") % {"line": line, "problem": problem})
        rows.append(row)
    if positions is None:
        raise UploadError(_("The file is empty."))
    if not rows:
        raise UploadError(_("The file has no rows below its header."))
    if problems:
        shown = problems[:MAX_PROBLEMS_SHOWN]
        hidden = len(problems) - len(shown)
        if hidden:
            shown.append(
                ngettext("…and %(count)d more row.", "…and %(count)d more rows.", hidden)
                % {"count": hidden}
            )
        raise UploadError(_("Nothing was recorded: correct these rows and upload again."), *shown)
    return rows


def _cell(cells: list[str], positions: dict[str, int], name: str) -> str:
    index = positions.get(name)
    return cells[index] if index is not None and index < len(cells) else ""


def _wrong_columns() -> str:
    return _(
        "The file's first row must name a “%(petition)s” column and a “%(request)s” or "
        "“%(letter)s” column, as the downloaded list does."
    ) % {
        "petition": COLUMNS_BY_NAME[PETITION_NUMBER_COLUMN].header,
        "request": COLUMNS_BY_NAME["request"].header,
        "letter": COLUMNS_BY_NAME["letter"].header,
    }


def _row_problem(row: UploadedRow) -> str:
    if not row.petition_number:
        return ""  # not filed yet: skipped
    if not (row.request_number or row.letter_number):
        return _("a petition number without a request or letter number.")
    number = row.petition_number
    if len(number) > PETITION_NUMBER_MAX_LENGTH or not number.isprintable():
        return _("the petition number must be one line of at most %(count)d characters.") % {
            "count": PETITION_NUMBER_MAX_LENGTH
        }
    return ""


# Matching ----------------------------------------------------------------------------------


def match_rows(event: Event, rows: list[UploadedRow]) -> UploadReport:
    """Sort `rows` into outcomes against the event's requests (see the module's docstring).
    Three queries whatever the number of rows."""
    requests = {
        request.pk: request
        for request in VisaRequest.objects.filter(registration__event=event).select_related(
            "registration"
        )
    }
    by_request_number = {request.number.upper(): request for request in requests.values()}
    by_letter_number = {
        number.upper(): requests[request_id]
        for number, request_id in VisaLetter.objects.filter(
            request__registration__event=event
        ).values_list("number", "request_id")
    }
    report = UploadReport()
    numbers_in_file: dict[int, set[str]] = {}
    for row in rows:
        report_row = _match_row(row, by_request_number, by_letter_number)
        report.rows.append(report_row)
        if report_row.request is not None and row.petition_number:
            numbers_in_file.setdefault(report_row.request.pk, set()).add(row.petition_number)
    seen: set[int] = set()
    for report_row in report.rows:
        request = report_row.request
        if request is None or report_row.outcome in (Outcome.UNMATCHED, Outcome.SKIPPED):
            continue
        if len(numbers_in_file[request.pk]) > 1:
            report_row.outcome = Outcome.CONFLICT
            report_row.note = _("The file gives this request more than one petition number.")
        elif request.pk in seen and report_row.outcome == Outcome.TO_RECORD:
            report_row.outcome = Outcome.ALREADY_RECORDED
            report_row.note = _("Repeated in the file.")
        seen.add(request.pk)
    return report


def _match_row(row: UploadedRow, by_request_number, by_letter_number) -> ReportRow:
    if not row.petition_number:
        return ReportRow(row, Outcome.SKIPPED, note=_("No petition number yet."))
    found = []
    keys = ((row.request_number, by_request_number), (row.letter_number, by_letter_number))
    for number, known in keys:
        if not number:
            continue
        request = known.get(number.upper())
        if request is None:
            return ReportRow(
                row,
                Outcome.UNMATCHED,
                note=_("No visa request of this event has the number %(number)s.")
                % {"number": number},
            )
        found.append(request)
    request = found[0]
    if any(other.pk != request.pk for other in found):
        return ReportRow(
            row,
            Outcome.CONFLICT,
            request,
            _("The request number and the letter number belong to different requests."),
        )
    if request.status in (Status.REQUESTED, Status.IN_REVIEW):
        return ReportRow(row, Outcome.TO_RECORD, request)
    if request.status in (Status.PETITION_FILED, Status.LETTER_ISSUED):
        if request.petition_number == row.petition_number:
            return ReportRow(row, Outcome.ALREADY_RECORDED, request)
        return ReportRow(
            row,
            Outcome.CONFLICT,
            request,
            _("Petition number %(number)s is already recorded; correct it on the request.")
            % {"number": request.petition_number},
        )
    return ReportRow(
        row,
        Outcome.CONFLICT,
        request,
        _("The request is %(status)s.") % {"status": request.get_status_display().lower()},
    )


# Applying ----------------------------------------------------------------------------------


def apply_upload(
    event: Event, rows: list[UploadedRow], *, planned: list[list], acting_user
) -> UploadReport:
    """Record the petition numbers of the rows "to record", all or none, in one transaction.

    `planned` is what the report the user confirmed would record (`UploadReport.planned`);
    the rows are matched again inside the transaction and, if that is no longer what they
    would record (someone recorded or withdrew meanwhile), UploadChanged is raised with
    nothing changed. A service refusing one row (`services.VisaError`) rolls back all of
    them and is raised as UploadChanged too.

    Side effects, per row, in the service's order: the number and status, a history row,
    the delegate's e-mail (through the outbox, after commit)."""
    with transaction.atomic():
        # The planned requests locked first (by id, as the services lock one at a time), so
        # nobody records or withdraws one of them between this match and its recording.
        planned_ids = sorted({request_id for request_id, _number in planned})
        list(
            VisaRequest.objects.select_for_update(no_key=True)
            .filter(pk__in=planned_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        report = match_rows(event, rows)
        if report.planned() != sorted(planned):
            raise UploadChanged(
                _(
                    "The requests changed since the report was made, so nothing was recorded. "
                    "Check the new report and confirm again."
                )
            )
        for report_row in report.to_record:
            try:
                services.record_petition(
                    report_row.request,
                    petition_number=report_row.row.petition_number,
                    acting_user=acting_user,
                )
            except services.VisaError as error:
                # Raised inside the atomic block: every row recorded before it rolls back.
                raise UploadChanged(
                    _("Row %(line)d: %(problem)s Nothing was recorded.")
                    % {"line": report_row.row.line, "problem": error.message}
                ) from None
    return report
