"""Separate processes that submit registrations at the same moment, for the concurrency tests.

Run as `python -m tests.registrations.concurrent_worker` with DATABASE_URL pointing at the test
database and one JSON object on stdin: {"chunks": [[{"delegate": id, "category": id}, ...],
...]}. It sets Django up once, then forks one process per chunk (forking is far cheaper than
starting Django in each of them). Every child opens its own database connection and waits at
a barrier, so all of them submit at once; each calls register_delegate for its jobs in turn.
The results come back as one JSON line per job on stdout.
"""

import json
import multiprocessing
import os
import sys


def submit_chunk(chunk, barrier, results) -> None:
    from django.db import connection

    from accounts.models import User
    from registrations.models import DelegateCategory
    from registrations.services import RegistrationError, register_delegate

    prepared = [
        (
            User.objects.select_related("delegate_profile").get(pk=job["delegate"]),
            DelegateCategory.objects.select_related("event").get(pk=job["category"]),
        )
        for job in chunk
    ]
    barrier.wait(timeout=60)
    for delegate, category in prepared:
        result = {"delegate": delegate.pk, "category": category.pk, "pid": os.getpid()}
        try:
            registration, created = register_delegate(
                category.event,
                delegate=delegate,
                category=category,
                consent_privacy=True,
                language="en",
            )
            result.update(registration=registration.pk, created=created, status=registration.status)
        except RegistrationError as error:
            result["error"] = type(error).__name__
        results.put(result)
    connection.close()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minex.settings.test")
    import django

    django.setup()

    from django.db import connections
    from django.template.loader import get_template

    chunks = json.loads(sys.stdin.readline())["chunks"]
    # Compile the e-mail templates before forking (the cached loader keeps them), so the race
    # measures the locking, not each child's first template parse.
    for name in ("received", "confirmed", "waitlisted", "secretariat_notification"):
        for suffix in ("_subject.txt", ".txt", ".html"):
            get_template(f"registrations/emails/{name}{suffix}")
    # A connection must never be shared across a fork: each child opens its own.
    connections.close_all()

    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(chunks))
    results = context.Queue()
    children = [
        context.Process(target=submit_chunk, args=(chunk, barrier, results)) for chunk in chunks
    ]
    for child in children:
        child.start()
    expected = sum(len(chunk) for chunk in chunks)
    for _ in range(expected):
        print(json.dumps(results.get(timeout=60)), flush=True)
    for child in children:
        child.join(timeout=30)
        if child.exitcode != 0:
            sys.exit(f"worker {child.pid} exited with {child.exitcode}")


if __name__ == "__main__":
    main()
