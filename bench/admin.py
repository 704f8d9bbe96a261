"""Benchmark: the secretariat's registration changelist at 100 and at 100,000 registrations.

    .venv/bin/python bench/admin.py              # 100 rows, then 100,000
    .venv/bin/python bench/admin.py --rows 500   # tiny: 100 rows, then 500

Creates its own database (minex_bench_admin: dropped, created, migrated, roles set up), four
forums with two events each and five categories per event. Builds 100 registrations and
times the changelist pages, then adds the rest up to ROWS and times them again. The pages are
fetched in this process through Django's test Client (the whole admin: middleware, session,
permissions, queryset, filters, templates), logged in as a member of the Secretariat group;
each URL RUNS times after a warm-up, median kept. Pages: the plain changelist (newest
first), a status + event filter, a country + visa-letter filter, and a search by last name.

Rows are bulk-inserted (COPY-speed `bulk_create`), not made through `register_delegate`: the
services lock the event per registration, write a history row and queue two e-mails, which
would take many minutes for 100,000 and measure the wrong thing (bench/register.py measures
registering); the changelist reads only the registration, event and category rows.

Progress goes to stderr; the last line on stdout is one JSON object. `ratio` is the plain
changelist's large/small ratio (the aim: at most 3; both show a full page of 100 rows).
`ratios` gives every page's; a filtered page shows a handful of rows at 100 registrations and
a full page at 100,000, so its ratio also counts rendering more rows (`rows_shown_*`).
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
import random
import statistics
import subprocess
import time
from decimal import Decimal

PG = os.environ.get("BENCH_PG", "postgres://minex@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "minex_bench_admin")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/12")
SMALL = 100
RUNS = 15
CHANGELIST = "/en/admin/registrations/registration/"

FIRST_NAMES = ["Aigerim", "Иван", "Anna", "Bolat", "Carl", "Мария", "Dana", "Erlan", "Fiona"]
LAST_NAMES = ["Nurlanova", "Петров", "Smith", "Zhunusov", "Abbott", "Иванова", "O'Brien",
              "Tulegenov", "Brown", "Müller", "Kim", "Sato", "Garcia", "Rossi"]  # fmt: skip
ORGANISATIONS = ["Steppe Minerals LLP", "Kazakhmys", "Rio Tinto", "ERG", "Polymetal",
                 "Glencore", "Tau-Ken Samruk", "Anglo American", "BHP", "Kazatomprom"]  # fmt: skip
COUNTRIES = ["KZ", "RU", "GB", "IE", "DE", "CN", "TR", "UZ", "KG", "AZ", "GE", "US", "CA",
             "AU", "FR", "IT", "ES", "NL", "PL", "JP", "KR", "IN", "AE", "SA", "MN"]  # fmt: skip
STATUSES = (
    ["confirmed"] * 70
    + ["pending"] * 12
    + ["waitlisted"] * 8
    + ["cancelled"] * 7
    + ["rejected"] * 3
)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def fresh_database(env: dict) -> None:

    from bench.harness import recreate_database

    recreate_database(PG, DATABASE, env)
    subprocess.run(
        [sys.executable, "manage.py", "setup_roles"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def build_calendar():
    """Four forums, two events each, five categories per event; returns the categories."""
    from events.models import Event, Forum
    from registrations.models import DelegateCategory

    categories = []
    today = datetime.date(2026, 9, 1)
    for f, (code, name) in enumerate(
        [
            ("AST", "MINEX Astana"),
            ("AS", "MINEX Asia"),
            ("EU", "MINEX Europe"),
            ("EA", "MINEX Eurasia"),
        ]  # fmt: skip
    ):
        forum = Forum.objects.create(slug=name.lower().replace(" ", "-"), code=code, name_en=name)
        for e in range(2):
            start = today + datetime.timedelta(days=60 * f + 200 * e)
            event = Event.objects.create(
                forum=forum,
                slug=f"{forum.slug}-{start.year}-{e}",
                edition_number=e + 1,
                year=start.year,
                title_en=f"{name} {start.year} ({e + 1})",
                city_en="Astana",
                country="KZ",
                start_date=start,
                end_date=start + datetime.timedelta(days=1),
                capacity=100_000,
                status=Event.Status.PUBLISHED,
            )
            for c, label in enumerate(["Delegate", "Speaker", "Media", "Exhibitor", "VIP"]):
                categories.append(
                    DelegateCategory.objects.create(
                        event=event,
                        code=label.lower(),
                        name_en=label,
                        price=Decimal("500.00"),
                        requires_approval=label in ("Speaker", "VIP"),
                        display_order=c,
                    )
                )
    return categories


def add_registrations(categories, start: int, stop: int, rng: random.Random) -> None:
    """Registrations number start..stop-1: one delegate account per registration number
    modulo the events, so (event, delegate) stays unique among active registrations."""
    from django.db import connection

    from accounts.models import User
    from registrations.models import Registration

    batch = 5000
    now = datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC)
    for low in range(start, stop, batch):
        high = min(low + batch, stop)
        users = [User(email=f"delegate{n}@bench.minexforum.com") for n in range(low, high)]
        for user in users:
            user.set_unusable_password()  # they never log in
        users = User.objects.bulk_create(users)
        rows = []
        for n, user in zip(range(low, high), users, strict=True):
            category = categories[n % len(categories)]
            status = rng.choice(STATUSES)
            visa = rng.random() < 0.1
            rows.append(
                Registration(
                    event_id=category.event_id,
                    category=category,
                    delegate=user,
                    reference=f"MX26-BN-{n:07d}",
                    status=status,
                    title="dr",
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    email=user.email,
                    job_title="Geologist",
                    organisation=rng.choice(ORGANISATIONS),
                    country=rng.choice(COUNTRIES),
                    phone="+77012345678",
                    category_name=category.name_en,
                    price=category.price,
                    currency=category.currency,
                    visa_letter_needed=visa,
                    nationality=rng.choice(COUNTRIES) if visa else "",
                    consent_privacy_at=now,
                    privacy_policy_version="2026-01",
                    consent_attendee_list=rng.random() < 0.6,
                    language=rng.choice(["en", "ru", "kk"]),
                    waitlisted_at=now if status == "waitlisted" else None,
                    checked_in_at=now if status == "confirmed" and rng.random() < 0.05 else None,
                )
            )
        Registration.objects.bulk_create(rows)
        say(f"  {high:,} registrations")
    with connection.cursor() as cursor:
        # auto_now_add stamped them all "now": spread them over five months, as in real life.
        cursor.execute(
            "UPDATE registrations_registration SET created_at = %s + (id %% 150000) * "
            "interval '90 seconds' WHERE id > 0 AND created_at > %s",
            [now - datetime.timedelta(days=160), now],
        )
        # As autovacuum would soon: statistics for the planner, the visibility map for
        # index-only scans.
        cursor.execute("VACUUM ANALYZE registrations_registration")


def measure(client, urls: dict[str, str]) -> tuple[dict[str, float], dict[str, int], int]:
    """Median milliseconds per page, the rows each page shows, and the plain changelist's
    query count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    medians, shown = {}, {}
    for name, url in urls.items():
        for _warm_up in range(2):
            response = client.get(url)
            assert response.status_code == 200, url
        shown[name] = response.content.decode().count('class="action-select"')
        times = []
        for _run in range(RUNS):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
        medians[name] = round(statistics.median(times), 1)
    with CaptureQueriesContext(connection) as queries:
        client.get(urls["plain"])
    return medians, shown, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="registrations at the end")
    args = parser.parse_args()
    rows = max(args.rows, SMALL)

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "minex.settings.test",
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "REDIS_URL": REDIS,
    }
    os.environ.update(env)
    say(f"database {DATABASE}: fresh, migrated, roles")
    fresh_database(env)

    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.test import Client

    from accounts.models import User

    secretariat = User.objects.create_user("secretariat@minexforum.com", is_staff=True)
    secretariat.groups.add(Group.objects.get(name="Secretariat"))
    client = Client()
    client.force_login(secretariat)

    rng = random.Random(2026)
    categories = build_calendar()
    event = categories[0].event
    urls = {
        "plain": CHANGELIST,
        "status_event": f"{CHANGELIST}?status__exact=confirmed&event__id__exact={event.pk}",
        "country_visa": f"{CHANGELIST}?country__exact=KZ&visa_letter_needed__exact=1",
        "search": f"{CHANGELIST}?q=Brown",
    }

    say(f"{SMALL} registrations")
    add_registrations(categories, 0, SMALL, rng)
    small, shown_small, queries_small = measure(client, urls)
    say(f"  medians (ms): {small}, rows shown {shown_small}, {queries_small} queries")

    say(f"{rows:,} registrations")
    add_registrations(categories, SMALL, rows, rng)
    large, shown_large, queries_large = measure(client, urls)
    say(f"  medians (ms): {large}, rows shown {shown_large}, {queries_large} queries")

    ratios = {name: round(large[name] / small[name], 2) for name in urls}
    print(
        json.dumps(
            {
                "rows_small": SMALL,
                "rows_large": rows,
                "changelist_ms_small": small["plain"],
                "changelist_ms_large": large["plain"],
                "ratio": ratios["plain"],
                "queries_small": queries_small,
                "queries_large": queries_large,
                "pages_ms_small": small,
                "pages_ms_large": large,
                "ratios": ratios,
                "rows_shown_small": shown_small,
                "rows_shown_large": shown_large,
                "runs": RUNS,
            }
        )
    )


if __name__ == "__main__":
    main()
