"""Benchmark: the delegate's whole journey, from the event page to the confirmation in the inbox.

    .venv/bin/python bench/journey.py                   # 1,000 delegates, 20 at a time
    .venv/bin/python bench/journey.py --delegates 20 --concurrency 5    # tiny
    .venv/bin/python bench/journey.py --per-minute 1000 # paced: 1,000 journeys a minute

Creates its own database (minex_bench_journey: dropped, migrated), an event with a place for
every delegate, and DELEGATES logged-in delegates (sessions written directly, as
bench/register.py does: the login page is rate-limited). Starts what production runs: a private
redis-server (broker and cache), gunicorn through bin/web (2 workers), a Celery worker through
bin/worker (2 processes), all with the production settings, and an SMTP server (aiosmtpd, in a
subprocess) that records when each message arrived, for whom and its Message-ID.

Each delegate opens the event page, loads the registration form, submits it and reads the
thank-you page, CONCURRENCY at a time (with --per-minute, the journeys also start no faster
than that rate). A journey ends when its two e-mails have been accepted by the SMTP server: the
delegate's confirmation (matched by recipient) and the secretariat's notice (matched by its
Reply-To, the delegate's address). `journeys_per_second` counts from the first page to the last
e-mail accepted; `submit_to_inbox_p99_s` from the moment each form was submitted to its
confirmation's arrival. In the same run, the same delegates load and POST a bare authenticated
view that inserts one row (the baseline: bench/register_site.py).

Progress goes to stderr; the last line on stdout is one JSON object.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder comes first on the module path: the project root takes its place.
sys.path[0] = str(ROOT)

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from email.parser import BytesHeaderParser
from email.utils import getaddresses

from cryptography.fernet import Fernet

from bench.harness import Processes, free_port, percentile, say, wait_for_port, wait_until
from bench.register import TOKEN, Client, logged_in_delegates, run_load, warm_up

PG = os.environ.get("BENCH_PG", "postgres://minex@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "minex_bench_journey")
DELEGATE_DOMAIN = "journey.minexforum.com"
SECRETARIAT = f"secretariat@{DELEGATE_DOMAIN}"


# The SMTP server (a subprocess of this script: `bench/journey.py --serve-smtp PORT FILE`)


# How the ticket e-mail (badges.emails) is told apart: its QR attachment's file name.
TICKET_ATTACHMENT = b'filename="ticket-'


def serve_smtp(port: int, record_path: str) -> None:
    """aiosmtpd accepting everything; one line per message: arrival time, the recipient, the
    Reply-To address and the Message-ID, tab-separated."""
    import asyncio

    from aiosmtpd.controller import Controller

    record = open(record_path, "ab", buffering=0)  # noqa: SIM115 (open for the process' life)
    parser = BytesHeaderParser()

    class Recorder:
        async def handle_DATA(self, server, session, envelope):
            arrived = time.time()
            if TICKET_ATTACHMENT in envelope.content:
                # The badges app's ticket e-mail (a second message to each confirmed
                # delegate) is not part of this journey: accepted, not recorded.
                return "250 Message accepted"
            headers = parser.parsebytes(envelope.content)
            reply_to = ",".join(
                address for _, address in getaddresses(headers.get_all("Reply-To", []))
            )
            line = "\t".join(
                [f"{arrived:.6f}", ",".join(envelope.rcpt_tos).lower(), reply_to.lower(),
                 headers.get("Message-ID", "<none>").strip()]
            )  # fmt: skip
            record.write(line.encode() + b"\n")
            return "250 Message accepted"

    controller = Controller(Recorder(), hostname="127.0.0.1", port=port)
    controller.start()
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


def received(record_path: Path) -> list[tuple[float, str, str, str]]:
    """(arrival, recipient, reply-to, Message-ID) of every message the SMTP server accepted."""
    if not record_path.exists():
        return []
    messages = []
    for line in record_path.read_bytes().decode().splitlines():
        parts = line.split("\t")
        if len(parts) == 4:  # a line still being written has fewer
            messages.append((float(parts[0]), parts[1], parts[2], parts[3]))
    return messages


def journey_emails(messages) -> Counter:
    """How many of each expected e-mail arrived, keyed ("confirmation" | "notice", delegate)."""
    counts = Counter()
    for _arrived, recipient, reply_to, _message_id in messages:
        if recipient == SECRETARIAT:
            counts["notice", reply_to] += 1
        else:
            counts["confirmation", recipient] += 1
    return counts


# The run


class CpuMeter:
    """CPU time (user + system, from /proc: Linux) used by the web processes, the worker
    processes and this database's PostgreSQL backends between start() and stop().

    Processes come and go meanwhile (a backend closes at CONN_MAX_AGE, a pool process is
    replaced), so each one's counter is read every half second and its last reading kept."""

    def __init__(self, web_group: int, worker_group: int):
        self.groups = {web_group: "web", worker_group: "worker"}
        self.ticks = os.sysconf("SC_CLK_TCK")
        self.first: dict[int, tuple[str, float]] = {}
        self.last: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample_until_stopped, daemon=True)

    def _read(self) -> dict[int, tuple[str, float]]:
        readings = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                tier = self.groups.get(int(stat.rsplit(")", 1)[1].split()[2]))
                if tier is None and stat.split(" (", 1)[1].startswith("postgres"):
                    title = (entry / "cmdline").read_bytes()
                    tier = "postgres" if f" {DATABASE} ".encode() in title else None
            except (OSError, IndexError):
                continue  # it ended meanwhile
            if tier:
                fields = stat.rsplit(")", 1)[1].split()
                readings[int(entry.name)] = (tier, (int(fields[11]) + int(fields[12])) / self.ticks)
        return readings

    def _sample_until_stopped(self) -> None:
        while not self._stop.wait(0.5):
            self.last.update(self._read())

    def start(self) -> None:
        self.first = self._read()
        self.last = dict(self.first)
        self._thread.start()

    def stop(self) -> dict[str, float]:
        """Seconds of CPU per tier ("web", "worker", "postgres") since start()."""
        self._stop.set()
        self._thread.join()
        self.last.update(self._read())
        used = {"web": 0.0, "worker": 0.0, "postgres": 0.0}
        for pid, (tier, seconds) in self.last.items():
            used[tier] += seconds - self.first.get(pid, (tier, 0.0))[1]
        return used


