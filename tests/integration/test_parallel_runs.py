"""Two test runs on one machine (two clones, two CI jobs) keep out of each other's way: each
has its own test database, cache keys and media folder, and clearing the cache between tests
leaves the other run's rate limits alone."""

import json
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from tests.conftest import clear_this_runs_cache
from tests.processes import ROOT, clean_environment

pytestmark = pytest.mark.integration

SHOW_WHAT_A_RUN_USES = """
import json
import django
from django.conf import settings
from django.db import connection
django.setup()
print(json.dumps({
    "database": connection.creation._get_test_db_name(),
    "cache_prefix": settings.CACHES["default"].get("KEY_PREFIX", ""),
    "media": str(settings.MEDIA_ROOT),
}))
"""


def _what_a_fresh_run_uses(**environment: str) -> dict:
    """What the test settings give a run started from a clean shell (no MINEX_TEST_RUN, no
    DATABASE_URL or REDIS_URL: the defaults of a clean clone's bin/test)."""
    env = clean_environment(DJANGO_SETTINGS_MODULE="minex.settings.test", **environment)
    if "MINEX_TEST_RUN" not in environment:
        env.pop("MINEX_TEST_RUN", None)
    if "PYTEST_XDIST_WORKER" not in environment:
        env.pop("PYTEST_XDIST_WORKER", None)  # this test may itself run in an xdist worker
    result = subprocess.run(
        [sys.executable, "-c", SHOW_WHAT_A_RUN_USES],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_two_runs_get_their_own_test_database_cache_keys_and_media():
    first, second = _what_a_fresh_run_uses(), _what_a_fresh_run_uses()

    for shared_by_mistake in ("database", "cache_prefix", "media"):
        assert first[shared_by_mistake] != second[shared_by_mistake], shared_by_mistake


def test_a_run_token_given_to_the_suite_names_what_it_uses():
    run = _what_a_fresh_run_uses(MINEX_TEST_RUN="ci4711")

    assert run["database"] == "test_minex_ci4711"
    assert run["cache_prefix"] == "minex-test-ci4711"
    assert run["media"].endswith("minex-test-media-ci4711")


def test_each_parallel_worker_of_a_run_uses_its_own_database_cache_keys_and_media():
    gw0 = _what_a_fresh_run_uses(MINEX_TEST_RUN="ci4711", PYTEST_XDIST_WORKER="gw0")
    gw1 = _what_a_fresh_run_uses(MINEX_TEST_RUN="ci4711", PYTEST_XDIST_WORKER="gw1")

    assert gw0["cache_prefix"] == "minex-test-ci4711_gw0"
    assert gw1["media"].endswith("minex-test-media-ci4711_gw1")
    for shared_by_mistake in ("database", "cache_prefix", "media"):
        assert gw0[shared_by_mistake] != gw1[shared_by_mistake], shared_by_mistake


def test_a_run_token_unfit_for_a_database_name_is_refused():
    env = clean_environment(DJANGO_SETTINGS_MODULE="minex.settings.test")
    env["MINEX_TEST_RUN"] = 'x"; DROP DATABASE minex; --'
    result = subprocess.run(
        [sys.executable, "-c", SHOW_WHAT_A_RUN_USES],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "MINEX_TEST_RUN" in result.stderr


def test_clearing_the_cache_between_tests_keeps_another_runs_rate_limits():
    assert isinstance(caches["default"], RedisCache), "the suite's cache is shared Redis"
    other_run = RedisCache(
        settings.CACHES["default"]["LOCATION"], {"KEY_PREFIX": "minex-test-someoneelse"}
    )
    other_run.set("ratelimit:register:7:1", 3, timeout=60)
    cache.set("ratelimit:register:7:1", 5, timeout=60)
    try:
        clear_this_runs_cache()

        assert cache.get("ratelimit:register:7:1") is None
        assert other_run.get("ratelimit:register:7:1") == 3
    finally:
        other_run.delete("ratelimit:register:7:1")
