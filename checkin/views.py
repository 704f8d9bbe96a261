"""The door's page and its JSON endpoints (the contract the page's script is built against;
docs/checkin.md).

Who gets in: anonymous visitors go to the login page (the JSON endpoints answer 403 with a
message, which a script can show); logged-in users who are not active staff with
`checkin.scan_badges` get 403; an event outside the user's forums is a 404, as elsewhere.
A decided scan is always a 200, red included: a refusal is an answer, not an error. Bad
input is a 400 with a translated `message`, and records nothing. Every response is no-store.
"""

import datetime
import functools
import json
import uuid
from pathlib import Path

from csp.constants import SELF
from csp.decorators import csp_update
from django.contrib.auth.views import redirect_to_login
from django.contrib.postgres.aggregates import ArrayAgg
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from registrations.models import Registration

from . import selectors, services
from .models import Scan, Zone

MAX_SYNC = 500
MAX_BODY = 1024 * 1024
SW_PATH = Path(__file__).resolve().parent / "static" / "checkin" / "sw.js"


def _no_store(response):
    patch_cache_control(response, private=True, no_store=True)
    return response


def _error(message, status=400):
    return _no_store(JsonResponse({"message": str(message)}, status=status))


def door(*, json_api=True, check=selectors.may_scan):
    """Login, the permission and the event's visibility, for the page and each endpoint."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, event_id, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                if json_api:
                    return _error(_("Your session has ended. Please log in again."), 403)
                return _no_store(redirect_to_login(request.get_full_path()))
            if not check(user):
                if json_api:
                    return _error(_("You may not check badges in."), 403)
                raise PermissionDenied
            try:
                event = selectors.event_for(user, event_id)
            except Http404:
                if json_api:
                    return _error(_("No such event."), 404)
                raise
            return _no_store(view(request, event, *args, **kwargs))

        return wrapper

    return decorate


def _endpoint_urls(event) -> dict:
    return {
        name: reverse(f"checkin:{name}", args=[event.pk])
        for name in ("page", "scan", "search", "offline", "sync", "live")
    } | {
        "undo": reverse("checkin:undo", args=[event.pk, 0]).replace("/0/", "/{scan_id}/"),
        "service_worker": reverse("checkin:service_worker"),
        "scope": reverse("checkin:service_worker").rsplit("/", 1)[0] + "/",
    }


@require_GET
@csp_update({"img-src": ["blob:", "data:"], "worker-src": [SELF], "media-src": [SELF, "blob:"]})
@door(json_api=False)
def page(request, event):
    zones = selectors.zones_of(event)
    zone = zones[0]
    wanted = request.GET.get("zone", "")
    if wanted.isdigit():
        zone = next((each for each in zones if each.pk == int(wanted)), zone)
    return render(
        request,
        "checkin/scan.html",
        {
            "event": event,
            "zones": zones,
            "zone": zone,
            "undo_seconds": services.undo_seconds(),
            "urls": _endpoint_urls(event),
        },
    )


def _json_body(request) -> dict:
    if len(request.body) > MAX_BODY:
        raise ValueError(_("The request is too large."))
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(_("The request could not be read.")) from None
    if not isinstance(body, dict):
        raise ValueError(_("The request could not be read."))
    return body


def _zone(event, value, *, closed_too=False) -> Zone:
    """The event's open zone (or its entrance) with its categories' ids: one query. A queued
    offline scan may name a zone closed since (`closed_too`): it happened while it was open."""
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ValueError(_("Choose a zone."))
    zones = Zone.objects.filter(event=event, pk=int(value))
    if not closed_too:
        zones = zones.filter(Q(active=True) | Q(is_entrance=True))
    zone = zones.annotate(category_id_list=ArrayAgg("categories__pk")).first()
    if zone is None:
        raise ValueError(_("This zone does not exist or is closed."))
    zone.category_ids = [pk for pk in zone.category_id_list if pk is not None]
    zone.event = event
    return zone


def _client_id(value):
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValueError(_("The scan's identifier is not valid.")) from None


def _device(request, body) -> str:
    device = body.get("device", "")
    return device[:100] if isinstance(device, str) else ""


@require_POST
@door()
def scan(request, event):
    try:
        body = _json_body(request)
        zone = _zone(event, body.get("zone"))
        client_id = _client_id(body.get("client_id"))
        token, reference = body.get("token"), body.get("registration")
        if isinstance(token, str) and token.strip() and len(token) <= 200:
            arguments = {"token": token}
        elif isinstance(reference, str) and reference.strip() and len(reference) <= 40:
            registration = (
                Registration.objects.select_related("event")
                .filter(event=event, reference=reference.strip().upper())
                .first()
            )
            arguments = {"registration": registration}
        else:
            raise ValueError(_("Scan a badge or choose a registration."))
    except ValueError as error:
        return _error(error)
    result = services.scan_badge(
        event=event,
        zone=zone,
        actor=request.user,
        client_id=client_id,
        device=_device(request, body),
        **arguments,
    )
    return JsonResponse(result.as_json())


@require_POST
@door()
def undo(request, event, scan_id):
    scan = (
        Scan.objects.select_related("registration__event", "zone", "event")
        .filter(event=event, pk=scan_id)
        .first()
    )
    if scan is None:
        return _error(_("No such scan."), 404)
    try:
        result = services.undo_scan(scan, request.user)
    except services.CheckinError as error:
        return _error(error.message, 409)
    return JsonResponse(result.as_json())


@require_GET
@door()
def search(request, event):
    query = request.GET.get("q", "").strip()
    if len(query) < selectors.SEARCH_MIN_LENGTH or len(query) > 100:
        return _error(_("Type at least two letters of a name, a reference or an organisation."))
    results = [
        {
            "reference": registration.reference,
            "name": registration.full_name,
            "organisation": registration.organisation,
            "category": registration.category_name_in_language,
            "status": registration.status,
            "status_label": registration.get_status_display(),
            "checked_in": registration.checked_in_at is not None,
        }
        for registration in selectors.search_registrations(event, query)
    ]
    return JsonResponse({"results": results})


@require_GET
@door()
def offline(request, event):
    return JsonResponse(selectors.offline_list(event))


def _offline_scans(event, body) -> list[dict]:
    items = body.get("scans")
    if not isinstance(items, list):
        raise ValueError(_("The request could not be read."))
    if len(items) > MAX_SYNC:
        raise ValueError(_("At most %(count)s scans can be sent at once.") % {"count": MAX_SYNC})
    zones = {}
    scans = []
    for item in items:
        if not isinstance(item, dict):
            raise ValueError(_("The request could not be read."))
        token = item.get("token")
        if not isinstance(token, str) or not token.strip() or len(token) > 200:
            raise ValueError(_("A queued scan has no badge code."))
        client_id = _client_id(item.get("client_id"))
        if client_id is None:
            raise ValueError(_("The scan's identifier is not valid."))
        scanned_at = item.get("scanned_at")
        moment = parse_datetime(scanned_at) if isinstance(scanned_at, str) else None
        if moment is None or moment.tzinfo is None:
            raise ValueError(_("A queued scan has no valid time."))
        key = str(item.get("zone"))
        if key not in zones:
            zones[key] = _zone(event, item.get("zone"), closed_too=True)
        scans.append(
            {
                "client_id": client_id,
                "token": token,
                "zone": zones[key],
                "scanned_at": moment.astimezone(datetime.UTC),
            }
        )
    return scans


@require_POST
@door()
def sync(request, event):
    try:
        body = _json_body(request)
        scans = _offline_scans(event, body)
    except ValueError as error:
        return _error(error)
    results = services.sync_scans(event, request.user, scans, device=_device(request, body))
    return JsonResponse({"results": [result.as_json() for result in results]})


@require_GET
@door(check=selectors.may_read_numbers)
def live(request, event):
    return JsonResponse(selectors.live_numbers(event))


@require_GET
def service_worker(request):
    """The page's service worker, served from the scope it controls (a static file's URL is
    outside it). No-store, so a new version is picked up at once."""
    if not SW_PATH.exists():
        raise Http404
    response = FileResponse(SW_PATH.open("rb"), content_type="application/javascript")
    response["Service-Worker-Allowed"] = reverse("checkin:service_worker").rsplit("/", 1)[0] + "/"
    return _no_store(response)
