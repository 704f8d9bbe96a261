"""Benchmark: a 20,000-recipient mailing at its rate while registrations keep confirming.

    .venv/bin/python bench/mailing.py --recipients 20000 --rate 12000

Starts its own PostgreSQL database (minex_bench_mailing, dropped and migrated), a private
redis-server, an SMTP server (a subprocess) that records each message's Message-ID with its
arrival time, two Celery workers as in production (the default queue; the "mailings" queue)
and Celery beat (the mailings' pacer every second). Bulk-inserts N delegates registered for
one event, then presses "send" (mailings.services.send_mailing) and times until every
recipient's e-mail is in the outbox (`queue_seconds`). While the mailing is delivered at
`--rate` per minute, it registers delegates for another event, one every `--every` seconds
(registrations.services.register_delegate, as the form does), and measures from each commit
to the arrival of its e-mails at the SMTP server (`confirmation_p99_s`). Then waits for the
whole mailing and counts messages never received (`lost`) and received twice (`duplicates`).
Progress goes to stderr; the last line on stdout is one JSON object with keys `recipients`,
`queue_seconds`, `confirmation_p99_s`, `lost`, `duplicates` (and a few more).
"""

import sys
from pathlib import Path

# Run as a script, this folder comes first on the module path: the project root takes its place.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import json
import os
import re
import signal
import subprocess
import time
from collections import Counter

from bench.harness import (
    ROOT,
    Processes,
    free_port,
    percentile,
    recreate_database,
    say,
    wait_for_port,
)

PG = os.environ.get("BENCH_PG", "postgres://minex@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "minex_bench_mailing")
MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)


def serve_smtp(port: int, record_path: str) -> None:
    """aiosmtpd accepting everything, appending "<arrival time> <Message-ID>" per message."""
    import asyncio

    from aiosmtpd.controller import Controller

    record = open(record_path, "ab", buffering=0)  # noqa: SIM115 (open for the process' life)

    class Recorder:
        async def handle_DATA(self, server, session, envelope):
            match = MESSAGE_ID.search(envelope.content)
            message_id = match.group(1) if match else b"<none>"
            record.write(f"{time.time():.6f} ".encode() + message_id + b"\n")
            return "250 Message accepted"

    controller = Controller(Recorder(), hostname="127.0.0.1", port=port)
    controller.start()
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


