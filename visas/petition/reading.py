"""Reading the petition numbers uploaded back: a CSV or XLSX turned into rows, or refused.

The file is the downloaded list with its "Petition number" column filled in, or any sheet
with a petition-number column and a request- or letter-number column (headers in any of the
portal's languages, or the column names). Reading refuses, with a translated message and
nothing applied: an empty file, one above `VISA_PETITION_UPLOAD_MAX_BYTES` or
`VISA_PETITION_UPLOAD_MAX_ROWS`, a file that is neither CSV (UTF-8, or Windows-1251 as
Russian Excel saves it) nor XLSX (nor an XLSX unpacking to far more than a list would), one
without the columns, and malformed rows (a petition number without a request or letter
number, or a number that is not one line of at most 50 characters) — all listed.
"""

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import load_workbook

from ..models import VisaRequest
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


class UploadError(Exception):
    """The file cannot be used; `messages` are translated and fit to show."""

    def __init__(self, *messages: str):
        self.messages = list(messages)
        super().__init__(" ".join(self.messages))


@dataclass(frozen=True)
class UploadedRow:
    line: int  # the row's number in the file (the header is its first non-empty row)
    request_number: str
    letter_number: str
    petition_number: str

    def as_list(self) -> list:
        return [self.line, self.request_number, self.letter_number, self.petition_number]


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
