"""The site-visit manifest: who goes to the mine, for its security desk (CSV or XLSX).

Columns: surname, first name, passport name, nationality, organisation, PPE size, the
registration's reference. The passport name and the nationality are special personal data
(`Registration.SPECIAL_PERSONAL_DATA_FIELDS`): only holders of
`accounts.view_special_personal_data` get them; for anyone else the columns are left out, not
emptied. Texts are made inert for spreadsheets by the exports app's writers (formula
injection)."""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_countries import countries

from exports.writers import BOM, neutralise, write_xlsx

from .models import AddOn, AddOnBooking
from .selectors import manifest_bookings

SPECIAL_PERMISSION = "accounts.view_special_personal_data"


@dataclass(frozen=True)
class ManifestColumn:
    name: str
    label: object
    value: Callable[[AddOnBooking], str]
    special: bool = False
    width: int = 20

    def header(self, context=None) -> str:
        return str(self.label)


def _passport_name(booking: AddOnBooking) -> str:
    return booking.passport_name or booking.registration.latin_name


def _nationality(booking: AddOnBooking) -> str:
    code = booking.registration.nationality.code if booking.registration.nationality else ""
    return f"{countries.name(code)} ({code})" if code else ""


COLUMNS = (
    ManifestColumn("last_name", _("Surname"), lambda b: b.registration.last_name, width=20),
    ManifestColumn("first_name", _("First name"), lambda b: b.registration.first_name, width=20),
    ManifestColumn(
        "passport_name", _("Name as in the passport"), _passport_name, special=True, width=30
    ),
    ManifestColumn("nationality", _("Nationality"), _nationality, special=True, width=24),
    ManifestColumn(
        "organisation", _("Organisation"), lambda b: b.registration.organisation, width=32
    ),
    ManifestColumn("ppe_size", _("PPE size"), lambda b: b.get_ppe_size_display(), width=10),
    ManifestColumn("reference", _("Reference"), lambda b: b.registration.reference, width=18),
)


def manifest_columns(add_on: AddOn, *, special_personal_data: bool) -> list[ManifestColumn]:
    """The columns this reader may see; the PPE size only when the add-on asks for it."""
    return [
        column
        for column in COLUMNS
        if (special_personal_data or not column.special)
        and (column.name != "ppe_size" or add_on.asks_ppe_size)
    ]


def manifest_rows(add_on: AddOn, columns) -> Iterator[list[str]]:
    for booking in manifest_bookings(add_on):
        yield [column.value(booking) or "" for column in columns]


def manifest_csv(add_on: AddOn, columns) -> bytes:
    """The manifest as UTF-8 CSV with a BOM (Excel opens Cyrillic correctly), CRLF lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(column.header()) for column in columns])
    for row in manifest_rows(add_on, columns):
        writer.writerow([neutralise(value) for value in row])
    return BOM + buffer.getvalue().encode()


def manifest_xlsx(add_on: AddOn, columns) -> bytes:
    target = io.BytesIO()
    write_xlsx(
        manifest_rows(add_on, columns),
        columns,
        None,
        target,
        sheet_title=str(_("Manifest")),
        widths=[column.width for column in columns],
    )
    return target.getvalue()
