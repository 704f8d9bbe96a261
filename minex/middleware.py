"""Request guards that apply to every URL."""

from urllib.parse import unquote

from django.shortcuts import render
from django.utils.cache import patch_cache_control


class RejectNullCharactersMiddleware:
    """Answer 400 to a NUL character anywhere in the path or the query string.

    PostgreSQL refuses NUL in text, so a `%00` that reaches a lookup (a registration reference,
    an admin filter, an export filter) would otherwise end as a 500. No real link or form
    produces one: it is a scanner or a broken client, and gets a plain, translated 400.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "\x00" in unquote(query):
            return render(request, "400.html", status=400)
        return self.get_response(request)


class PrivateResponsesMiddleware:
    """`Cache-Control: private, no-store` on every response to a logged-in user.

    What a logged-in user sees is theirs: their registrations and details, the calendar file,
    the registration form pre-filled from their profile, the organisers' dashboards and
    exports, the admin — and every page's header carries their session's CSRF token. None of
    it may be kept by a shared cache, nor stored on the disk of a shared computer after they
    log out. One rule here instead of a decorator per view, so a new page cannot forget it.
    The same for the pages a link from an e-mail opens without a login, which show the
    account's address. Anonymous visitors' public pages (home, event pages) stay cacheable.
    Static files never reach this middleware (WhiteNoise answers them first).
    """

    # allauth's URL names: "Please confirm that <address> is your e-mail address", and the
    # new-password form reached from the reset e-mail.
    ANONYMOUS_PRIVATE_PAGES = {"account_confirm_email", "account_reset_password_from_key"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        match = request.resolver_match
        if (user is not None and user.is_authenticated) or (
            match is not None and match.url_name in self.ANONYMOUS_PRIVATE_PAGES
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response
