"""Shared fixtures. The suite runs on real PostgreSQL and Redis (bin/test makes them ready)."""

import functools
import os
import shutil
from pathlib import Path

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


def pytest_report_header(config):
    """Which run this is: what it names its database and cache keys after."""
    from django.conf import settings

    token = getattr(settings, "TEST_RUN", None)
    return [f"test run: {token} (MINEX_TEST_RUN)"] if token else []


def clear_this_runs_cache() -> None:
    """Delete this run's cache entries (rate limits, cached pages), and nothing else.

    The cache's Redis database may be shared with other test runs on the machine: Django's
    ``cache.clear()`` would flush all of it, wiping their rate-limit counters mid-test. Every
    key of this run starts with its KEY_PREFIX (minex/settings/test.py), so those go.
    """
    from django.conf import settings
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        cache.clear()  # a per-process cache: nobody else's
        return
    client = _redis_client(settings.CACHES["default"]["LOCATION"])
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@functools.cache
def _redis_client(url: str):
    import redis

    return redis.Redis.from_url(url)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and cached pages live in the shared cache: start every test clean."""
    clear_this_runs_cache()
    yield


@pytest.fixture(autouse=True, scope="session")
def _leave_nothing_behind():
    """At the end of the run, remove what this run left on the shared machine: its cache keys
    and its media folder (pytest-django drops its database)."""
    yield
    from django.conf import settings

    clear_this_runs_cache()
    media = Path(settings.MEDIA_ROOT)
    if media.name.startswith("minex-test-media-"):  # never a real MEDIA_ROOT by mistake
        shutil.rmtree(media, ignore_errors=True)
