"""Writing attendee lists as CSV and XLSX, row by row, so memory stays flat whatever the size.

Formula injection. A spreadsheet treats a cell starting with = + - @ (and, in some versions,
a tab or carriage return before them) as a formula: an organisation typed as
`=HYPERLINK("http://evil","x")` would run when the secretariat opens the list.
- CSV: such a text gets a leading apostrophe, which Excel and LibreOffice show as plain text.
  The one exception is the phone column when the value is a bare E.164 number (`+77012345678`,
  the only shape the phone field stores): a plus followed by digits is a number, never a
  formula, and the organisers need the plus to dial. Anything else in that column is
  neutralised like any text.
- XLSX: every text is written as a string cell (never a formula or an error code), so it needs
  no apostrophe: `=1+1` stays the text `=1+1`.

Column widths. openpyxl's write-only mode writes the column widths before the first row, so
they cannot be learnt from the rows as they stream: on PostgreSQL one aggregate query measures
each column's longest value first (`measure`, the same query that counts the rows), elsewhere
the column's declared typical width stands in.
"""

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator

from django.db import connection
from django.db.models import Case, CharField, Count, F, Func, Max, Q, QuerySet, Value, When
from django.db.models.functions import Length, NullIf
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .columns import DATETIME, PHONE, Column, ExportContext

BOM = codecs.BOM_UTF8
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
E164 = re.compile(r"\+[0-9]+\Z")
# The same rules in PostgreSQL's regular-expression syntax (the tab and CR are literal).
SQL_FORMULA_START = "^([-=+@\t\r])"
SQL_E164 = r"^\+[0-9]+$"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
# Rows per chunk handed to the web server: big enough to keep the per-chunk overhead small.
CSV_ROWS_PER_CHUNK = 500
QUERY_CHUNK_SIZE = 2000
# XLSX column widths, in characters: room beside the header for the filter's drop-down
# button, and a cap so that one long organisation name does not push the rest off screen
# (the cell still holds the whole text).
FILTER_BUTTON_WIDTH = 3
MAX_COLUMN_WIDTH = 60


def neutralise(text: str, kind: str = "text") -> str:
    """`text` made inert for a spreadsheet (see the module's docstring)."""
    if text.startswith(FORMULA_START) and not (kind == PHONE and E164.match(text)):
        return "'" + text
    return text


def csv_value(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == DATETIME:
        return value.strftime(DATETIME_FORMAT)
    return neutralise(str(value), kind)


def header_line(
    columns: list[Column], context: ExportContext, delimiter: str, lineterminator: str
) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator).writerow(
        [neutralise(column.header(context)) for column in columns]
    )
    return BOM + buffer.getvalue().encode()


def select_for(queryset: QuerySet, columns: list[Column]) -> QuerySet:
    """The registrations with only what the columns read: one query, no N+1."""
    fields = {name for column in columns for name in column.fields}
    annotations = {name: value for column in columns for name, value in column.annotations.items()}
    queryset = queryset.only(*(fields or {"pk"})).annotate(**annotations)
    if any(name.startswith("category__") for name in fields):
        queryset = queryset.select_related("category")
    return queryset


def registration_rows(
    queryset: QuerySet, columns: list[Column], context: ExportContext
) -> Iterator[list]:
    """Python values, one list per registration (datetimes naive, event-local)."""
    for registration in select_for(queryset, columns).iterator(chunk_size=QUERY_CHUNK_SIZE):
        yield [column.value(registration, context) for column in columns]


# CSV --------------------------------------------------------------------------------------


def stream_csv(
    queryset: QuerySet,
    columns: list[Column],
    context: ExportContext,
    *,
    delimiter: str,
    on_finish: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """The CSV file in chunks: BOM and translated headers, then the rows (Python values).

    Lines end in CRLF (RFC 4180): with a bare LF, Python's csv module would leave a field
    holding a lone CR unquoted, and Excel would break the row there."""
    yield header_line(columns, context, delimiter, "\r\n")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    kinds = [column.kind for column in columns]
    count = 0
    for row in registration_rows(queryset, columns, context):
        writer.writerow([csv_value(value, kind) for value, kind in zip(row, kinds, strict=True)])
        count += 1
        if count % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()
    if on_finish is not None:
        on_finish(count)


class Neutralised(Func):
    """SQL: `regexp_replace(text, '^([-=+@<tab><cr>])', '''\\1')`, a leading apostrophe."""

    function = "regexp_replace"
    output_field = CharField()

    def __init__(self, expression, **extra):
        super().__init__(expression, Value(SQL_FORMULA_START), Value("'\\1"), **extra)


def sql_expression(column: Column, context: ExportContext):
    """The column's SQL, neutralised like `csv_value`; empty texts as NULL so that PostgreSQL
    writes an empty field, as Python's csv module does."""
    expression = column.expression(context)
    if column.kind == DATETIME:
        return expression
    text = NullIf(expression, Value(""), output_field=CharField())
    if column.kind == PHONE:
        return Case(
            When(Q(**{f"{column.name}__regex": SQL_E164}), then=F(column.name)),
            default=Neutralised(text),
            output_field=CharField(),
        )
    return Neutralised(text)


def copy_statement(
    queryset: QuerySet, columns: list[Column], context: ExportContext, *, delimiter: str
) -> tuple[str, tuple]:
    """`COPY (SELECT <the columns as SQL>) TO STDOUT WITH CSV` and its parameters."""
    aliases = {f"export_{index}": sql_expression(column, context) for index, column in
               enumerate(columns)}  # fmt: skip
    select = queryset.annotate(**aliases).values_list(*aliases)
    sql, params = select.query.sql_with_params()
    delimiter_sql = "';'" if delimiter == ";" else "','"
    return f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, DELIMITER {delimiter_sql})", params


