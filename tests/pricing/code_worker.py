"""Separate processes that use one code at the same moment, for the code concurrency tests.

Run as `python -m tests.pricing.code_worker` with DATABASE_URL pointing at the test database
and one JSON object on stdin: {"mode": "register" | "apply", "code": "…", "chunks": [[job,
…], …]}. Django is set up once, then one process is forked per chunk; each opens its own
connection, waits at a barrier and then, for each job:
- "register": registers delegate `job["delegate"]` in `job["category"]` with the code
  (register_delegate, which serialises on the event lock as every registration does);
- "apply": in its own transaction, applies the code to the existing registration
  `job["registration"]` (pricing.services.apply_code: only the code row's lock stands
  between two processes).
One JSON line per job on stdout: {"pid", "ok"} or {"pid", "error": class name}.
"""

import json
import multiprocessing
import os
import sys


def run_chunk(mode, code, chunk, barrier, results) -> None:
    from django.db import connection, transaction

    from accounts.models import User
    from pricing.services import apply_code
    from registrations.models import DelegateCategory, Registration
    from registrations.services import RegistrationError, register_delegate

    if mode == "register":
        prepared = [
            (
                User.objects.select_related("delegate_profile").get(pk=job["delegate"]),
                DelegateCategory.objects.select_related("event").get(pk=job["category"]),
            )
            for job in chunk
        ]
    else:
        prepared = [
            Registration.objects.select_related("event", "category").get(pk=job["registration"])
            for job in chunk
        ]
    barrier.wait(timeout=60)
    for item in prepared:
        result = {"pid": os.getpid()}
        try:
            if mode == "register":
                delegate, category = item
                register_delegate(
                    category.event,
                    delegate=delegate,
                    category=category,
                    consent_privacy=True,
                    language="en",
                    form_sections={"code": {"code": code}},
                )
            else:
                with transaction.atomic():
                    apply_code(item, code, acting_user=None)
            result["ok"] = True
        except RegistrationError as error:
            result["error"] = type(error).__name__
        results.put(result)
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
        context.Process(target=run_chunk, args=(job["mode"], job["code"], chunk, barrier, results))
        for chunk in job["chunks"]
    ]
    for child in children:
        child.start()
    for _ in range(sum(len(chunk) for chunk in job["chunks"])):
        print(json.dumps(results.get(timeout=60)), flush=True)
    for child in children:
        child.join(timeout=30)
        if child.exitcode != 0:
            sys.exit(f"worker {child.pid} exited with {child.exitcode}")


if __name__ == "__main__":
    main()
