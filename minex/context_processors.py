"""Template context every page needs: the language switcher and the secretariat address."""

from django.conf import settings
from django.urls import translate_url


def site(request):
    path = request.get_full_path()
    return {
        "language_links": [
            {"code": code, "name": name, "url": translate_url(path, code)}
            for code, name in settings.LANGUAGES
        ],
        "secretariat_email": settings.SECRETARIAT_EMAIL,
    }