def stream_csv_copy(
    queryset: QuerySet,
    columns: list[Column],
    context: ExportContext,
    *,
    delimiter: str,
    on_finish: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """The same CSV as `stream_csv`, byte for byte, produced by PostgreSQL: `COPY (SELECT ...)
    TO STDOUT` through psycopg, the neutralising done in the query. Only on PostgreSQL.

    PostgreSQL quotes any field holding a CR or LF but ends its lines in LF, and COPY has no
    option for CRLF: the line ends are rewritten on the way out (`crlf_line_ends`)."""
    yield header_line(columns, context, delimiter, "\r\n")
    statement, params = copy_statement(queryset, columns, context, delimiter=delimiter)
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        with cursor.copy(statement, params) as copy:
            yield from crlf_line_ends(bytes(block) for block in copy)
        count = cursor.rowcount
    if on_finish is not None:
        on_finish(count)


def crlf_line_ends(blocks: Iterable[bytes]) -> Iterator[bytes]:
    """CSV blocks with every line end outside quotes turned from LF into CRLF.

    A line break inside a quoted field is data and stays as it is. Inside a quoted field a
    quote is doubled, so counting quotes tells inside from outside: the text between the
    n-th and (n+1)-th quote of the whole stream is inside quotes when n is odd. The state
    carries across blocks, which may split a record (or a doubled quote) anywhere."""
    inside = False
    for block in blocks:
        parts = block.split(b'"')
        for index, part in enumerate(parts):
            if not inside:
                parts[index] = part.replace(b"\n", b"\r\n")
            if index < len(parts) - 1:
                inside = not inside
        yield b'"'.join(parts)


def can_copy() -> bool:
    return connection.vendor == "postgresql"


def csv_stream(queryset, columns, context, *, delimiter, on_finish=None) -> Iterator[bytes]:
    """The fastest CSV stream this database offers: COPY on PostgreSQL, Python elsewhere."""
    writer = stream_csv_copy if can_copy() else stream_csv
    return writer(queryset, columns, context, delimiter=delimiter, on_finish=on_finish)


# XLSX -------------------------------------------------------------------------------------


def measure(
    queryset: QuerySet, columns: list[Column], context: ExportContext, *, limit: int | None = None
) -> tuple[int, list[int] | None]:
    """The number of registrations (at most `limit`: any `limit` of them are counted and
    measured, which bounds the work when the answer is only "too many") and, on PostgreSQL,
    each column's longest value in characters (0 for a column with no value), in one query;
    elsewhere the count alone and None. The values measured are the CSV's (the columns' SQL),
    which the XLSX cells show."""
    rows = queryset.order_by()
    if limit is not None:
        rows = rows[:limit]
    if not can_copy():
        return rows.count(), None
    lengths = {
        f"length_{index}": Max(Length(column.expression(context)))
        for index, column in enumerate(columns)
    }
    result = rows.aggregate(rows=Count("pk"), **lengths)
    return result["rows"], [result[name] or 0 for name in lengths]


def column_widths(
    columns: list[Column], context: ExportContext, measured: list[int] | None = None
) -> list[int]:
    """Each column's width: its longest value (`measured`, else its declared typical width)
    up to MAX_COLUMN_WIDTH, and never narrower than its header and the filter button."""
    widths = []
    for index, column in enumerate(columns):
        content = column.width if measured is None else measured[index]
        header = len(column.header(context)) + FILTER_BUTTON_WIDTH
        widths.append(max(header, min(content + 1, MAX_COLUMN_WIDTH)))
    return widths


def write_xlsx(
    rows: Iterable[list],
    columns: list[Column],
    context: ExportContext,
    target,
    *,
    sheet_title: str,
    widths: list[int] | None = None,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 2000,
) -> int:
    """Write `rows` (Python values from `registration_rows`) to `target` (a path or a binary
    file) as an XLSX workbook in openpyxl's write-only mode; return the number of rows.

    The header row is bold, frozen, and carries an autofilter over the whole list; the
    columns are `widths` wide (from `column_widths`; the declared widths by default).

    openpyxl stores a text starting with = as a formula and "#N/A" and the like as error
    codes: those go in as explicit string cells. Characters XML cannot hold (control
    characters) are dropped rather than failing the export."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    # Before any row: write-only mode writes the column widths at the top of the sheet.
    for index, width in enumerate(widths or column_widths(columns, context), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = _string_cell(sheet, column.header(context))
        cell.font = bold
        header.append(cell)
    sheet.append(header)

    count = 0
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
        count += 1
        if progress is not None and count % progress_every == 0:
            progress(count)
    # After the rows, once their number is known: write-only mode writes the filter at the
    # end of the sheet.
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    workbook.save(target)
    return count


def _string_cell(sheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    cell._value = text
    cell.data_type = "s"
    return cell


def _xlsx_value(sheet, value):
    if not isinstance(value, str):
        return value
    if not value:
        return None
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith("=") or value in ERROR_CODES:
        return _string_cell(sheet, value[:32767])
    return value
