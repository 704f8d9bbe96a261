"""Friendly, translated error pages."""

from django.shortcuts import render


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def bad_request(request, exception):
    return render(request, "400.html", status=400)


def server_error(request):
    # Rendered without the usual context processors' queries: the database may be the cause.
    return render(request, "500.html", status=500)


def csrf_failure(request, reason=""):
    """A form sent with an expired or missing security token: say what to do, in the page's
    language, instead of Django's technical page."""
    return render(request, "403_csrf.html", status=403)
