"""Separate processes scanning badges at the same moment, for the race test.

Run as `python -m tests.checkin.concurrent_scanner` with DATABASE_URL pointing at the test
database and one JSON object on stdin: {"event": id, "zone": id, "actor": id, "chunks":
[[token, ...], ...]}. Django is set up once, then one process is forked per chunk; each opens
its own connection, waits at a barrier, and calls `checkin.services.scan_badge` for its
tokens in turn. One JSON line per scan comes back on stdout.
"""

import json
import multiprocessing
import os
import sys


def scan_chunk(job, chunk, barrier, results) -> None:
    from django.db import connection

    from accounts.models import User
    from checkin.models import Zone
    from checkin.services import scan_badge

    zone = Zone.objects.select_related("event").get(pk=job["zone"])
    actor = User.objects.get(pk=job["actor"])
    barrier.wait(timeout=60)
    for token in chunk:
        result = scan_badge(event=zone.event, zone=zone, token=token, actor=actor)
        results.put({"pid": os.getpid(), "outcome": result.outcome, "scan": result.scan.pk})
    connection.close()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minex.settings.test")
    import django

    django.setup()
    from django.db import connections

    job = json.loads(sys.stdin.readline())
    connections.close_all()  # never share a connection across a fork
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(job["chunks"]))
    results = context.Queue()
    children = [
        context.Process(target=scan_chunk, args=(job, chunk, barrier, results))
        for chunk in job["chunks"]
    ]
    for child in children:
        child.start()
    for _ in range(sum(len(chunk) for chunk in job["chunks"])):
        print(json.dumps(results.get(timeout=60)), flush=True)
    for child in children:
        child.join(timeout=30)
        if child.exitcode != 0:
            sys.exit(f"scanner {child.pid} exited with {child.exitcode}")


if __name__ == "__main__":
    main()
