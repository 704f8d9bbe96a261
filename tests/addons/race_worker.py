"""Separate processes that book (or cancel) add-ons at the same moment, for the race tests.

Run as `python -m tests.addons.race_worker` with DATABASE_URL pointing at the test database
and one JSON object on stdin: {"chunks": [[{"action": "book", "registration": id, "add_on":
id} | {"action": "cancel", "booking": id}, ...], ...]}. Django is set up once, then one
process is forked per chunk, each with its own database connection; all wait at a barrier
and then call the services for their jobs in turn. One JSON line per job on stdout.
"""

import json
import multiprocessing
import os
import sys


def run_chunk(chunk, barrier, results) -> None:
    from django.db import connection

    from addons.models import AddOn, AddOnBooking
    from addons.services import AddOnError, book_add_ons, cancel_booking
    from registrations.models import Registration

    prepared = []
    for job in chunk:
        if job["action"] == "book":
            registration = Registration.objects.select_related("delegate").get(
                pk=job["registration"]
            )
            prepared.append((job, registration, AddOn.objects.get(pk=job["add_on"])))
        else:
            prepared.append((job, AddOnBooking.objects.get(pk=job["booking"]), None))
    barrier.wait(timeout=60)
    for job, target, add_on in prepared:
        result = {**job, "pid": os.getpid()}
        try:
            if job["action"] == "book":
                booking = book_add_ons(target, [add_on], acting_user=target.delegate)[0]
            else:
                booking = cancel_booking(target, acting_user=None)
            result.update(booking=booking.pk, status=booking.status)
        except AddOnError as error:
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
    for name in ("booked", "cancelled", "promoted"):
        for suffix in ("_subject.txt", ".txt", ".html"):
            get_template(f"addons/emails/{name}{suffix}")
    connections.close_all()  # never share a connection across a fork

    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(chunks))
    results = context.Queue()
    children = [
        context.Process(target=run_chunk, args=(chunk, barrier, results)) for chunk in chunks
    ]
    for child in children:
        child.start()
    for _ in range(sum(len(chunk) for chunk in chunks)):
        print(json.dumps(results.get(timeout=60)), flush=True)
    for child in children:
        child.join(timeout=30)
        if child.exitcode != 0:
            sys.exit(f"worker {child.pid} exited with {child.exitcode}")


if __name__ == "__main__":
    main()
