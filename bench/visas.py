"""Benchmark: visa invitation letters rendered by a real Celery worker, and its memory.

    .venv/bin/python bench/visas.py                      # 500 letters, memory after 50 and 500
    .venv/bin/python bench/visas.py --count 6 --first 3  # tiny

Creates its own PostgreSQL database (minex_bench_visas: dropped, created, migrated), a private
redis-server as the broker and a Celery worker (prefork, 2 processes, the real settings driven
by the environment; e-mails go to Django's dummy backend). Delegates, their registrations and
their visa requests (reviewed, petition numbers recorded) are made through the services before
the worker starts. Then letters are issued through `visas.services.issue_letter` in one
transaction per batch, as the secretariat's admin would: FIRST letters, the worker's peak
resident memory once they are all ready, then the rest, and the peak again. The worker renders
each PDF (WeasyPrint, two pages, QR code), stores it and queues the delegate's e-mail, which the
same worker renders and "sends". The worker's CPU time per letter (its processes' user +
system time over the run) is reported too: wall time on a shared host measures the neighbours.

The baseline, measured in the same run in this process before and after: a trivial one-page
WeasyPrint PDF ("Hello"), so `ratio_to_trivial_pdf` says what a letter costs over WeasyPrint's
fixed cost on this machine, whatever its load.
Progress goes to stderr; the last line on stdout is one JSON object.
"""

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # the project, not bench/, first on the module path (bench/harness.py)

from bench.harness import Processes, free_port, recreate_database, say, wait_for_port

