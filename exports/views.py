"""Staff pages: the events one may see, an event's dashboard, its attendee exports.

Who gets in: anonymous visitors go to the login page; logged-in users who are not active staff
with `registrations.view_registration` get 403; an event (or an export) outside the user's
forums is a 404, as if it did not exist. Scoping is in the querysets (exports.selectors).
"""

import functools
import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.selectors import may_see_special_personal_data
from registrations import extensions
from registrations.models import Registration

from . import selectors, services, writers
from .charts import bar_chart, pace_chart
from .columns import SHAREABLE_COLUMNS, ExportContext, allowed_column_names, columns_named
from .forms import ExportForm, RegistrationFilterForm
from .models import ExportLog

CSV_DELIMITERS = {ExportLog.Format.CSV: ",", ExportLog.Format.CSV_SEMICOLON: ";"}
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def staff_page(view):
    """Login required, then the staff permission (403 without it)."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not selectors.may_use_staff_pages(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@staff_page
def staff_index(request):
    return render(
        request, "exports/staff_index.html", {"events": selectors.staff_events(request.user)}
    )


@require_GET
@staff_page
def event_dashboard(request, slug):
    event = selectors.get_staff_event(request.user, slug)
    dashboard = selectors.event_dashboard(event, user=request.user)
    pending_url = (
        reverse("admin:registrations_registration_changelist")
        + "?"
        + urlencode({"event__id__exact": event.pk, "status__exact": "pending"})
    )
    return render(
        request,
        "exports/dashboard.html",
        {
            "event": event,
            "dashboard": dashboard,
            "pace_chart": _pace_chart(dashboard),
            "category_chart": _category_chart(dashboard),
            "country_chart": _country_chart(dashboard),
            "pending_url": pending_url,
            # Other apps' sections (billing's totals per currency): registrations.extensions.
            "panels": extensions.dashboard_panels(request, event),
        },
    )


def _pace_chart(dashboard):
    current, previous = dashboard.pace, dashboard.previous_pace
    today = current.days_out_on(timezone.now())
    # No opening time: open since publication, so at least since today as far as we know.
    opening = current.opening_days_out if current.opening_days_out is not None else max(today, 0)
    return pace_chart(
        current.by_days_out,
        previous.by_days_out if previous else None,
        capacity=dashboard.event.capacity,
        today_days_out=today,
        opening_days_out=[opening, previous.opening_days_out if previous else None],
    )


def _category_chart(dashboard):
    status = Registration.Status
    return bar_chart(
        [
            (
                row.category.name,
                [
                    ("confirmed", status.CONFIRMED.label, row.by_status[status.CONFIRMED]),
                    ("pending", status.PENDING.label, row.by_status[status.PENDING]),
                    ("waitlisted", status.WAITLISTED.label, row.by_status[status.WAITLISTED]),
                    ("ended", _("Cancelled or rejected"), row.ended),
                ],
            )
            for row in dashboard.categories
        ]
    )


def _country_chart(dashboard):
    return bar_chart(
        [
            (row["name"] or pgettext("countries", "Other"), [("count", "", row["count"])])
            for row in dashboard.top_country_rows
        ]
    )


@require_http_methods(["GET", "POST"])
@staff_page
def export_registrations(request, slug):
    """GET: the export form, with the filters from the querystring (the admin's "export
    these" link). POST: the file — CSV streamed, a small XLSX at once, a large XLSX queued."""
    event = selectors.get_staff_event(request.user, slug)
    with timezone.override(event.tz):
        filter_form = RegistrationFilterForm(request.GET)
        filters_valid = filter_form.is_valid()
    if not filters_valid:
        return render(
            request,
            "exports/export_form.html",
            {"event": event, "filter_form": filter_form, "form": None},
            status=400,
        )
    form = ExportForm(
        request.POST or None,
        special_personal_data=may_see_special_personal_data(request.user),
    )
    if request.method == "POST" and form.is_valid():
        return _export(request, event, filter_form, form.cleaned_data)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "exports/export_form.html",
        {
            "event": event,
            "form": form,
            "filter_form": filter_form,
            "active_filters": _describe_filters(event, filter_form),
            "querystring": urlencode(filter_form.active_filters()),
            "attendees_only": selectors.attendees_only(filter_form.cleaned_data),
            "every_status_querystring": urlencode(
                {**filter_form.active_filters(), "statuses": selectors.ALL_STATUSES}
            ),
        },
        status=status,
    )


