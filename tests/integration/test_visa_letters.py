"""Visa letters with real processes: a Celery worker renders the PDF from the broker, the
delegate's "ready" e-mail reaches the SMTP server, and a letter a dead worker left "rendering"
is rendered by the beat sweep."""

import datetime
import io

import pypdf
import pytest
import redis
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tests.processes import wait_until
from tests.visas.letters import issue_letter
from visas.models import VisaLetter

from .conftest import worker_environment

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _letter_worker_environment(broker, smtp_server, **extra):
    return worker_environment(
        broker_url=broker.url,
        smtp=smtp_server,
        # The test reads the PDF the worker wrote, and the test settings' key opens the data.
        PRIVATE_MEDIA_ROOT=str(settings.PRIVATE_MEDIA_ROOT),
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        SITE_URL=settings.SITE_URL,
        **extra,
    )


def _status(letter) -> str:
    return VisaLetter.objects.values_list("status", flat=True).get(pk=letter.pk)


def test_a_worker_renders_an_issued_letter_and_the_delegate_is_told(
    broker, smtp_server, start_celery_worker
):
    worker = start_celery_worker(_letter_worker_environment(broker, smtp_server))

    with transaction.atomic():
        letter = issue_letter()  # publishes the render task after this commit

    wait_until(
        lambda: _status(letter) == VisaLetter.Status.READY,
        timeout=60,
        message=lambda: f"The letter was not rendered:\n{worker.log()[-3000:]}",
    )
    letter = VisaLetter.objects.get(pk=letter.pk)
    with letter.file.open("rb") as pdf:
        text = "".join(
            page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.read())).pages
        )
    assert letter.number in text
    assert "JOHN PAUL" in text
    email = letter.request.registration.email
    ready = wait_until(
        lambda: [m for m in smtp_server.messages if letter.number in str(m["Subject"])],
        timeout=60,
        message=lambda: f"No 'letter ready' e-mail:\n{worker.log()[-3000:]}",
    )
    assert [message["To"] for message in ready] == [email]
    assert "123456789" not in ready[0].as_string()


def test_beat_sweep_renders_a_letter_a_killed_worker_left_rendering(
    broker, smtp_server, start_celery_worker
):
    with transaction.atomic():
        letter = issue_letter()
    # What a worker killed halfway leaves behind: "rendering", an attempt used, its lease
    # passed (and the render message acknowledged late is gone with it: only the sweep helps).
    VisaLetter.objects.filter(pk=letter.pk).update(
        status=VisaLetter.Status.RENDERING,
        attempts=1,
        rendering_until=timezone.now() - datetime.timedelta(seconds=1),
    )
    redis.Redis.from_url(broker.url).flushdb()  # and the published message is lost

    worker = start_celery_worker(
        _letter_worker_environment(broker, smtp_server, VISA_LETTER_SWEEP_INTERVAL="1"),
        beat=True,
    )

    wait_until(
        lambda: _status(letter) == VisaLetter.Status.READY,
        timeout=60,
        message=lambda: f"The sweep did not render the letter:\n{worker.log()[-3000:]}",
    )
    letter = VisaLetter.objects.get(pk=letter.pk)
    assert letter.attempts == 2
    assert "visas.tasks.release_stuck_letters" in worker.log()
