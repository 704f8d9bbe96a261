"""Benchmark: listing 100,000 registrations through the REST API, page by page, over gunicorn.

    .venv/bin/python bench/api.py                # 100,000 registrations
    .venv/bin/python bench/api.py --rows 300     # tiny

Creates its own database (minex_bench_api: dropped, created, migrated through
bench/harness.py's `recreate_database`), an event with ROWS registrations inserted with COPY
(bench/export.py's rows: Cyrillic names, all statuses, phones; not through the services, which
would measure registering), a secretariat member (every forum, special personal data: every
column) and an API token with the read scope. Starts gunicorn through bin/web (production
settings, 2 workers) and Redis for the cache the rate limits count in (the token's limit is
raised out of the way: this measures listing, not throttling).

Walks every page with one keep-alive connection, 100 registrations a page, following the
`next` cursor the API returns, and times each request end to end (the client's clock: status
line to last byte). The baseline is `/healthz` (one query, same gunicorn) timed the same way
in the same run. The queries of the first and the last page are counted in this process
(Django's test client on the same database, same token, same cursor URLs).

Progress goes to stderr; the last line on stdout is one JSON object: `rows`, `pages`,
`page_p50_ms`, `page_p95_ms`, `page_max_ms`, `healthz_p95_ms`, `ratio` (page p95 over healthz
p95), `queries_first_page`, `queries_last_page`. The aim: p95 at most 100 ms, and the same
queries on the first and the last page.
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
import secrets
import subprocess
import time
from urllib.parse import urlsplit

from bench.harness import (
    Processes,
    free_port,
    percentile,
    recreate_database,
    say,
    wait_for_port,
)

PG = os.environ.get("BENCH_PG", "postgres://minex@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "minex_bench_api")
SLUG = "bench-api"
PAGE = 100
HEALTHZ_RUNS = 200


def prepare(rows: int) -> str:
    """The event, ROWS registrations and a token; returns the token's key."""
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from api.models import Scope
    from api.services import create_token
    from bench.export import copy_rows, registration_rows
    from registrations.models import Registration
    from registrations.roles import SECRETARIAT
    from tests.factories import make_category, make_event, make_forum, make_user

    call_command("setup_roles", verbosity=0)
    forum = make_forum(name_en="MINEX Bench", code="BEN")
    event = make_event(forum, slug=SLUG, capacity=rows * 2)
    secretariat = make_user("secretariat@bench.minexforum.com", is_staff=True)
    secretariat.groups.add(Group.objects.get(name=SECRETARIAT))
    secretariat = User.objects.get(pk=secretariat.pk)
    now = timezone.now()
    copy_rows(
        User,
        (
            {"password": "!", "last_login": None, "is_superuser": False, "is_staff": False,
             "email": f"delegate{n}@bench.minexforum.com", "is_active": True, "date_joined": now}
            for n in range(rows)
        ),
    )  # fmt: skip
    user_ids = list(
        User.objects.filter(email__endswith="@bench.minexforum.com", is_staff=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    categories = [
        make_category(event, name_en="Delegate", name_ru="Делегат"),
        make_category(event, name_en="Speaker", name_ru="Докладчик", requires_approval=True),
        make_category(event, name_en="Media", name_ru="Пресса"),
    ]
    say(f"Inserting {rows:,} registrations…")
    copy_rows(Registration, registration_rows(event, categories, user_ids, now))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _token, key = create_token(
        secretariat, name="bench", scopes=[Scope.READ_REGISTRATIONS], acting_user=secretariat
    )
    return key


def timed_get(connection: http.client.HTTPConnection, path: str, headers: dict):
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
    return elapsed, body


def count_queries(key: str, path: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    client.get(path)  # the token's last use is written once a minute: not on the counted one
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()

    from cryptography.fernet import Fernet

    port, redis_port = free_port(), free_port()
    workdir = ROOT / "bench" / "results" / DATABASE
    # An empty static folder: JSON pages read no static file, and WhiteNoise only warns.
    (workdir / "static").mkdir(parents=True, exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}},
        "PATH": f"{ROOT / '.venv/bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "DJANGO_SETTINGS_MODULE": "minex.settings.production",
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(workdir / "static"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(args.workers),
        "API_RATE_LIMIT_TOKEN": "1000000/minute",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }  # fmt: skip
    os.environ.clear()
    os.environ.update(env)

    processes = Processes()
    try:
        say(f"Preparing {DATABASE}: {args.rows:,} registrations…")
        recreate_database(PG, DATABASE, env)
        key = prepare(args.rows)
        say(f"Starting redis-server ({redis_port}) and gunicorn ({port})…")
        processes.start(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--logfile", str(workdir / "redis.log")]
        )  # fmt: skip
        wait_for_port(redis_port)
        with (workdir / "web.log").open("wb") as log:
            processes.start(
                [str(ROOT / "bin/web"), "--access-logfile", "/dev/null"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_for_port(port, 60)

        headers = {"Authorization": f"Bearer {key}", "Host": "127.0.0.1"}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        # Each worker imports the views on its first requests: pay that before timing.
        for _ in range(4 * args.workers):
            timed_get(connection, f"/api/v1/registrations/?page_size={PAGE}", headers)
            timed_get(connection, "/healthz", {"Host": "127.0.0.1"})

        say("Walking every page…")
        path = f"/api/v1/registrations/?page_size={PAGE}"
        first_path, last_path = path, path
        page_ms, rows_seen = [], 0
        while path:
            elapsed, body = timed_get(connection, path, headers)
            page = json.loads(body)
            page_ms.append(elapsed)
            rows_seen += len(page["results"])
            last_path = path
            following = page["next"]
            path = None
            if following:
                parts = urlsplit(following)
                path = f"{parts.path}?{parts.query}"
        healthz_ms = [
            timed_get(connection, "/healthz", {"Host": "127.0.0.1"})[0] for _ in range(HEALTHZ_RUNS)
        ]
        connection.close()

        queries_first = count_queries(key, first_path)
        queries_last = count_queries(key, last_path)
    finally:
        processes.stop_all()

    if rows_seen != args.rows:
        raise SystemExit(f"Listed {rows_seen} registrations, expected {args.rows}")
    page_p95 = percentile(page_ms, 0.95)
    healthz_p95 = percentile(healthz_ms, 0.95)
    result = {
        "rows": rows_seen,
        "pages": len(page_ms),
        "page_p50_ms": round(percentile(page_ms, 0.5), 1),
        "page_p95_ms": round(page_p95, 1),
        "page_max_ms": round(max(page_ms), 1),
        "healthz_p95_ms": round(healthz_p95, 2),
        "ratio": round(page_p95 / healthz_p95, 1) if healthz_p95 else None,
        "queries_first_page": queries_first,
        "queries_last_page": queries_last,
    }
    say(
        f"{rows_seen:,} rows in {len(page_ms)} pages: p95 {page_p95:.1f} ms a page "
        f"(healthz p95 {healthz_p95:.2f} ms); queries {queries_first} / {queries_last}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
