"""Request guards that apply to every URL."""

from urllib.parse import unquote

from django.shortcuts import render


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
