"""Benchmark: delegates registering over HTTP through gunicorn on PostgreSQL.

    .venv/bin/python bench/register.py              # 1,000 delegates, 300 places, 50 at a time
    .venv/bin/python bench/register.py --delegates 30 --capacity 10 --concurrency 5  # tiny

Creates its own database (minex_bench_register: dropped, migrated), an event with CAPACITY
places and a waitlist, and DELEGATES logged-in delegates (sessions written directly: the login
page is rate-limited, as it should be). Starts gunicorn (bin/web, 2 workers, production
settings). Each delegate loads the registration form and submits it, CONCURRENCY at a time.
In the same run, the same delegates load and POST a bare authenticated view that inserts one
row (the baseline, bench/register_site.py): the two alternate in SLICES slices of the delegates
(bare, register, bare, register, ...), so a change in the shared machine's load during the run
weighs on both alike. Progress goes to stderr; the last line on stdout is one JSON object.

Two figures are measured in this process, on the quiet server before the load:
- form_render_ms: the registration form's GET through the whole Django stack (middleware, view,
  template), median of 20 after a warm-up;
- event_lock_ms: how long one registration holds its event's row lock, from the moment the lock
  is granted to the commit, for LOCK_SAMPLES registrations made as the form makes them (profile
  unchanged, then register_delegate, in one transaction) one after another on another event.
  lock_bound_per_second (1000 / its median) is the ceiling of registrations per second for one
  event, however many workers serve it.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder comes first on the module path: the project root takes its place.
sys.path[0] = str(ROOT)

import argparse
import http.client
import json
import os
import re
import secrets
import statistics
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from cryptography.fernet import Fernet

from bench.harness import free_port, percentile, say, wait_until

PG = os.environ.get("BENCH_PG", "postgres://minex@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "minex_bench_register")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/11")
LOCK_SAMPLES = 40
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def fresh_database(env: dict) -> None:
    import psycopg

    from bench.harness import recreate_database

    recreate_database(PG, DATABASE, env)
    with psycopg.connect(f"{PG}/{DATABASE}", autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_hit (id bigserial PRIMARY KEY, user_id bigint NOT NULL)")


def logged_in_delegates(count: int, domain: str) -> list[tuple[str, str]]:
    """`count` delegates with a profile and a logged-in session each, made in bulk (Django set
    up already); returns [(e-mail, session key)]. Shared with bench/journey.py."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import DelegateProfile, User

    users = [User(email=f"delegate{n}@{domain}") for n in range(count)]
    for user in users:
        user.set_unusable_password()  # they never log in through the form
    users = User.objects.bulk_create(users)
    DelegateProfile.objects.bulk_create(
        DelegateProfile(user=user, first_name="Delegate", last_name=f"No {n}", country="KZ")
        for n, user in enumerate(users)
    )
    sessions = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions.append((user.email, session.session_key))
    return sessions


def prepare(delegates: int, capacity: int) -> tuple[str, int, list[str]]:
    """The event, its category and the delegates' sessions; returns (slug, category id, keys)."""
    import django

    django.setup()
    from tests.factories import make_category, make_event

    event = make_event(capacity=capacity, waitlist_enabled=True, slug="bench-forum")
    category = make_category(event, name_en="Delegate")
    sessions = logged_in_delegates(delegates, "bench.minexforum.com")
    return event.slug, category.pk, [key for _email, key in sessions]


