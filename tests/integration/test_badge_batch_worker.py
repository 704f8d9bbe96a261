"""A badge batch with real processes: Redis broker, a Celery worker, PostgreSQL, the file on
the shared MEDIA_ROOT."""

import io

import pytest
from django.conf import settings
from django.db import transaction
from pypdf import PdfReader

from badges.models import BadgeBatch, BadgePrint
from badges.services import queue_badge_batch
from tests.factories import make_category, make_delegate, make_registration
from tests.processes import wait_until

from .conftest import worker_environment

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_queued_batch_is_drawn_by_the_worker_and_logged(smtp_server, broker, start_celery_worker):
    category = make_category(name_en="Speaker")
    registrations = [
        make_registration(category, delegate=make_delegate(last_name=f"Нұрланұлы{n}"))
        for n in range(3)
    ]
    staff = make_delegate("desk@example.com")
    worker = start_celery_worker(
        worker_environment(
            broker_url=broker.url, smtp=smtp_server, MEDIA_ROOT=str(settings.MEDIA_ROOT)
        )
    )

    with transaction.atomic():  # published after commit, as in the admin's request
        batch = queue_badge_batch(
            category.event,
            [r.badge.pk for r in registrations],
            acting_user=staff,
            language="en",
        )

    def finished():
        batch.refresh_from_db()
        return batch.is_finished

    wait_until(finished, timeout=120, message=lambda: f"batch not built:\n{worker.log()[-3000:]}")
    assert batch.status == BadgeBatch.Status.DONE, batch.error
    assert (batch.badges_done, batch.attempts) == (3, 1)
    with batch.file.open("rb") as opened:
        reader = PdfReader(io.BytesIO(opened.read()))
    assert len(reader.pages) == 3
    assert "Нұрланұлы0" in reader.pages[0].extract_text()
    record = BadgePrint.objects.get(batch=batch)
    assert (record.printed_by, record.badge_count) == (staff, 3)
    assert worker.runs_finished("badges.tasks.build_badge_batch") == 1