PG = os.environ.get("BENCH_PG", "postgres://minex@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "minex_bench_visas")


# Given names as passports print them (Latin letters only): varied, so the letters differ.
NAMES = ["JOHN PAUL", "MARIA", "AIGERIM", "OLIVER JAMES", "SOPHIE-ANNE", "LIAM", "ZHANAR"]


def worker_pids(worker_pid: int) -> list[int]:
    """The worker and its pool's children."""
    pids = [worker_pid]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command may contain spaces and brackets: the parent's pid follows the last ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == worker_pid:
            pids.append(int(entry.name))
    return pids


def peak_rss_mb(worker_pid: int) -> float:
    """The largest peak resident set (VmHWM) among the worker's processes: the pool's
    children render the letters, the parent only hands out messages."""
    peaks = []
    for pid in worker_pids(worker_pid):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        except OSError:
            continue
    return round(max(peaks), 1)


def worker_cpu_seconds(worker_pid: int) -> float:
    """User + system CPU seconds the worker and its pool's children have used so far: what
    the letters cost whatever the machine's load (other processes only stretch the wall
    time)."""
    ticks = 0
    for pid in worker_pids(worker_pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


# The data, made through the services (before the worker starts)


def prepare(count: int) -> list[int]:
    """`count` delegates with confirmed registrations and visa requests whose petition number
    is recorded (ready for `issue_letter`); returns the requests' ids."""
    from django.utils import timezone

    from accounts.models import DelegateProfile, ProfileHistory, User
    from accounts.services import update_profile
    from events.models import Event, Forum
    from registrations.models import DelegateCategory
    from registrations.services import register_delegate
    from visas import services
    from visas.models import VisaPolicy

    today = timezone.localdate()
    forum = Forum.objects.create(slug="minex-central-asia", code="CA", name_en="MINEX Central Asia")
    start = today + datetime.timedelta(days=60)
    event = Event.objects.create(
        forum=forum, slug="minex-astana", edition_number=1, year=start.year,
        title_en="MINEX Central Asia 2027", title_ru="МАЙНЕКС Центральная Азия 2027",
        city_en="Astana", city_ru="Астана", venue_en="Hilton Astana", country="KZ",
        time_zone="Asia/Almaty", start_date=start, end_date=start + datetime.timedelta(days=2),
        registration_opens_at=timezone.now() - datetime.timedelta(days=1),
        registration_closes_at=timezone.now() + datetime.timedelta(days=30),
        capacity=count + 10, status=Event.Status.PUBLISHED,
    )  # fmt: skip
    VisaPolicy.objects.create(
        event=event,
        inviting_organisation_en="Minex Kazakhstan LLP",
        inviting_organisation_ru="ТОО «Майнекс Казахстан»",
        inviting_organisation_address_en="12 Kabanbay Batyr Ave, Astana 010000",
        signatory_name_en="Aliya Seitkali",
        signatory_position_en="Director",
    )
    category = DelegateCategory.objects.create(event=event, name_en="Delegate", capacity=count + 10)
    secretariat = User.objects.create_user("secretariat@bench.example", None, is_staff=True)
    request_ids = []
    # No passwords (None: unusable, no hashing): nobody logs in, and PBKDF2 would cost more
    # than everything else here.
    for n in range(count):
        delegate = User.objects.create_user(f"delegate{n}@bench.example", None)
        update_profile(
            delegate, channel=ProfileHistory.Channel.PROFILE_PAGE, acting_user=delegate,
            title=DelegateProfile.Title.MR, first_name="John", last_name=f"Smith {n}",
            latin_name="John Smith", organisation="Steppe Minerals LLP", country="GB",
            preferred_language=("en", "ru")[n % 2],
        )  # fmt: skip
        registration, _created = register_delegate(
            event, delegate=delegate, category=category, consent_privacy=True,
            language=("en", "ru")[n % 2], visa_letter_needed=True, nationality="GB",
            notify=False,
        )  # fmt: skip
        visa_request = services.request_visa_letter(
            registration, acting_user=delegate, surname="SMITH", given_names=NAMES[n % len(NAMES)],
            sex="M", date_of_birth=datetime.date(1980, 5, 17), place_of_birth="LONDON",
            nationality="GB", passport_number=f"{123450000 + n}",
            passport_issued_on=datetime.date(2022, 3, 1),
            passport_expires_on=datetime.date(2032, 3, 1), passport_authority="HMPO",
            entry_date=start - datetime.timedelta(days=1),
            exit_date=start + datetime.timedelta(days=3), application_kind="consulate",
            consulate_city="London", employer="Steppe Minerals LLP", position="Geologist",
        )  # fmt: skip
        visa_request = services.start_review(visa_request, acting_user=secretariat)
        visa_request = services.record_petition(
            visa_request, petition_number=f"P-{n:05d}", acting_user=secretariat
        )
        request_ids.append(visa_request.pk)
        if (n + 1) % 100 == 0:
            say(f"  prepared {n + 1}/{count}")
    return request_ids


def issue_and_wait(request_ids: list[int], timeout: float) -> float:
    """Issue a letter for each request in one transaction; wait until all are ready; return
    the seconds from the commit (which hands them to the worker) to the last one ready."""
    from django.db import transaction

    from accounts.models import User
    from visas import services
    from visas.models import VisaLetter, VisaRequest

    secretariat = User.objects.get(email="secretariat@bench.example")
    with transaction.atomic():
        letter_ids = [
            services.issue_letter(visa_request, acting_user=secretariat).pk
            for visa_request in VisaRequest.objects.filter(pk__in=request_ids)
        ]
        started = time.monotonic()
    deadline = started + timeout
    last_report = 0.0
    while True:
        ready = VisaLetter.objects.filter(pk__in=letter_ids, status="ready").count()
        if ready == len(letter_ids):
            return time.monotonic() - started
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {ready}/{len(letter_ids)} letters ready in {timeout} s")
        if time.monotonic() - last_report >= 2:
            say(f"  ready {ready}/{len(letter_ids)}")
            last_report = time.monotonic()
        time.sleep(0.05)


def trivial_pdfs_per_second(count: int) -> float:
    from weasyprint import HTML

    HTML(string="<p>Hello</p>").write_pdf()  # load fonts and code first
    started = time.monotonic()
    for _ in range(count):
        HTML(string="<p>Hello</p>").write_pdf()
    return count / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=500, help="letters (default 500)")
    parser.add_argument("--first", type=int, default=50, help="memory measured after (50)")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (2)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait")
    args = parser.parse_args()
    if not 0 < args.first < args.count:
        parser.error("--first must be between 0 and --count")

    workdir = ROOT / "bench" / "results" / DATABASE
    workdir.mkdir(parents=True, exist_ok=True)
    redis_port = free_port()
    environment = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "minex.settings.dev",
        "DEBUG": "false",
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "PRIVATE_MEDIA_ROOT": tempfile.mkdtemp(prefix="minex-bench-visas-private-"),
        "LOG_LEVEL": "WARNING",
        # No periodic jobs in this run: every letter must be rendered by its own hand-off.
        "MAIL_DISPATCH_INTERVAL": "3600",
    }
    os.environ.update({key: value for key, value in environment.items() if key != "PATH"})

    processes = Processes()
    try:
        say(f"Creating and migrating database {DATABASE}...")
        recreate_database(PG, DATABASE, environment)
        say(f"Starting redis-server on {redis_port}...")
        processes.start(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--logfile", str(workdir / "redis.log")]
        )  # fmt: skip
        wait_for_port(redis_port, 10)
        import django

        django.setup()
        import redis

        say(f"Preparing {args.count} delegates and visa requests (no worker yet)...")
        request_ids = prepare(args.count)
        # Their e-mails' tasks are dropped (the rows wait in the outbox): the worker renders
        # only what the letters cause.
        redis.Redis.from_url(environment["REDIS_URL"]).flushdb()

        baseline_before = trivial_pdfs_per_second(50)
        say(f"  trivial one-page PDF: {baseline_before:.1f}/s")

        say(f"Starting a Celery worker ({args.concurrency} processes)...")
        worker_log = workdir / "worker.log"
        with worker_log.open("wb") as log:
            worker = processes.start(
                [sys.executable, "-m", "celery", "--app", "minex", "worker", "--pool", "prefork",
                 "--concurrency", str(args.concurrency), "--loglevel", "INFO",
                 "--without-gossip", "--without-mingle", "--hostname",
                 f"bench-visas-{os.getpid()}@%h"],
                cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while b"ready." not in worker_log.read_bytes():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("The Celery worker did not start; see " + str(worker_log))
            time.sleep(0.1)

        cpu_at_start = worker_cpu_seconds(worker.pid)
        say(f"Issuing {args.first} letters...")
        first_seconds = issue_and_wait(request_ids[: args.first], args.timeout)
        peak_first = peak_rss_mb(worker.pid)
        say(f"  {args.first} ready in {first_seconds:.1f} s; worker peak RSS {peak_first} MB")
        rest = args.count - args.first
        say(f"Issuing {rest} more letters...")
        rest_seconds = issue_and_wait(request_ids[args.first :], args.timeout)
        peak_all = peak_rss_mb(worker.pid)
        worker_cpu = worker_cpu_seconds(worker.pid) - cpu_at_start
        say(f"  {rest} ready in {rest_seconds:.1f} s; worker peak RSS {peak_all} MB")

        from visas.models import VisaLetter

        files = [letter.file for letter in VisaLetter.objects.filter(status="ready")]
        missing = sum(1 for file in files if not file.storage.exists(file.name))
        baseline_after = trivial_pdfs_per_second(50)
        say(f"  trivial one-page PDF: {baseline_after:.1f}/s")
    finally:
        processes.stop_all()
        # The letters hold (made-up) passport data: nothing stays behind.
        shutil.rmtree(environment["PRIVATE_MEDIA_ROOT"], ignore_errors=True)

    letters_per_second = args.count / (first_seconds + rest_seconds)
    trivial = (baseline_before + baseline_after) / 2
    print(
        json.dumps(
            {
                "letters": args.count,
                "letters_per_second": round(letters_per_second, 2),
                # Letters/s on an otherwise idle host with `concurrency` cores: about
                # concurrency / worker_cpu_ms_per_letter * 1000.
                "worker_cpu_ms_per_letter": round(worker_cpu / args.count * 1000, 1),
                "load_average_1min": round(os.getloadavg()[0], 2),
                "peak_rss_mb_50": peak_first,
                "peak_rss_mb_500": peak_all,
                "first": args.first,
                "concurrency": args.concurrency,
                "trivial_pdf_per_second": round(trivial, 1),
                "ratio_to_trivial_pdf": round(letters_per_second / trivial, 3),
                "ready_files_missing": missing,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
