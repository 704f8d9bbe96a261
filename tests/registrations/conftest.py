"""Fixtures for every registrations test."""

import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language. A request through the test client
    leaves its language active in the thread (LocaleMiddleware activates it and nothing
    deactivates it), so a /kk/ page in one test would otherwise translate the next test's
    messages."""
    with translation.override(settings.LANGUAGE_CODE):
        yield