def _export(request, event, filter_form, choice):
    sharing = choice["variant"] == ExportLog.Variant.SHARING
    # Decided here, at request time, for every path (CSV through COPY or Python, XLSX in the
    # request or queued): the log row stores the allowed names and the task builds those.
    column_names = allowed_column_names(
        SHAREABLE_COLUMNS if sharing else choice["columns"],
        special_personal_data=may_see_special_personal_data(request.user),
    )
    columns = columns_named(column_names)
    queryset = selectors.export_registrations(
        event, filter_form.cleaned_data, sharing=sharing, language=get_language()
    )
    context = ExportContext.for_event(event)
    log_fields = {
        "user": request.user,
        "format": choice["format"],
        "variant": choice["variant"],
        "filters": filter_form.active_filters(),
        "columns": column_names,
        "language": get_language(),
    }

    if choice["format"] in CSV_DELIMITERS:
        export = services.record_export(event, **log_fields)
        stream = writers.csv_stream(
            queryset,
            columns,
            context,
            delimiter=CSV_DELIMITERS[choice["format"]],
            on_finish=lambda count: services.finish_export(export.pk, row_count=count),
        )
        response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = _attachment(services.download_filename(export))
        return response

    # One query: enough rows to decide where to build the file, and the columns' widths
    # (used only here: the task measures all the rows it writes).
    sync_max = settings.EXPORTS_XLSX_SYNC_MAX_ROWS
    total, measured = writers.measure(queryset, columns, context, limit=sync_max + 1)
    if total > sync_max:
        total = queryset.count()  # the whole number, for the progress page
        export = services.queue_xlsx_export(
            event, rows_total=total, **{k: v for k, v in log_fields.items() if k != "format"}
        )
        return redirect("exports:export_status", export_id=export.pk)

    export = services.record_export(event, rows_total=total, **log_fields)
    # Up to EXPORTS_XLSX_SYNC_MAX_ROWS rows: a few hundred kilobytes, kept in memory below
    # 5 MB and spilled to disk above. FileResponse closes it once sent.
    target = tempfile.SpooledTemporaryFile(max_size=5 * 1024 * 1024)  # noqa: SIM115
    count = writers.write_xlsx(
        writers.registration_rows(queryset, columns, context),
        columns,
        context,
        target,
        sheet_title=_("Attendees"),
        widths=writers.column_widths(columns, context, measured),
    )
    services.finish_export(export.pk, row_count=count)
    target.seek(0)
    return FileResponse(
        target,
        as_attachment=True,
        filename=services.download_filename(export),
        content_type=XLSX_MIMETYPE,
    )


def _attachment(filename: str) -> str:
    return f'attachment; filename="{filename}"'


def _describe_filters(event, filter_form) -> list[tuple[str, str]]:
    """The active filters in words: labels of choices, the category's name."""
    described = []
    for name, value in filter_form.active_filters().items():
        field = filter_form[name]
        shown = value
        choices = dict(getattr(field.field, "choices", ()) or ())
        if value in choices:
            shown = choices[value]
        elif name == "category__id__exact":
            category = selectors.event_category(event, filter_form.cleaned_data[name])
            shown = category.name if category else value
        described.append((field.label, shown))
    return described


@require_GET
@staff_page
def export_status(request, export_id):
    """A queued export's progress; the page refreshes itself until the file is ready."""
    export = selectors.get_user_export(request.user, export_id)
    return render(
        request,
        "exports/export_status.html",
        {"export": export, "event": export.event, "querystring": urlencode(export.filters)},
    )


@require_GET
@staff_page
def export_download(request, export_id):
    """The background export's file. A file the log row still names but the storage no longer
    has (deleted by hand, or written by a worker that shares no storage with this web process)
    is a 404 with the status page's "expired" message, never a 500."""
    export = selectors.get_user_export(request.user, export_id)
    if export.status != ExportLog.Status.DONE or not export.file:
        raise Http404
    try:
        opened = export.file.open("rb")
    except FileNotFoundError:
        export.file = None  # only for the page below: it then says the file has expired
        return render(
            request,
            "exports/export_status.html",
            {"export": export, "event": export.event, "querystring": urlencode(export.filters)},
            status=404,
        )
    return FileResponse(
        opened,
        as_attachment=True,
        filename=services.download_filename(export),
        content_type=XLSX_MIMETYPE,
    )
