"""/favicon.ico: browsers ask for it on every site whatever the page links to; answer with
the same SVG icon the pages name in <link rel="icon"> (modern browsers go by the content type,
not the extension), instead of a 404 logged on every first visit."""

import functools

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

FAVICON_PATH = settings.BASE_DIR / "static" / "img" / "favicon.svg"


@functools.cache
def _favicon() -> bytes:
    return FAVICON_PATH.read_bytes()


@require_safe
@cache_control(public=True, max_age=24 * 60 * 60)
def favicon(request):
    return HttpResponse(_favicon(), content_type="image/svg+xml")
