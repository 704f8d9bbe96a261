"""The secretariat's migration-service pages, in the admin's look: the events with visa
requests, an event's list (XLSX download) and the upload of the petition numbers.

Who gets in: anonymous visitors and non-staff go to the admin's login; staff without
`visas.view_passport_data` (organisers) get 403; an event outside the user's forums
(`events.selectors.events_visible_to`) is a 404. Uploading also needs
`visas.change_visarequest`. Every download is logged (`PassportDataAccess`, "downloaded a
petition list"); the upload pages show no passport data (numbers and the delegates'
registration names only).

The upload is two steps: the file is read and matched, and the report shown with a signed
token holding the rows read; confirming applies them (`petition.matching.apply_upload`), all
or none. No file is kept between the steps.
"""

import functools
import tempfile

from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from events.models import Event
from events.selectors import events_visible_to

from . import services
from .models import PassportDataAccess, VisaRequest
from .petition import matching, reading
from .petition.columns import PetitionContext
from .petition.forms import PetitionConfirmForm, PetitionUploadForm
from .petition.xlsx import LISTED_STATUSES, MIMETYPE, petition_rows, write_petition_list

VIEW_PASSPORT_DATA = "visas.view_passport_data"
CHANGE_VISA_REQUEST = "visas.change_visarequest"
TOKEN_SALT = "visas.petition-upload"  # noqa: S105 (a namespace for signing, not a secret)
# The report's confirmation stays valid this long (seconds).
TOKEN_MAX_AGE = 3600
TO_FILE_STATUSES = (VisaRequest.Status.REQUESTED, VisaRequest.Status.IN_REVIEW)


def may_see_petition_lists(user) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(VIEW_PASSPORT_DATA))


def may_upload_petition_numbers(user) -> bool:
    return may_see_petition_lists(user) and user.has_perm(CHANGE_VISA_REQUEST)


