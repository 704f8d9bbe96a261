"""Shared fixtures. The suite runs on real PostgreSQL and Redis (bin/test makes them ready)."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still work.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, headless, talking to nothing but the test server."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and cached pages live in the shared cache: start every test clean."""
    from django.core.cache import cache

    cache.clear()
    yield