def received(path: Path) -> list[tuple[float, str]]:
    if not path.exists():
        return []
    rows = []
    for line in path.read_bytes().splitlines():
        at, _space, message_id = line.partition(b" ")
        if message_id:
            rows.append((float(at), message_id.decode()))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=20000)
    parser.add_argument("--rate", type=int, default=12000, help="mailing e-mails per minute")
    parser.add_argument("--registrations", type=int, default=60, help="confirmations to time")
    parser.add_argument("--every", type=float, default=0.5, help="seconds between them")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait in all")
    parser.add_argument("--serve-smtp", nargs=2, metavar=("PORT", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_smtp:
        serve_smtp(int(args.serve_smtp[0]), args.serve_smtp[1])
        return

    workdir = ROOT / "bench" / "results" / DATABASE
    workdir.mkdir(parents=True, exist_ok=True)
    record_path = workdir / "smtp-received.txt"
    record_path.unlink(missing_ok=True)
    smtp_port, redis_port = free_port(), free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "minex.settings.dev",
        "DEBUG": "false",
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "LOG_LEVEL": "WARNING",
        "MAILINGS_RATE_PER_MINUTE": str(args.rate),
        "MAILINGS_DISPATCH_INTERVAL": "1",
        # Each pacer run hands out at most this many due rows: a second's worth and more.
        "MAIL_DISPATCH_BATCH_SIZE": str(max(500, args.rate // 30)),
    }
    environment.pop("EMAIL_BACKEND", None)
    os.environ.update({key: value for key, value in environment.items() if key != "PATH"})
    os.environ.pop("EMAIL_BACKEND", None)

    processes = Processes()
    try:
        say(f"Creating and migrating database {DATABASE}...")
        recreate_database(PG, DATABASE, environment)
        say(f"Starting redis-server on {redis_port} and an SMTP server on {smtp_port}...")
        processes.start(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--logfile", str(workdir / "redis.log")]
        )  # fmt: skip
        processes.start(
            [sys.executable, __file__, "--serve-smtp", str(smtp_port), str(record_path)]
        )
        wait_for_port(redis_port, 10)
        wait_for_port(smtp_port, 10)
        logs = []
        for name, queues in (("default", "celery"), ("mailings", "mailings")):
            log_path = workdir / f"worker-{name}.log"
            logs.append(log_path)
            with log_path.open("wb") as log:
                processes.start(
                    [sys.executable, "-m", "celery", "--app", "minex", "worker",
                     "--pool", "prefork", "--concurrency", "1", "--queues", queues,
                     "--loglevel", "INFO", "--without-gossip", "--without-mingle",
                     "--hostname", f"bench-{name}-{os.getpid()}@%h"],
                    cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
                )  # fmt: skip
        with (workdir / "beat.log").open("wb") as log:
            processes.start(
                [sys.executable, "-m", "celery", "--app", "minex", "beat", "--loglevel",
                 "INFO", "--schedule", str(workdir / "beat-schedule")],
                cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 120  # a loaded host starts Celery slowly
        while not all(b" ready." in path.read_bytes() for path in logs):
            if time.monotonic() > deadline:
                raise RuntimeError(f"A Celery worker did not start; see {workdir}")
            time.sleep(0.1)
        result = run(args, record_path)
    finally:
        processes.stop_all()
    print(json.dumps(result), flush=True)


def populate(count: int):
    """An event with ``count`` confirmed delegates (bulk inserts), another to register for,
    and a staff member; returns (mailing event, open category, staff)."""
    import datetime
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import DelegateProfile, User
    from events.models import Event, Forum
    from registrations.models import DelegateCategory, Registration

    forum = Forum.objects.create(name_en="MINEX Europe", slug="europe", code="EU")
    start = timezone.now().date() + datetime.timedelta(days=60)
    events = [
        Event.objects.create(
            forum=forum, slug=f"europe-{n}", edition_number=n, year=2026 + n,
            title_en=f"MINEX Europe {n}", city_en="Dublin", country="IE",
            start_date=start, end_date=start + datetime.timedelta(days=1),
            capacity=10**6, status=Event.Status.PUBLISHED,
        )
        for n in (1, 2)
    ]  # fmt: skip
    categories = [
        DelegateCategory.objects.create(
            event=event, code="delegate", name_en="Delegate", price=Decimal("0"), currency="EUR"
        )
        for event in events
    ]
    password = make_password(None)
    users = User.objects.bulk_create(
        [User(email=f"delegate{n}@example.com", password=password) for n in range(count)],
        batch_size=2000,
    )
    DelegateProfile.objects.bulk_create(
        [
            DelegateProfile(user=user, first_name="Delegate", last_name=str(n), country="IE",
                            consent_marketing=True)
            for n, user in enumerate(users)
        ],
        batch_size=2000,
    )  # fmt: skip
    now = timezone.now()
    Registration.objects.bulk_create(
        [
            Registration(
                event=events[0], category=categories[0], delegate=user,
                reference=f"MXBENCH{n:07d}", status=Registration.Status.CONFIRMED,
                first_name="Delegate", last_name=str(n), email=user.email, country="IE",
                category_name="Delegate", price=Decimal("0"), currency="EUR",
                consent_privacy_at=now, privacy_policy_version="bench",
                language=("en", "ru", "kk")[n % 3],
            )
            for n, user in enumerate(users)
        ],
        batch_size=2000,
    )  # fmt: skip
    staff = User.objects.create_superuser("secretariat@example.com", "x")
    return events[0], categories[1], staff


def run(args, record_path: Path) -> dict:
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from accounts.models import DelegateProfile, User
    from mail.models import OutgoingEmail
    from mailings.models import Mailing
    from mailings.services import send_mailing
    from registrations.models import Registration
    from registrations.services import register_delegate

    say(f"Inserting {args.recipients} registered delegates...")
    event, open_category, staff = populate(args.recipients)
    mailing = Mailing.objects.create(
        name="Practical information",
        subject_en="{{ event }}: practical information",
        subject_ru="{{ event }}: практическая информация",
        subject_kk="{{ event }}: практикалық ақпарат",
        body_en="{{ greeting }}\n\nYour reference: {{ reference }}\n{{ registration_link }}",
        body_ru="{{ greeting }}\n\nВаш номер: {{ reference }}\n{{ registration_link }}",
        body_kk="{{ greeting }}\n\nНөміріңіз: {{ reference }}\n{{ registration_link }}",
        event=event,
        created_by=staff,
    )

    say("Sending the mailing...")
    started = time.monotonic()
    with transaction.atomic():
        send_mailing(mailing, acting_user=staff)
    while Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.QUEUEING).exists():
        if time.monotonic() - started > args.timeout:
            raise RuntimeError("The mailing was never queued.")
        time.sleep(0.05)
    queue_seconds = time.monotonic() - started
    mailing.refresh_from_db()
    say(f"  {mailing.recipients_count} e-mails queued in {queue_seconds:.2f} s")
    mailing_ids = set(
        OutgoingEmail.objects.filter(
            related_type=ContentType.objects.get_for_model(Mailing),
            related_id=str(mailing.pk),
            bulk=True,
        ).values_list("message_id", flat=True)
    )

    say(f"Registering {args.registrations} delegates while the mailing goes out...")
    registration_type = ContentType.objects.get_for_model(Registration)
    committed_at: dict[str, float] = {}
    for n in range(args.registrations):
        user = User.objects.create_user(f"new{n}@example.com", "x")
        DelegateProfile.objects.create(user=user, first_name="New", last_name=str(n))
        with transaction.atomic():
            registration, _created = register_delegate(
                open_category.event, delegate=user, category=open_category,
                consent_privacy=True, language=("en", "ru", "kk")[n % 3],
            )  # fmt: skip
        at = time.time()
        for message_id in OutgoingEmail.objects.filter(
            related_type=registration_type, related_id=str(registration.pk)
        ).values_list("message_id", flat=True):
            committed_at[message_id] = at
        time.sleep(args.every)

    expected = mailing_ids | set(committed_at)
    deadline = started + args.timeout
    last_report = 0.0
    while True:
        arrived = {message_id for _at, message_id in received(record_path)}
        if expected <= arrived or time.monotonic() > deadline:
            break
        if time.monotonic() - last_report >= 5:
            say(
                f"  mailing {len(mailing_ids & arrived)}/{len(mailing_ids)}, "
                f"confirmations {len(set(committed_at) & arrived)}/{len(committed_at)}"
            )
            last_report = time.monotonic()
        time.sleep(0.2)
    delivered_in = time.monotonic() - started
    time.sleep(1)  # a late duplicate would arrive now
    rows = received(record_path)
    counts = Counter(message_id for _at, message_id in rows)
    first_arrival: dict[str, float] = {}
    for at, message_id in rows:
        first_arrival.setdefault(message_id, at)
    latencies = [
        first_arrival[message_id] - at
        for message_id, at in committed_at.items()
        if message_id in first_arrival
    ]
    lost = len(expected - set(counts))
    duplicates = sum(counts[message_id] - 1 for message_id in expected if counts[message_id])
    statuses = Counter(OutgoingEmail.objects.values_list("status", flat=True))
    say(f"  done in {delivered_in:.1f} s; outbox statuses: {dict(statuses)}")
    return {
        "recipients": len(mailing_ids),
        "queue_seconds": round(queue_seconds, 2),
        "confirmation_p99_s": round(percentile(latencies, 0.99), 3),
        "confirmation_p50_s": round(percentile(latencies, 0.5), 3),
        "confirmations": len(committed_at),
        "rate_per_minute": args.rate,
        "mailing_delivered_per_minute": round(len(mailing_ids) / delivered_in * 60),
        "lost": lost,
        "duplicates": duplicates,
    }


if __name__ == "__main__":
    main()