def _secretariat_page(view):
    """The admin's login (staff only), then the passport-data permission (403 without)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_see_petition_lists(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return admin.site.admin_view(wrapper)


def _visible_event(user, event_id: int) -> Event:
    return get_object_or_404(events_visible_to(user).select_related("forum"), pk=event_id)


def _context(request, **values) -> dict:
    return {
        **admin.site.each_context(request),
        "opts": VisaRequest._meta,
        "app_label": VisaRequest._meta.app_label,
        **values,
    }


@require_GET
@_secretariat_page
def petition_index(request):
    """The events the user sees, newest first, with how many requests are on the list and
    how many still wait for a petition number: one query."""
    listed = Q(
        registrations__visa_requests__status__in=LISTED_STATUSES,
        registrations__visa_requests__passport_data_wiped_at__isnull=True,
    )
    to_file = Q(registrations__visa_requests__status__in=TO_FILE_STATUSES)
    events = (
        events_visible_to(request.user)
        .select_related("forum")
        .annotate(
            listed=Count("registrations__visa_requests", filter=listed),
            to_file=Count("registrations__visa_requests", filter=to_file),
        )
        .order_by("-start_date", "pk")
    )
    return TemplateResponse(
        request,
        "admin/visas/petition/index.html",
        _context(request, title=_("Migration-service lists"), events=events),
    )


@require_http_methods(["GET", "POST"])
@_secretariat_page
def petition_event(request, event_id):
    """GET: the download link and the upload form. POST: the uploaded file's report (or
    its problems, 400), with the confirmation button."""
    event = _visible_event(request.user, event_id)
    may_upload = may_upload_petition_numbers(request.user)
    posted = request.method == "POST"
    if posted and not may_upload:
        raise PermissionDenied
    form = PetitionUploadForm(request.POST, request.FILES) if posted else PetitionUploadForm()
    status = 200
    report = confirm_form = None
    problems: list[str] = []
    if posted:
        if form.is_valid():
            try:
                rows = reading.read_upload(form.cleaned_data["file"])
            except reading.UploadError as error:
                problems = error.messages
                status = 400
            else:
                report = matching.match_rows(event, rows)
                confirm_form = _confirm_form(request, event, rows, report)
        else:
            status = 400
    return _event_page(
        request,
        event,
        form=form,
        report=report,
        confirm_form=confirm_form,
        problems=problems,
        may_upload=may_upload,
        status=status,
    )


@require_POST
@_secretariat_page
def petition_apply(request, event_id):
    """Apply a confirmed report: every row "to record" through `record_petition`, or none.
    A tampered or expired token is a 400; requests changed meanwhile, a 409 with the new
    report to confirm again."""
    event = _visible_event(request.user, event_id)
    if not may_upload_petition_numbers(request.user):
        raise PermissionDenied
    form = PetitionConfirmForm(request.POST)
    payload = None
    if form.is_valid():
        try:
            payload = signing.loads(
                form.cleaned_data["token"], salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE
            )
        except signing.BadSignature:
            payload = None
    if not payload or payload.get("event") != event.pk or payload.get("user") != request.user.pk:
        return _event_page(
            request,
            event,
            form=PetitionUploadForm(),
            problems=[_("This confirmation has expired or is not valid. Upload the file again.")],
            may_upload=True,
            status=400,
        )
    rows = [reading.UploadedRow(*values) for values in payload["rows"]]
    try:
        report = matching.apply_upload(
            event, rows, planned=payload["planned"], acting_user=request.user
        )
    except matching.UploadChanged as error:
        report = matching.match_rows(event, rows)
        return _event_page(
            request,
            event,
            form=PetitionUploadForm(),
            report=report,
            confirm_form=_confirm_form(request, event, rows, report),
            problems=error.messages,
            may_upload=True,
            status=409,
        )
    recorded = len(report.to_record)
    messages.success(
        request,
        ngettext(
            "Recorded %(count)d petition number.",
            "Recorded %(count)d petition numbers.",
            recorded,
        )
        % {"count": recorded},
    )
    return redirect("visas_petition:event", event_id=event.pk)


@require_GET
@_secretariat_page
def petition_download(request, event_id):
    """The event's migration-service list as XLSX, in the active language; logged."""
    event = _visible_event(request.user, event_id)
    rows = petition_rows(event, PetitionContext.for_event(event))
    services.log_passport_access(
        request.user,
        what=PassportDataAccess.What.DOWNLOADED_PETITION_LIST,
        event=event,
        detail=ngettext("%(count)d person", "%(count)d people", len(rows)) % {"count": len(rows)},
    )
    # A few hundred rows: kept in memory below 5 MB, spilled to disk above; FileResponse
    # closes it once sent.
    target = tempfile.SpooledTemporaryFile(max_size=5 * 1024 * 1024)  # noqa: SIM115
    write_petition_list(rows, target, sheet_title=_("Petition"))
    target.seek(0)
    today = timezone.now().astimezone(event.tz).date()
    return FileResponse(
        target,
        as_attachment=True,
        filename=f"petition-{slugify(event.slug)}-{today.isoformat()}.xlsx",
        content_type=MIMETYPE,
    )


def _confirm_form(request, event, rows, report) -> PetitionConfirmForm | None:
    if not report.to_record:
        return None
    token = signing.dumps(
        {
            "event": event.pk,
            "user": request.user.pk,
            "rows": [row.as_list() for row in rows],
            "planned": report.planned(),
        },
        salt=TOKEN_SALT,
        compress=True,
    )
    return PetitionConfirmForm(initial={"token": token})


def _event_page(request, event, *, status=200, **values):
    counts = VisaRequest.objects.filter(registration__event=event).aggregate(
        listed=Count(
            "pk", filter=Q(status__in=LISTED_STATUSES, passport_data_wiped_at__isnull=True)
        ),
        to_file=Count("pk", filter=Q(status__in=TO_FILE_STATUSES)),
    )
    return TemplateResponse(
        request,
        "admin/visas/petition/event.html",
        _context(
            request,
            title=_("Migration-service list: %(event)s") % {"event": event},
            event=event,
            counts=counts,
            download_url=reverse("visas_petition:download", args=[event.pk]),
            apply_url=reverse("visas_petition:apply", args=[event.pk]),
            **values,
        ),
        status=status,
    )