class Client:
    """One delegate's browser: keep-alive connection, session and CSRF cookies."""

    def __init__(self, port: int, session_key: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies = {"sessionid": session_key}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1{path}"
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text


def measure_form_render(path: str, session_key: str, samples: int = 20) -> float:
    """Median milliseconds of the form's GET through Django in this process (no HTTP)."""
    from django.test import Client as DjangoClient

    client = DjangoClient(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = session_key
    timings = []
    for sample in range(samples + 3):
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code}")
        if sample >= 3:  # the first ones load templates and translations
            timings.append(elapsed)
    return statistics.median(timings) * 1000


def measure_event_lock(samples: int) -> list[float]:
    """Milliseconds each of `samples` registrations holds its event's row lock.

    The lock is granted when the event's SELECT ... FOR NO KEY UPDATE returns, and released at
    the commit; a callback registered before the service's own runs first after the commit."""
    from django.db import connection, transaction
    from django.utils import translation

    from accounts.models import DelegateProfile, ProfileHistory, User
    from accounts.services import update_profile
    from registrations.services import register_delegate
    from tests.factories import make_category, make_event

    event = make_event(capacity=samples * 2, slug="bench-lock")
    category = make_category(event, name_en="Delegate")
    users = User.objects.bulk_create(
        User(email=f"lock{n}@bench.minexforum.com") for n in range(samples)
    )
    DelegateProfile.objects.bulk_create(
        DelegateProfile(user=user, first_name="Lock", last_name=f"No {n}", country="KZ")
        for n, user in enumerate(users)
    )
    held = []
    granted = []

    def note_event_lock(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if 'FROM "events_event"' in sql and "FOR NO KEY UPDATE" in sql:
            granted.append(time.perf_counter())
        return result

    with connection.execute_wrapper(note_event_lock), translation.override("en"):
        for user in User.objects.filter(pk__in=[u.pk for u in users]).select_related(
            "delegate_profile"
        ):
            granted.clear()
            with transaction.atomic():
                transaction.on_commit(lambda: held.append(time.perf_counter() - granted[0]))
                update_profile(user, channel=ProfileHistory.Channel.REGISTRATION,
                               acting_user=user, first_name="Lock", country="KZ")  # fmt: skip
                register_delegate(event, delegate=user, category=category,
                                  consent_privacy=True, language="en")  # fmt: skip
    return [seconds * 1000 for seconds in held]


def run_load(port: int, keys: list[str], concurrency: int, path: str, form: dict, ok: int):
    """Every delegate GETs `path` then POSTs `form` to it; returns (seconds, latencies, errors)."""
    latencies: list[float] = []
    errors = []
    lock = threading.Lock()

    def one(key: str) -> None:
        client = Client(port, key)
        try:
            started = time.perf_counter()
            status, page = client.request("GET", path)
            token = TOKEN.search(page)
            if status != 200 or not token:
                raise RuntimeError(f"GET {path}: {status}")
            status, _ = client.request("POST", path, {**form, "csrfmiddlewaretoken": token[1]})
            if status != ok:
                raise RuntimeError(f"POST {path}: {status}")
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
        except Exception as error:  # counted and reported: a benchmark must not stop halfway
            with lock:
                errors.append(str(error))
        finally:
            client.connection.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, keys))
    return time.perf_counter() - started, latencies, errors


