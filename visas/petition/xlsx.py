"""The migration-service list as an XLSX workbook (openpyxl's write-only mode).

Formula injection: a spreadsheet runs a cell that is a formula. Every text here goes in as an
explicit string cell, which Excel and LibreOffice never evaluate, so a name typed as
`=HYPERLINK(...)` stays that text (unlike CSV, no apostrophe is needed); characters XML
cannot hold (control characters) are dropped. Dates are date cells (yyyy-mm-dd).

The requests of one event are few (hundreds at most) and their passport data must be
decrypted in Python anyway (encrypted columns cannot be sorted or measured in SQL): the rows
are read once, sorted by name, measured for the column widths, then written.
"""

import datetime

from django.db.models import Prefetch, QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from events.models import Event

from ..models import VisaLetter, VisaRequest
from .columns import COLUMNS, DATE, PetitionContext, petition_row

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

LISTED_STATUSES = (
    VisaRequest.Status.IN_REVIEW,
    VisaRequest.Status.PETITION_FILED,
    VisaRequest.Status.LETTER_ISSUED,
)
DATE_FORMAT = "yyyy-mm-dd"
DATE_WIDTH = 10
# Room beside a header for the filter's drop-down button; a cap so that one long value does
# not push the other columns off screen (the cell still holds the whole text).
FILTER_BUTTON_WIDTH = 3
MAX_COLUMN_WIDTH = 50


def petition_requests(event: Event) -> QuerySet[VisaRequest]:
    """The event's requests on the list (`LISTED_STATUSES`, passport data not wiped), with
    their registration and current letter: two queries."""
    return (
        VisaRequest.objects.filter(
            registration__event=event,
            status__in=LISTED_STATUSES,
            passport_data_wiped_at__isnull=True,
        )
        .select_related("registration")
        .prefetch_related(
            Prefetch(
                "letters",
                queryset=VisaLetter.objects.exclude(status=VisaLetter.Status.VOID),
                to_attr="current_letters",
            )
        )
    )


def petition_rows(event: Event, context: PetitionContext) -> list[list]:
    """One row per person, sorted by surname and given names (as in the passport)."""
    requests = sorted(
        petition_requests(event),
        key=lambda r: (r.surname.casefold(), r.given_names.casefold(), r.pk),
    )
    return [petition_row(request, context) for request in requests]


def column_widths(rows: list[list]) -> list[int]:
    widths = []
    for index, column in enumerate(COLUMNS):
        if column.kind == DATE:
            content = DATE_WIDTH
        else:
            content = max((len(str(row[index] or "")) for row in rows), default=0)
        header = len(column.header) + FILTER_BUTTON_WIDTH
        widths.append(max(header, min(content + 1, MAX_COLUMN_WIDTH)))
    return widths


def write_petition_list(rows: list[list], target, *, sheet_title: str) -> int:
    """Write the header and `rows` to `target` (a path or a binary file); return the number
    of rows. The header is bold and frozen, with an autofilter over the whole list."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    # Before any row: write-only mode writes the widths at the top of the sheet.
    for index, width in enumerate(column_widths(rows), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = _text_cell(sheet, column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    # After the rows: write-only mode writes the filter at the end of the sheet.
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(rows) + 1}"
    workbook.save(target)
    return len(rows)


def _text_cell(sheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    # Set the value and the type directly: openpyxl's setter would read "=..." as a formula.
    cell._value = ILLEGAL_CHARACTERS_RE.sub("", text)[:32767]
    cell.data_type = "s"
    return cell


def _cell(sheet, value):
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return _text_cell(sheet, str(value))