def fresh_database(env: dict) -> None:
    import psycopg

    from bench.harness import recreate_database

    recreate_database(PG, DATABASE, env)
    with psycopg.connect(f"{PG}/{DATABASE}", autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_hit (id bigserial PRIMARY KEY, user_id bigint NOT NULL)")


def drop_database() -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def prepare(delegates: int) -> tuple[str, int, list[tuple[str, str]]]:
    """The event, its category and the delegates; returns (slug, category id, [(e-mail,
    session key)])."""
    import django

    django.setup()
    from tests.factories import make_category, make_event

    event = make_event(capacity=delegates, slug="journey-forum", secretariat_email=SECRETARIAT)
    category = make_category(event, name_en="Delegate")
    return event.slug, category.pk, logged_in_delegates(delegates, DELEGATE_DOMAIN)


class JourneyClient(Client):
    """A delegate's browser (bench/register.py's) that also remembers where a redirect pointed."""

    location = ""

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
        getresponse = self.connection.getresponse

        def remember_location():
            response = getresponse()
            self.location = response.getheader("Location", "")
            return response

        self.connection.getresponse = remember_location  # shadows the class's method
        try:
            return super().request(method, path, body)
        finally:
            del self.connection.getresponse


def run_journeys(port, delegates, concurrency, per_minute, slug, form):
    """Every delegate's journey through the pages; returns (started, submitted, errors):
    the wall-clock start, {delegate e-mail: wall-clock time of the POST}, error texts."""
    event_page = f"/en/events/{slug}/"
    register_page = f"/en/events/{slug}/register/"
    submitted: dict[str, float] = {}
    errors: list[str] = []
    lock = threading.Lock()
    interval = 60 / per_minute if per_minute else 0.0
    started = time.time()

    def one(n: int, email: str, key: str) -> None:
        if interval:
            time.sleep(max(0.0, started + n * interval - time.time()))
        client = JourneyClient(port, key)
        try:
            status, _ = client.request("GET", event_page)
            if status != 200:
                raise RuntimeError(f"GET {event_page}: {status}")
            status, page = client.request("GET", register_page)
            token = TOKEN.search(page)
            if status != 200 or not token:
                raise RuntimeError(f"GET {register_page}: {status}")
            submitted_at = time.time()
            status, _ = client.request(
                "POST", register_page, {**form, "csrfmiddlewaretoken": token[1]}
            )
            location = client.location
            if status != 302 or not location:
                raise RuntimeError(f"POST {register_page}: {status}")
            with lock:
                submitted[email] = submitted_at
            status, page = client.request("GET", location)
            if status != 200:
                raise RuntimeError(f"GET {location}: {status}")
        except Exception as error:  # counted and reported: a benchmark must not stop halfway
            with lock:
                errors.append(f"{email}: {error}")
        finally:
            client.connection.close()

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(len(delegates)), *zip(*delegates, strict=True)))
    return started, submitted, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delegates", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument(
        "--per-minute", type=float, default=0, help="start at most this many journeys a minute"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--celery-concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for e-mail")
    parser.add_argument("--serve-smtp", nargs=2, metavar=("PORT", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_smtp:
        serve_smtp(int(args.serve_smtp[0]), args.serve_smtp[1])
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="minex-bench-journey-"))
    record_path = workdir / "smtp-received.txt"
    port, redis_port, smtp_port = free_port(), free_port(), free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE",
                                                            "EMAIL_BACKEND"}},
        "PATH": f"{ROOT / '.venv/bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "DJANGO_SETTINGS_MODULE": "bench.register_site",
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(args.workers),
        "CELERY_CONCURRENCY": str(args.celery_concurrency),
        "CELERY_HOSTNAME": f"bench-journey-{os.getpid()}@%h",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }  # fmt: skip
    os.environ.clear()
    os.environ.update(env)

    processes = Processes()
    try:
        say(f"Preparing {DATABASE}: {args.delegates} delegates…")
        fresh_database(env)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "minex.settings.build"},
            check=True,
        )
        slug, category_id, delegates = prepare(args.delegates)

        say(f"Starting redis-server ({redis_port}), aiosmtpd ({smtp_port}), gunicorn ({port})"
            f" and a Celery worker…")  # fmt: skip
        processes.start(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--logfile", str(workdir / "redis.log")]
        )  # fmt: skip
        processes.start(
            [sys.executable, __file__, "--serve-smtp", str(smtp_port), str(record_path)]
        )
        wait_for_port(redis_port)
        wait_for_port(smtp_port)
        worker_log = workdir / "worker.log"
        with worker_log.open("wb") as log:
            worker = processes.start(
                [str(ROOT / "bin/worker"), "--without-mingle", "--loglevel", "INFO"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        with (workdir / "web.log").open("wb") as log:
            web = processes.start(
                [str(ROOT / "bin/web"), "--access-logfile", "/dev/null"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_until(lambda: b" ready." in worker_log.read_bytes(), 60, f"worker: {worker_log}")
        wait_for_port(port, 60)

        from legal.policies import current_privacy_policy

        # As the page sends it: consent binds to the privacy-policy version the form showed.
        form = {"category": category_id, "first_name": "Delegate", "last_name": "Journey",
                "country": "KZ", "consent_privacy": "on",
                "privacy_policy_version": current_privacy_policy().version}  # fmt: skip

        # Each gunicorn worker imports the views and templates on its first requests: pay that
        # before either clock starts.
        warm_up(port, delegates[0][1], [f"/en/events/{slug}/", f"/en/events/{slug}/register/",
                "/bench/bare/"], requests=4 * args.workers)  # fmt: skip
        say(f"Baseline: bare authenticated GET and POST, {args.concurrency} at a time…")
        bare_seconds, bare_latencies, bare_errors = run_load(
            port, [key for _, key in delegates], args.concurrency, "/bench/bare/", {}, ok=204
        )
        pace = f", {args.per_minute:g} a minute" if args.per_minute else ""
        say(f"Journeys: {args.delegates} delegates, {args.concurrency} at a time{pace}…")
        cpu = CpuMeter(web.pid, worker.pid)
        cpu.start()
        started, submitted, errors = run_journeys(
            port, delegates, args.concurrency, args.per_minute, slug, form
        )
        pages_done = time.time()
        say(f"  pages done in {pages_done - started:.1f} s ({len(errors)} errors); "
            f"waiting for the e-mails…")  # fmt: skip

        expected = {(kind, email) for email in submitted for kind in ("confirmation", "notice")}
        deadline = time.monotonic() + args.timeout
        last_report = 0.0
        while True:
            counts = journey_emails(received(record_path))
            arrived = expected.intersection(counts)
            if len(arrived) == len(expected) or time.monotonic() > deadline:
                break
            if time.monotonic() - last_report >= 2:
                say(f"  {len(arrived)}/{len(expected)} e-mails accepted")
                last_report = time.monotonic()
            time.sleep(0.05)
        cpu_used = cpu.stop()
        # A late duplicate would arrive now (the worker's batch is at most a few seconds).
        time.sleep(2)
        messages = received(record_path)
    finally:
        processes.stop_all()

    counts = journey_emails(messages)
    lost = len(expected - set(counts))
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    strays = sum(n for key, n in counts.items() if key not in expected)
    arrivals = {}
    for arrived, recipient, _reply_to, _message_id in messages:
        if ("confirmation", recipient) in expected:
            arrivals.setdefault(recipient, arrived)
    last_accepted = max((m[0] for m in messages), default=pages_done)
    to_inbox = [arrivals[email] - submitted[email] for email in arrivals]
    journeys = sum(
        1 for email in submitted
        if ("confirmation", email) in counts and ("notice", email) in counts
    )  # fmt: skip
    seconds = max(last_accepted, pages_done) - started
    per_second = journeys / seconds if seconds else 0.0
    bare_per_second = len(bare_latencies) / bare_seconds if bare_seconds else 0.0
    if errors or bare_errors:
        say(f"Errors: {(errors + bare_errors)[:5]}")
    say(f"  {journeys} journeys complete, {lost} e-mails lost, {duplicates} duplicated, "
        f"{strays} unexpected")  # fmt: skip

    shutil.rmtree(workdir, ignore_errors=True)
    drop_database()
    result = {
        "delegates": args.delegates,
        "concurrency": args.concurrency,
        "per_minute": args.per_minute or None,
        "journeys": journeys,
        "journeys_per_second": round(per_second, 2),
        "pages_seconds": round(pages_done - started, 2),
        "submit_to_inbox_p50_s": round(percentile(to_inbox, 0.5), 3),
        "submit_to_inbox_p99_s": round(percentile(to_inbox, 0.99), 3),
        "emails": len(messages),
        "lost": lost,
        "duplicates": duplicates,
        "errors": len(errors) + len(bare_errors),
        # What one journey costs each tier, in CPU milliseconds: the basis for sizing hosts.
        "cpu_ms_per_journey": {
            tier: round(seconds * 1000 / journeys, 1) if journeys else None
            for tier, seconds in cpu_used.items()
        },
        "baseline_bare_get_post_per_second": round(bare_per_second, 1),
        "ratio": round(per_second / bare_per_second, 3) if bare_per_second else None,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
