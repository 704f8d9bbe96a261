"""Benchmark: e-mails through the outbox, a real Celery worker and SMTP, against raw smtplib.

    .venv/bin/python bench/email_outbox.py --count 1000

Starts its own PostgreSQL database (minex_bench_mail, dropped and migrated), a private
redis-server as the broker, aiosmtpd in a subprocess that records each Message-ID, and a Celery
worker with the production settings driven by the environment. Queues N e-mails through
mail.services.queue_email (one transaction each, as registrations do), waits until the SMTP
server has them all, then sends the same N messages with a raw smtplib loop over one connection.
Progress goes to stderr; the last line on stdout is one JSON object.
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
import smtplib
import subprocess
import time
from collections import Counter

from bench.harness import ROOT, Processes, free_port, say, wait_for_port

PG = os.environ.get("BENCH_PG", "postgres://minex@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "minex_bench_mail")
MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)


# The SMTP server (a subprocess of this script: `bench/email_outbox.py --serve-smtp PORT FILE`)


def serve_smtp(port: int, record_path: str) -> None:
    """aiosmtpd accepting everything and appending each message's Message-ID to a file."""
    import asyncio

    from aiosmtpd.controller import Controller

    record = open(record_path, "ab", buffering=0)  # noqa: SIM115 (open for the process' life)

    class Recorder:
        async def handle_DATA(self, server, session, envelope):
            match = MESSAGE_ID.search(envelope.content)
            record.write((match.group(1) if match else b"<none>") + b"\n")
            return "250 Message accepted"

    controller = Controller(Recorder(), hostname="127.0.0.1", port=port)
    controller.start()
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


def recorded_ids(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [line.decode() for line in path.read_bytes().splitlines() if line]


# The run


def recreate_database(environment: dict) -> None:

    from bench import harness

    harness.recreate_database(PG, DATABASE, environment)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="e-mails to send (default 1000)")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for delivery")
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
        # No periodic dispatcher in this run: every e-mail must arrive by its own hand-off.
        "MAIL_DISPATCH_INTERVAL": "3600",
    }
    environment.pop("EMAIL_BACKEND", None)
    os.environ.update({key: value for key, value in environment.items() if key != "PATH"})
    os.environ.pop("EMAIL_BACKEND", None)

    processes = Processes()
    try:
        say(f"Creating and migrating database {DATABASE}...")
        recreate_database(environment)
        say(f"Starting redis-server on {redis_port} and aiosmtpd on {smtp_port}...")
        processes.start(
            [
                "redis-server",
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--logfile",
                str(workdir / "redis.log"),
            ]  # fmt: skip
        )
        processes.start(
            [sys.executable, __file__, "--serve-smtp", str(smtp_port), str(record_path)]
        )
        wait_for_port(redis_port, 10)
        wait_for_port(smtp_port, 10)
        say(f"Starting a Celery worker ({args.concurrency} processes)...")
        worker_log = workdir / "worker.log"
        with worker_log.open("wb") as log:
            processes.start(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "--app",
                    "minex",
                    "worker",
                    "--pool",
                    "prefork",
                    "--concurrency",
                    str(args.concurrency),
                    "--loglevel",
                    "INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--hostname",
                    f"bench-mail-{os.getpid()}@%h",
                ],  # fmt: skip
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 120  # a loaded host starts Celery slowly
        while b" ready." not in worker_log.read_bytes():
            if time.monotonic() > deadline:
                raise RuntimeError("The Celery worker did not start; see " + str(worker_log))
            time.sleep(0.1)

        result = run(args.count, args.timeout, record_path, smtp_port)
    finally:
        processes.stop_all()
    print(json.dumps(result), flush=True)


def run(count: int, timeout: float, record_path: Path, smtp_port: int) -> dict:
    import django

    django.setup()
    from django.db import transaction

    from mail.models import OutgoingEmail
    from mail.services import queue_email
    from mail.tasks import deliver_emails

    # A web process publishes many tasks in its life; the first one pays for loading Celery's
    # task modules and connecting to the broker (~0.7 s here). Pay it before the clock starts,
    # with a task that has nothing to do.
    deliver_emails.delay([])

    # One transaction, as for a notice to every delegate of an event: rendering and inserting
    # is the caller's work (reported as queue_per_second); the clock for per_second starts at
    # the commit, which hands the e-mails to the workers.
    say(f"Rendering and queueing {count} e-mails through queue_email in one transaction...")
    queue_started = time.monotonic()
    with transaction.atomic():
        emails = [
            queue_email(
                to=f"delegate{n}@example.com",
                language=("en", "ru", "kk")[n % 3],
                kind="bench.test",
                template="mail/emails/test_message",
                context={"sent_on": "2026-11-25", "note": f"Benchmark message {n}"},
            )
            for n in range(count)
        ]
        queue_per_second = count / (time.monotonic() - queue_started)
        # The baseline, measured once before and once after the outbox run (this machine's
        # load varies): the same messages, already built, over one smtplib connection.
        raw_messages = raw_copies(emails)
        raw_before = send_raw(raw_messages, smtp_port)
        started = time.monotonic()
    expected = {email.message_id for email in emails}
    say(f"  committed and handed off in {time.monotonic() - started:.2f} s")

    deadline = started + timeout
    last_report = 0.0
    while True:
        arrived = expected.intersection(recorded_ids(record_path))
        if len(arrived) >= count or time.monotonic() > deadline:
            break
        if time.monotonic() - last_report >= 1:
            say(f"  delivered {len(arrived)}/{count}")
            last_report = time.monotonic()
        time.sleep(0.02)
    elapsed = time.monotonic() - started
    time.sleep(1)  # a late duplicate would arrive now
    counts = Counter(recorded_ids(record_path))
    lost = len(expected - set(counts))
    duplicates = sum(counts[message_id] - 1 for message_id in expected if counts[message_id])
    statuses = Counter(OutgoingEmail.objects.values_list("status", flat=True))
    say(f"  {count - lost} delivered in {elapsed:.2f} s; outbox statuses: {dict(statuses)}")

    raw_after = send_raw(raw_messages, smtp_port)
    per_second = (count - lost) / elapsed
    raw_per_second = (raw_before + raw_after) / 2
    return {
        "emails": count,
        "per_second": round(per_second, 1),
        "raw_smtplib_per_second": round(raw_per_second, 1),
        "ratio_to_raw_smtplib": round(per_second / raw_per_second, 3),
        "queue_per_second": round(queue_per_second, 1),
        "lost": lost,
        "duplicates": duplicates,
    }


def raw_copies(emails) -> list[tuple[str, list[str], bytes]]:
    """The outbox's messages as bytes, with their own Message-IDs so they are not counted."""
    from mail.emails import build_message

    copies = []
    for email in emails:
        message = build_message(email)
        content = message.message().as_bytes(linesep="\r\n")
        content = content.replace(
            email.message_id.encode(), b"<raw-" + email.message_id[1:].encode()
        )
        copies.append((message.from_email, message.recipients(), content))
    return copies


def send_raw(messages: list[tuple[str, list[str], bytes]], smtp_port: int) -> float:
    """Send with plain smtplib over one connection; return messages per second."""
    started = time.monotonic()
    with smtplib.SMTP("127.0.0.1", smtp_port) as smtp:
        for from_email, recipients, content in messages:
            smtp.sendmail(from_email, recipients, content)
    rate = len(messages) / (time.monotonic() - started)
    say(f"  raw smtplib: {len(messages)} messages at {rate:.0f}/s")
    return rate


if __name__ == "__main__":
    main()
