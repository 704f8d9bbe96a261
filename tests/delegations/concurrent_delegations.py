"""Separate processes that register delegations at the same moment, for the race test.

Run as `python -m tests.delegations.concurrent_delegations` with DATABASE_URL pointing at the
test database and one JSON object on stdin: {"event": id, "jobs": [{"focal_point": id,
"name": str, "members": [{"email", "first_name", "last_name", "category"}, ...]}, ...]}.
Django is set up once, then one process is forked per job; each opens its own connection,
waits at a barrier and calls `delegations.services.register_delegation`. One JSON line per
job comes back on stdout.
"""

import json
import multiprocessing
import os
import sys


def register(job, event_id, barrier, results) -> None:
    from django.db import connection

    from accounts.models import User
    from delegations.services import Member, register_delegation
    from events.models import Event
    from registrations.models import DelegateCategory
    from registrations.services import RegistrationError

    event = Event.objects.get(pk=event_id)
    focal_point = User.objects.get(pk=job["focal_point"])
    members = [
        Member(
            email=person["email"],
            profile={"first_name": person["first_name"], "last_name": person["last_name"]},
            category=DelegateCategory.objects.get(pk=person["category"]),
        )
        for person in job["members"]
    ]
    barrier.wait(timeout=60)
    result = {"name": job["name"], "pid": os.getpid()}
    try:
        delegation = register_delegation(
            event,
            focal_point=focal_point,
            name=job["name"],
            members=members,
            consent_privacy=True,
            language="ru",
        )
        result["delegation"] = delegation.pk
    except RegistrationError as error:
        result["error"] = type(error).__name__
        result["message"] = str(error.message)
    results.put(result)
    connection.close()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minex.settings.test")
    import django

    django.setup()
    from django.db import connections

    request = json.loads(sys.stdin.readline())
    connections.close_all()  # never share a connection across a fork
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(request["jobs"]))
    results = context.Queue()
    children = [
        context.Process(target=register, args=(job, request["event"], barrier, results))
        for job in request["jobs"]
    ]
    for child in children:
        child.start()
    for _ in children:
        print(json.dumps(results.get(timeout=90)), flush=True)
    for child in children:
        child.join(timeout=30)
        if child.exitcode != 0:
            sys.exit(f"worker {child.pid} exited with {child.exitcode}")


if __name__ == "__main__":
    main()
