"""Letter pages: the public verification page (the QR code's URL) and the downloads.

- `/visas/verify/<token>/` (no language prefix, so the printed URL suits every reader)
  redirects to the page in the visitor's language, `/<lang>/visas/verify/<token>/`: no login,
  rate-limited per client address, `no-store`, `noindex`, and only what `Verification` holds.
- The delegate downloads their own ready letter; the secretariat (`visas.view_passport_data`,
  scoped to their forums) any rendered letter. Every download writes a PassportDataAccess row.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from minex.client_address import client_ip
from minex.ratelimit import allow

from . import services
from .letters import access
from .letters.document import letter_filename, verification_path
from .models import PassportDataAccess

PDF = "application/pdf"


def _private(response, *, noindex: bool = False):
    patch_cache_control(response, private=True, no_store=True)
    if noindex:
        response["X-Robots-Tag"] = "noindex, nofollow"
        # The token is in the URL: never send it to another site in a Referer header.
        response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def verify_letter_redirect(request, token):
    """The QR code's URL: on to the page in the visitor's language (from the browser)."""
    if not access.TOKEN_PATTERN.fullmatch(token):
        raise Http404
    return _private(redirect(verification_path(token)), noindex=True)


@require_GET
def verify_letter(request, token):
    """Whether the letter with this token is genuine and valid (see `access.Verification`)."""
    limit, period = settings.RATE_LIMITS["visa_letter_verify"]
    if not allow("visa_letter_verify", client_ip(request), limit=limit, period=period):
        return _private(
            render(request, "visas/letter/verify_limited.html", status=429), noindex=True
        )
    try:
        verification = access.verify_letter(token)
    except Http404:
        response = render(request, "visas/letter/verify_unknown.html", status=404)
        return _private(response, noindex=True)
    response = render(request, "visas/letter/verify.html", {"verification": verification})
    return _private(response, noindex=True)


def _send(letter, *, user, detail: str):
    try:
        opened = letter.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    services.log_passport_access(
        user,
        what=PassportDataAccess.What.DOWNLOADED_LETTER,
        request=letter.request,
        event=letter.request.registration.event,
        detail=detail,
    )
    response = FileResponse(
        opened, as_attachment=True, filename=letter_filename(letter), content_type=PDF
    )
    return _private(response)


@require_GET
@login_required
def delegate_download(request, letter_id):
    """The delegate's own ready letter (404 for anyone else's, a void one, one not ready)."""
    letter = access.delegate_letter(request.user, letter_id)
    return _send(letter, user=request.user, detail=f"{letter.number} (delegate)")


@require_GET
@login_required
def staff_download(request, letter_id):
    """A letter for the secretariat: 403 without the passport-data permission, 404 outside
    the user's forums."""
    if not access.may_download_any_letter(request.user):
        raise PermissionDenied
    letter = access.staff_letter(request.user, letter_id)
    return _send(letter, user=request.user, detail=letter.number)
