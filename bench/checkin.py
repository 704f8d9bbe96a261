"""Benchmark: ten doors scanning 2,000 badges over gunicorn, every badge at two doors at once.

    .venv/bin/python bench/checkin.py                              # 2,000 badges, 10 scanners
    .venv/bin/python bench/checkin.py --badges 100 --pdf-count 20  # tiny

Creates its own database (minex_bench_checkin: dropped, migrated, `setup_roles`), an event
with BADGES confirmed registrations and their badges (bulk-inserted, then
`badges.services.ensure_badges`), and SCANNERS members of the check-in staff with sessions
(written directly). Starts gunicorn (bin/web, 2 workers, production settings plus the
registration benchmark's bare view, bench/register_site.py). Scanners work in pairs: both of a
pair scan the same badges in the same order, so every badge is scanned by two doors at about
the same moment and the "already" path is provoked on each; each scan is one JSON POST to
`checkin:scan` over a keep-alive connection, timed from send to answer.

Baseline, in the same run: the same scanners POST a bare authenticated view that inserts one
row (bench/register_urls.py), alternating with the scans in SLICES slices so a change in the
shared machine's load weighs on both alike. `scan_ratio_p95` = scan p95 / bare p95.

Afterwards the database is counted: `double_checkins` is the badges admitted more than once
at the entrance (must be 0), `missing_checkins` those never admitted (must be 0), and every
scan recorded. The badge PDF figures come from bench/badges.py's `run` (imported, in its own
processes). Progress goes to stderr; the last line on stdout is one JSON object.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

import argparse
import http.client
import json
import os
import secrets
import statistics
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("BENCH_DATABASE", "minex_bench_checkin")

from cryptography.fernet import Fernet

from bench import badges as badge_bench
from bench.harness import free_port, percentile, say
from bench.register import DATABASE, PG, REDIS, _wait_for, fresh_database


def prepare(count: int, scanners: int) -> dict:
    """The event, its badges' tokens, and the scanners' sessions (Django set up here)."""
    import datetime
    import io

    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from badges.models import Badge
    from badges.services import ensure_badges
    from badges.tokens import badge_token
    from checkin.services import ensure_entrance
    from registrations.models import Registration
    from registrations.roles import CHECKIN_STAFF
    from tests.factories import make_category, make_event

    call_command("setup_roles", stdout=io.StringIO())
    event = make_event(capacity=count * 2, slug="bench-checkin", start_date=timezone.localdate())
    category = make_category(event, name_en="Delegate", price=0)
    zone = ensure_entrance(event)
    delegates = [User(email=f"delegate{n}@bench.minexforum.com") for n in range(count)]
    for user in delegates:
        user.set_unusable_password()  # they never log in
    delegates = User.objects.bulk_create(delegates, batch_size=1000)
    now = timezone.now()
    Registration.objects.bulk_create(
        [
            Registration(
                event=event, category=category, delegate=user, reference=f"MX26-BEN-{n:05d}",
                status=Registration.Status.CONFIRMED, first_name="Delegate",
                last_name=f"No {n}", email=user.email, organisation="Bench Mining LLP",
                category_name="Delegate", price=0, currency="EUR",
                consent_privacy_at=now - datetime.timedelta(days=1), privacy_policy_version="1",
            )
            for n, user in enumerate(delegates)
        ],
        batch_size=1000,
    )  # fmt: skip
    ensure_badges(event)
    tokens = [
        badge_token(badge)
        for badge in Badge.objects.filter(registration__event=event).order_by("pk")
    ]
    group = Group.objects.get(name=CHECKIN_STAFF)
    sessions = []
    for n in range(scanners):
        user = User.objects.create_user(f"door{n}@bench.minexforum.com", None, is_staff=True)
        user.groups.add(group)
        event.forum.organisers.add(user)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions.append(session.session_key)
    return {"event": event.pk, "zone": zone.pk, "tokens": tokens, "sessions": sessions}


class Door:
    """One scanner's browser: a keep-alive connection, its session and a CSRF cookie."""

    def __init__(self, port: int, session_key: str):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.csrf = secrets.token_hex(16)  # 32 characters, as Django's CSRF cookie
        self.cookie = f"sessionid={session_key}; csrftoken={self.csrf}"

    def post(self, path: str, body: bytes, content_type: str) -> tuple[int, bytes]:
        headers = {"Cookie": self.cookie, "Content-Type": content_type, "X-CSRFToken": self.csrf}
        try:
            self.connection.request("POST", path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            # A worker closed the keep-alive connection: open a new one, once.
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.connection.request("POST", path, body=body, headers=headers)
            response = self.connection.getresponse()
        return response.status, response.read()


def run_slice(doors, work, path_for, body_for, content_type, ok):
    """Each door posts its share of `work`; returns (latencies, answers, errors)."""
    latencies, answers, errors = [], [], []
    lock = threading.Lock()

    def one(index: int) -> None:
        door = doors[index]
        for item in work[index]:
            started = time.perf_counter()
            try:
                status, body = door.post(path_for(item), body_for(item), content_type)
                elapsed = time.perf_counter() - started
                if status != ok:
                    raise RuntimeError(f"{status}: {body[:200]!r}")
                with lock:
                    latencies.append(elapsed)
                    if ok == 200:
                        answers.append(json.loads(body)["outcome"])
            except Exception as error:  # counted and reported, never stops the run
                with lock:
                    errors.append(str(error))

    with ThreadPoolExecutor(max_workers=len(doors)) as pool:
        list(pool.map(one, range(len(doors))))
    return latencies, answers, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--badges", type=int, default=2000)
    parser.add_argument("--scanners", type=int, default=10, help="an even number")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--slices", type=int, default=4)
    parser.add_argument("--pdf-count", type=int, default=1000)
    args = parser.parse_args()
    pairs = args.scanners // 2

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

    say(f"Preparing {DATABASE}: {args.badges} badges, {args.scanners} scanners…")
    fresh_database(env)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "minex.settings.build"}, check=True,
    )  # fmt: skip
    setup = prepare(args.badges, args.scanners)
    scan_path = f"/staff/checkin/{setup['event']}/scan/"
    zone = setup["zone"]

    web = subprocess.Popen(
        [str(ROOT / "bin/web"), "--access-logfile", "/dev/null"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        _wait_for(port)
        doors = [Door(port, key) for key in setup["sessions"]]
        # Warm every worker (imports, templates, translations) before either clock starts.
        run_slice(doors, [[None] * 4] * len(doors), lambda _i: "/bench/bare/",
                  lambda _i: b"", "application/x-www-form-urlencoded", ok=204)  # fmt: skip
        run_slice(doors, [["forged.token"]] * len(doors), lambda _i: scan_path,
                  lambda t: json.dumps({"token": t, "zone": zone}).encode(),
                  "application/json", ok=200)  # fmt: skip
        say(f"Scanning: {args.scanners} doors in {pairs} pairs, every badge twice, alternating "
            f"with the bare baseline in {args.slices} slices…")  # fmt: skip
        tokens = setup["tokens"]
        scan_latencies, outcomes, scan_errors = [], [], []
        bare_latencies, bare_errors = [], []
        started = time.perf_counter()
        scan_seconds = 0.0
        for part in range(args.slices):
            part_tokens = tokens[part :: args.slices]
            # Door 2k and 2k+1 scan the same share in the same order.
            shares = [part_tokens[pair::pairs] for pair in range(pairs)]
            work = [shares[index // 2] for index in range(args.scanners)]
            bare_work = [[None] * len(share) for share in work]
            latencies, _answers, errors = run_slice(
                doors, bare_work, lambda _i: "/bench/bare/", lambda _i: b"",
                "application/x-www-form-urlencoded", ok=204,
            )  # fmt: skip
            bare_latencies += latencies
            bare_errors += errors
            slice_started = time.perf_counter()
            latencies, answers, errors = run_slice(
                doors, work, lambda _t: scan_path,
                lambda t: json.dumps({"token": t, "zone": zone}).encode(),
                "application/json", ok=200,
            )  # fmt: skip
            scan_seconds += time.perf_counter() - slice_started
            scan_latencies += latencies
            outcomes += answers
            scan_errors += errors
        total_seconds = time.perf_counter() - started
    finally:
        os.killpg(web.pid, 15)
        web.wait(timeout=20)

    from django.db.models import Count

    from checkin.models import Scan
    from registrations.models import Registration

    admitted = (
        Scan.objects.filter(zone_id=zone, outcome="admitted", undone_at__isnull=True)
        .values("registration_id")
        .annotate(n=Count("pk"))
    )
    per_badge = {row["registration_id"]: row["n"] for row in admitted}
    registrations = Registration.objects.filter(event_id=setup["event"])
    double = sum(1 for n in per_badge.values() if n > 1)
    missing = registrations.count() - len(per_badge)
    recorded = Scan.objects.filter(zone_id=zone).exclude(token_hash="").count()
    if scan_errors or bare_errors:
        say(f"Errors: {(scan_errors + bare_errors)[:5]}")
    say(f"Badge PDF for {args.pdf_count} (bench/badges.py)…")
    pdf = badge_bench.run(args.pdf_count)

    scan_p95 = percentile(scan_latencies, 0.95) * 1000
    bare_p95 = percentile(bare_latencies, 0.95) * 1000
    result = {
        "scans": len(scan_latencies) + len(scan_errors),
        "badges": args.badges,
        "scanners": args.scanners,
        "gunicorn_workers": args.workers,
        "scan_p50_ms": round(statistics.median(scan_latencies or [0]) * 1000, 1),
        "scan_p95_ms": round(scan_p95, 1),
        "scan_p99_ms": round(percentile(scan_latencies, 0.99) * 1000, 1),
        "scans_per_second": round(len(scan_latencies) / scan_seconds, 1) if scan_seconds else None,
        "admitted": outcomes.count("admitted"),
        "already": outcomes.count("already"),
        "refused": outcomes.count("refused"),
        "double_checkins": double,
        "missing_checkins": missing,
        "scans_recorded": recorded,
        "checked_in": registrations.filter(checked_in_at__isnull=False).count(),
        "errors": len(scan_errors) + len(bare_errors),
        "bare_p95_ms": round(bare_p95, 1),
        "scan_ratio_p95": round(scan_p95 / bare_p95, 2) if bare_p95 else None,
        "run_seconds": round(total_seconds, 1),
        **pdf,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
