"""Template context every page needs: the language switcher and the secretariat address."""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils.translation import override


def site(request):
    path = request.get_full_path()
    return {
        "language_links": [
            {"code": code, "name": name, "url": _url_in(request, path, code)}
            for code, name in settings.LANGUAGES
        ],
        "secretariat_email": settings.SECRETARIAT_EMAIL,
    }


def _url_in(request, path: str, language: str) -> str:
    """This page's address in `language`, as `translate_url` gives it, from the URL match the
    request already has: `translate_url` resolves the path again for every language."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.url_name:
        return translate_url(path, language)
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    with override(language):
        try:
            url = reverse(name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return path
    parsed = urlsplit(path)
    return urlunsplit((parsed.scheme, parsed.netloc, url, parsed.query, parsed.fragment))