def warm_up(port: int, session_key: str, paths: list[str], requests: int) -> None:
    """GET each path `requests` times, that many at once, with one delegate's session.

    Each gunicorn worker imports views, compiles templates and loads translations on its first
    requests; paid before either clock starts, so neither the baseline nor the registrations
    carry it (only the one measured first would). Shared with bench/journey.py."""
    with ThreadPoolExecutor(max_workers=requests) as pool:
        list(pool.map(lambda n: Client(port, session_key).request("GET", paths[n % len(paths)]),
                      range(requests * len(paths))))  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delegates", type=int, default=1000)
    parser.add_argument("--capacity", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--slices", type=int, default=5, help="alternate baseline and registration this often"
    )
    args = parser.parse_args()

    port = free_port()
    static_root = tempfile.mkdtemp(prefix="minex-bench-static-")
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "PATH": f"{ROOT / '.venv/bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "DJANGO_SETTINGS_MODULE": "bench.register_site",
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "REDIS_URL": REDIS,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": static_root,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(args.workers),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)

    say(f"Preparing {DATABASE}: {args.delegates} delegates, {args.capacity} places…")
    fresh_database(env)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "minex.settings.build"},
        check=True,
    )
    slug, category_id, keys = prepare(args.delegates, args.capacity)

    web = subprocess.Popen(
        [str(ROOT / "bin/web"), "--access-logfile", "/dev/null"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        _wait_for(port)
        from legal.policies import current_privacy_policy

        # As the page sends it: consent binds to the privacy-policy version the form showed.
        form = {"category": category_id, "first_name": "Delegate", "last_name": "Bench",
                "country": "KZ", "consent_privacy": "on",
                "privacy_policy_version": current_privacy_policy().version}  # fmt: skip
        form_path = f"/en/events/{slug}/register/"
        warm_up(port, keys[0], [form_path, "/bench/bare/"], requests=4 * args.workers)
        say("Form render and event lock, measured in this process…")
        form_render_ms = measure_form_render(form_path, keys[0])
        lock_ms = measure_event_lock(LOCK_SAMPLES)
        say(f"Baseline (bare authenticated GET + POST) and registrations, {args.concurrency} at a "
            f"time, in {args.slices} alternating slices…")  # fmt: skip
        bare_seconds, bare_latencies, bare_errors = 0.0, [], []
        seconds, latencies, errors = 0.0, [], []
        for part in range(args.slices):
            slice_keys = keys[part :: args.slices]
            took, slice_latencies, slice_errors = run_load(
                port, slice_keys, args.concurrency, "/bench/bare/", {}, ok=204
            )
            bare_seconds += took
            bare_latencies += slice_latencies
            bare_errors += slice_errors
            took, slice_latencies, slice_errors = run_load(
                port, slice_keys, args.concurrency, form_path, form, ok=302
            )
            seconds += took
            latencies += slice_latencies
            errors += slice_errors
    finally:
        os.killpg(web.pid, 15)
        web.wait(timeout=20)

    from django.db.models import Count

    from registrations.models import Registration

    counts = dict(
        Registration.objects.filter(event__slug=slug)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    duplicates = (
        Registration.objects.values("delegate_id").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    per_second = len(latencies) / seconds if seconds else 0.0
    bare_per_second = len(bare_latencies) / bare_seconds if bare_seconds else 0.0
    if errors or bare_errors:
        say(f"Errors: {(errors + bare_errors)[:5]}")
    result = {
        "delegates": args.delegates,
        "capacity": args.capacity,
        "concurrency": args.concurrency,
        "slices": args.slices,
        "gunicorn_workers": args.workers,
        "registrations_per_second": round(per_second, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "confirmed": counts.get("confirmed", 0),
        "waitlisted": counts.get("waitlisted", 0),
        "errors": len(errors) + len(bare_errors),
        "duplicates": duplicates,
        "bare_per_second": round(bare_per_second, 1),
        "ratio_to_bare_view": round(per_second / bare_per_second, 3) if bare_per_second else None,
        "p99_over_p50": round(percentile(latencies, 0.99) / statistics.median(latencies), 2)
        if latencies
        else None,
        "form_render_ms": round(form_render_ms, 1),
        "event_lock_ms": round(statistics.median(lock_ms), 2),
        "event_lock_p99_ms": round(percentile(lock_ms, 0.99), 2),
        "lock_bound_per_second": round(1000 / statistics.median(lock_ms), 1),
    }
    print(json.dumps(result))
    return 0


def _wait_for(port: int, timeout: float = 90) -> None:
    """Until gunicorn answers /healthz (bin/web runs `manage.py check` first: slow when the
    machine is loaded)."""

    def healthy() -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        except OSError:
            time.sleep(0.2)
            return False
        finally:
            connection.close()

    wait_until(healthy, timeout, "gunicorn to answer /healthz")


if __name__ == "__main__":
    sys.exit(main())
