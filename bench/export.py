"""Benchmark: exporting an event's attendee list at 100,000 registrations on PostgreSQL.

    .venv/bin/python bench/export.py                 # 100,000 registrations
    .venv/bin/python bench/export.py --rows 300      # tiny

Creates its own database (minex_bench_export: dropped, created, migrated) and an event with
ROWS registrations (plus a second event with ROWS/10 for the memory comparison). Registrations
are inserted with COPY, not through registrations.services.register_delegate: the service
locks the event and the category, writes a history row and two outbox e-mails per delegate,
which would take many minutes for 100,000 and measures registration, not export. The rows are
as varied as real ones: Cyrillic and Kazakh names, formulas typed into organisations, phones,
all statuses, visa letters, dates over two months.

In one run:
- the CSV export through the real view (Django's test Client, all columns, streamed) against
  PostgreSQL's bare `COPY (SELECT the same columns) TO STDOUT WITH CSV`;
- the XLSX export as the Celery task builds it against a bare openpyxl write-only dump of the
  same rows, fetched with a plain server-side cursor;
- the exporter's peak memory (ru_maxrss) at ROWS/10 and at ROWS rows, each size in its own
  process: the CSV view, the Python CSV path and the XLSX task one after another; with the
  peak of the Python allocations they made (tracemalloc), which shows any growth with size
  even when the process's peak is set by start-up.
Progress goes to stderr; the last line on stdout is one JSON object.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder comes first on the module path: the project root takes its place.
sys.path[0] = str(ROOT)

import argparse
import datetime
import json
import os
import resource
import subprocess
import tempfile
import time

PG = os.environ.get("BENCH_PG", "postgres://minex@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "minex_bench_export")
SLUG_LARGE = "bench-export-large"
SLUG_SMALL = "bench-export-small"

FIRST_NAMES = ["Әйгерім", "Иван", "Anna", "Нұрсұлтан", "Olga", "John", "Ғалым", "Мария"]
LAST_NAMES = ["Нұрланқызы", "Петров", "Smith", "Жұмабаев", "Ivanova", "Brown", "Өмірзақ"]
ORGANISATIONS = [
    "Steppe Minerals LLP",
    "ТОО «Қазақмыс»",
    '=HYPERLINK("http://evil","x")',
    "+1+1",
    "Rio Tinto",
    "ГМК «Норильский никель»",
    "@SUM(A1)",
    "-2+3",
]
COUNTRIES = ["KZ", "RU", "GB", "DE", "CN", "UZ", "KG", "AU", "CA", "TR"]
STATUSES = ["confirmed"] * 6 + ["pending", "waitlisted", "cancelled", "rejected"]


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def environment() -> dict:
    return {
        # No REDIS_URL: the embedded default, tasks run in-process (the XLSX task is timed
        # by itself, not its trip through a broker).
        **{k: v for k, v in os.environ.items()
           if k not in ("REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")},
        "DJANGO_SETTINGS_MODULE": "minex.settings.dev",
        "DEBUG": "false",
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "ALLOWED_HOSTS": "testserver",
        "MEDIA_ROOT": tempfile.mkdtemp(prefix="minex-bench-export-media-"),
        "STATIC_ROOT": tempfile.mkdtemp(prefix="minex-bench-export-static-"),
        "EXPORTS_TASK_SOFT_TIME_LIMIT": "3600",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }  # fmt: skip


def fresh_database(env: dict) -> None:

    from bench.harness import recreate_database

    recreate_database(PG, DATABASE, env)


def copy_rows(model, rows) -> None:
    """Insert dicts of column values with COPY FROM STDIN."""
    from django.db import connection

    columns = [field.column for field in model._meta.concrete_fields if field.column != "id"]
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        names = ", ".join(f'"{column}"' for column in columns)
        with cursor.copy(f'COPY "{model._meta.db_table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[column] for column in columns])


def prepare(rows: int) -> None:
    import django

    django.setup()
    from django.utils import timezone

    from accounts.models import User
    from registrations.models import Registration
    from tests.exports.conftest import make_staff
    from tests.factories import make_category, make_event, make_forum

    forum = make_forum(name_en="MINEX Bench", code="BEN")
    large = make_event(forum, slug=SLUG_LARGE, capacity=rows * 2)
    small = make_event(forum, slug=SLUG_SMALL, capacity=rows * 2)
    # With special personal data: the benchmark exports every column.
    make_staff(forums=[forum], email="organiser@bench.minexforum.com", special=True)
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
    for event, count in ((large, rows), (small, max(rows // 10, 1))):
        categories = [
            make_category(event, name_en="Delegate", name_ru="Делегат"),
            make_category(event, name_en="Speaker", name_ru="Докладчик", requires_approval=True),
            make_category(event, name_en="Media", name_ru="Пресса"),
        ]
        say(f"Inserting {count:,} registrations for {event.slug}…")
        copy_rows(Registration, registration_rows(event, categories, user_ids[:count], now))


def registration_rows(event, categories, user_ids, now):
    two_months = datetime.timedelta(days=60)
    for n, user_id in enumerate(user_ids):
        status = STATUSES[n % len(STATUSES)]
        category = categories[n % len(categories)]
        created = now - two_months + two_months * (n / max(len(user_ids), 1))
        visa = n % 7 == 0
        yield {
            "event_id": event.pk,
            "category_id": category.pk,
            "delegate_id": user_id,
            "reference": f"MX26-BEN-{event.pk}{n:07d}",
            "status": status,
            "title": ["mr", "ms", "dr", ""][n % 4],
            "first_name": FIRST_NAMES[n % len(FIRST_NAMES)],
            "last_name": f"{LAST_NAMES[n % len(LAST_NAMES)]} {n}",
            "latin_name": "",
            "email": f"delegate{n}@bench.minexforum.com",
            "job_title": "Бас геолог" if n % 3 else "Chief Geologist",
            "organisation": ORGANISATIONS[n % len(ORGANISATIONS)],
            "country": COUNTRIES[n % len(COUNTRIES)],
            "phone": f"+7701{n:07d}",
            "category_name": "Delegate",
            "category_name_ru": "Делегат",
            "category_name_kk": "Делегат",
            "price": "500.00",
            "currency": "EUR",
            "early_bird": False,
            "dietary_needs": "Халал" if n % 11 == 0 else "",
            "accessibility_needs": "",
            "visa_letter_needed": visa,
            "nationality": "RU" if visa else "",
            "how_heard": "",
            "consent_privacy_at": created,
            "privacy_policy_version": "2026-01",
            "consent_attendee_list": n % 2 == 0,
            "consent_marketing": n % 5 == 0,
            "language": ["en", "ru", "kk"][n % 3],
            "waitlisted_at": created if status == "waitlisted" else None,
            "checked_in_at": created + datetime.timedelta(days=1) if n % 13 == 0 else None,
            "created_at": created,
            "updated_at": created,
        }


# The measurements --------------------------------------------------------------------------


def export_post(client, slug: str, format: str) -> tuple[float, int]:
    """One export through the view; returns (seconds, bytes)."""
    from exports.columns import COLUMNS

    started = time.perf_counter()
    response = client.post(
        f"/en/staff/events/{slug}/export/?statuses=all",  # every row, as the bare COPY has
        {"format": format, "variant": "full", "columns": list(COLUMNS)},
    )
    assert response.status_code == 200, response.status_code
    size = sum(len(chunk) for chunk in response.streaming_content)
    return time.perf_counter() - started, size


def organiser_client():
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email="organiser@bench.minexforum.com"))
    return client


BARE_COLUMNS = """r.reference, r.status, c.name, r.title, r.first_name, r.last_name, r.latin_name,
    r.email, r.job_title, r.organisation, r.country, r.phone, r.nationality,
    r.visa_letter_needed, r.dietary_needs, r.accessibility_needs, r.consent_attendee_list,
    r.consent_marketing, r.created_at AT TIME ZONE %(tz)s, r.checked_in_at AT TIME ZONE %(tz)s,
    r.language"""
# Built from constants only; the values go in as parameters.
BARE_QUERY = f"""SELECT {BARE_COLUMNS}
    FROM registrations_registration r JOIN registrations_delegatecategory c ON c.id = r.category_id
    WHERE r.event_id = %(event)s ORDER BY r.last_name, r.first_name, r.id"""  # noqa: S608


def bare_copy(event) -> tuple[float, int]:
    import psycopg

    started = time.perf_counter()
    size = 0
    with psycopg.connect(f"{PG}/{DATABASE}") as conn, conn.cursor() as cursor:
        query = psycopg.ClientCursor(conn).mogrify(
            BARE_QUERY, {"tz": event.time_zone, "event": event.pk}
        )
        with cursor.copy(f"COPY ({query}) TO STDOUT WITH CSV") as copy:
            for block in copy:
                size += len(block)
    return time.perf_counter() - started, size


def bare_openpyxl(event) -> tuple[float, int]:
    import psycopg
    from openpyxl import Workbook

    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Attendees")
    count = 0
    with psycopg.connect(f"{PG}/{DATABASE}") as conn, conn.cursor(name="bare") as cursor:
        cursor.itersize = 2000
        cursor.execute(BARE_QUERY, {"tz": event.time_zone, "event": event.pk})
        for row in cursor:
            sheet.append(row)
            count += 1
    with tempfile.TemporaryFile() as target:
        workbook.save(target)
    return time.perf_counter() - started, count


def xlsx_task(event) -> tuple[float, int]:
    from accounts.models import User
    from exports.columns import COLUMNS
    from exports.models import ExportLog
    from exports.tasks import build_xlsx_export

    export = ExportLog.objects.create(
        event=event, user=User.objects.get(email="organiser@bench.minexforum.com"),
        format="xlsx", variant="full", columns=list(COLUMNS), language="en", status="queued",
        filters={"statuses": "all"},
    )  # fmt: skip
    started = time.perf_counter()
    result = build_xlsx_export.apply(kwargs={"export_id": export.pk}).get()
    seconds = time.perf_counter() - started
    export.refresh_from_db()
    assert result == "done", export.error
    return seconds, export.row_count


def python_csv(event) -> tuple[float, int]:
    from django.utils import translation

    from exports import selectors, writers
    from exports.columns import COLUMNS, ExportContext, columns_named

    started = time.perf_counter()
    with translation.override("en"):
        size = sum(
            len(chunk)
            for chunk in writers.stream_csv(
                selectors.export_registrations(event, {"statuses": "all"}),
                columns_named(COLUMNS),
                ExportContext.for_event(event),
                delimiter=",",
            )
        )
    return time.perf_counter() - started, size


def measure_memory(slug: str) -> None:
    """Child process: run every exporter on one event; print the process's peak resident
    memory (ru_maxrss) and the peak of Python allocations made while exporting (tracemalloc,
    started after start-up, so it shows what the exporters themselves hold)."""
    import tracemalloc

    import django

    django.setup()
    from events.models import Event

    event = Event.objects.get(slug=slug)
    client = organiser_client()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    export_post(client, slug, "csv")
    python_csv(event)
    _seconds, rows = xlsx_task(event)
    _current, python_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(json.dumps({"rows": rows, "peak_mb": peak / 1024, "before_mb": before / 1024,
                      "python_peak_mb": python_peak / 2**20}))  # fmt: skip


def child_peak(env: dict, slug: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--memory-of", slug],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"memory run for {slug} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--memory-of", help=argparse.SUPPRESS)
    args = parser.parse_args()

    env = environment()
    os.environ.update(env)
    if args.memory_of:
        measure_memory(args.memory_of)
        return 0

    say(f"Preparing {DATABASE}…")
    fresh_database(env)
    prepare(args.rows)

    from events.models import Event

    event = Event.objects.get(slug=SLUG_LARGE)
    client = organiser_client()
    export_post(client, SLUG_SMALL, "csv")  # warm up: imports, templates, permissions

    say("CSV through the view vs bare COPY…")
    csv_seconds, csv_bytes = export_post(client, SLUG_LARGE, "csv")
    copy_seconds, copy_bytes = bare_copy(event)
    csv_python_seconds, _size = python_csv(event)
    say("XLSX task vs bare openpyxl…")
    xlsx_seconds, xlsx_rows = xlsx_task(event)
    bare_seconds, bare_rows = bare_openpyxl(event)
    assert xlsx_rows == bare_rows == args.rows, (xlsx_rows, bare_rows)
    say("Peak memory, each size in its own process…")
    small = child_peak(env, SLUG_SMALL)
    large = child_peak(env, SLUG_LARGE)
    assert large["rows"] == args.rows

    result = {
        "rows": args.rows,
        "csv_seconds": round(csv_seconds, 3),
        "copy_seconds": round(copy_seconds, 3),
        "csv_ratio_to_copy": round(csv_seconds / copy_seconds, 2),
        "csv_bytes": csv_bytes,
        "copy_bytes": copy_bytes,
        "csv_python_path_seconds": round(csv_python_seconds, 3),
        "xlsx_seconds": round(xlsx_seconds, 3),
        "bare_openpyxl_seconds": round(bare_seconds, 3),
        "xlsx_ratio_to_openpyxl": round(xlsx_seconds / bare_seconds, 2),
        "memory_rows": [small["rows"], large["rows"]],
        "peak_mb_10k": round(small["peak_mb"], 1),
        "peak_mb_100k": round(large["peak_mb"], 1),
        "memory_growth_mb": round(large["peak_mb"] - small["peak_mb"], 1),
        "rss_after_startup_mb": round(large["before_mb"], 1),
        "python_peak_mb_10k": round(small["python_peak_mb"], 1),
        "python_peak_mb_100k": round(large["python_peak_mb"], 1),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
