"""The columns of the migration-service list, declared once: a name, a translated header, a
kind (text or date) and how to read the value from a visa request.

The order is the petition's: the request and letter numbers first (the keys an upload is
matched back by), then the person as in the passport, the passport, the trip, and last the
petition number (blank until filed: the secretariat fills it in and uploads the file back).
Values are read with the header language active (`PetitionContext.for_event`), so sex,
citizenship and the place of application come out in the list's language; names and numbers
are as in the passport (Latin letters).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from events.models import Event

from ..models import VisaRequest

TEXT = "text"
DATE = "date"


@dataclass(frozen=True)
class PetitionContext:
    """What every value needs besides the request, looked up once per list."""

    purpose: str
    sex: dict[str, str]
    application_kind: dict[str, str]
    country: dict[str, str]

    @classmethod
    def for_event(cls, event: Event) -> "PetitionContext":
        return cls(
            purpose=gettext("Business: participation in %(event)s, %(city)s")
            % {
                "event": event.title,
                "city": event.city,
            },
            sex={code: str(label) for code, label in VisaRequest.Sex.choices},
            application_kind={
                code: str(label) for code, label in VisaRequest.ApplicationKind.choices
            },
            country={code: str(name) for code, name in countries},
        )


@dataclass(frozen=True)
class PetitionColumn:
    name: str
    label: Promise
    value: Callable[[VisaRequest, PetitionContext], object]
    kind: str = TEXT

    @property
    def header(self) -> str:
        return str(self.label)


def _letter_number(request: VisaRequest, context: PetitionContext) -> str:
    # `current_letters`: the letters that are not void (at most one), prefetched by
    # `petition_requests`.
    letters = getattr(request, "current_letters", None) or []
    return letters[0].number if letters else ""


def _place_of_application(request: VisaRequest, context: PetitionContext) -> str:
    if request.application_kind == VisaRequest.ApplicationKind.CONSULATE:
        return request.consulate_city or context.application_kind[request.application_kind]
    return context.application_kind.get(request.application_kind, request.application_kind)


def _date(name: str) -> Callable[[VisaRequest, PetitionContext], datetime.date | None]:
    return lambda request, context: getattr(request, name)


COLUMNS: list[PetitionColumn] = [
    PetitionColumn("request", _("Request number"), lambda r, c: r.number),
    PetitionColumn("letter", _("Letter number"), _letter_number),
    PetitionColumn("surname", _("Surname"), lambda r, c: r.surname),
    PetitionColumn("given_names", _("Given names"), lambda r, c: r.given_names),
    PetitionColumn("sex", _("Sex"), lambda r, c: c.sex.get(r.sex, r.sex)),
    PetitionColumn("date_of_birth", _("Date of birth"), _date("date_of_birth"), DATE),
    PetitionColumn(
        "citizenship",
        _("Citizenship"),
        lambda r, c: c.country.get(str(r.nationality), str(r.nationality)),
    ),
    PetitionColumn("passport_number", _("Passport number"), lambda r, c: r.passport_number),
    PetitionColumn(
        "passport_issued_on", _("Passport issued on"), _date("passport_issued_on"), DATE
    ),
    PetitionColumn(
        "passport_expires_on", _("Passport valid until"), _date("passport_expires_on"), DATE
    ),
    PetitionColumn(
        "purpose", pgettext_lazy("visit", "Purpose of the visit"), lambda r, c: c.purpose
    ),
    PetitionColumn("entry_date", _("Entry date"), _date("entry_date"), DATE),
    PetitionColumn("exit_date", _("Exit date"), _date("exit_date"), DATE),
    PetitionColumn("place_of_application", _("Place of application"), _place_of_application),
    PetitionColumn("petition_number", _("Petition number"), lambda r, c: r.petition_number),
]

COLUMNS_BY_NAME = {column.name: column for column in COLUMNS}
# The columns an upload is read by: a key (either number) and the petition number.
KEY_COLUMNS = ("request", "letter")
PETITION_NUMBER_COLUMN = "petition_number"


def petition_row(request: VisaRequest, context: PetitionContext) -> list:
    return [column.value(request, context) for column in COLUMNS]
