"""Matching uploaded petition numbers to an event's visa requests, and applying them.

Matching (`match_rows`) sorts every row into one outcome: to record (the request is
requested or in review), already recorded (the same number: a no-op), conflicting (another
number already recorded, a refused or withdrawn request, two numbers for one request in the
file, or a request and a letter number naming different requests) and unmatched (no request
of this event has the number: another event's numbers are unmatched too). Rows without a
petition number are skipped (not filed yet).

Applying (`apply_upload`) matches again, inside one transaction with the planned requests
locked, and records every row "to record" through `services.record_petition` (audited, the
delegate e-mailed) — or nothing, if the requests changed since the report was shown or a
service refuses one.
"""

import enum
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from events.models import Event

from .. import services
from ..models import VisaLetter, VisaRequest
from .reading import UploadedRow, UploadError

Status = VisaRequest.Status


class UploadChanged(UploadError):
    """The requests changed between the report and the confirmation: nothing was applied."""


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
