"""A mailing with real processes: the worker on the "mailings" queue queues it, beat's pacer
hands the rows out, SMTP receives each recipient's message once; a confirmation goes through
the default queue's worker meanwhile."""

import pytest
from django.db import transaction

from mail.models import OutgoingEmail
from mailings.models import Mailing
from mailings.services import send_mailing
from tests.factories import make_category, make_delegate, make_registration, make_user
from tests.processes import wait_until

from .conftest import worker_environment

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_mailing_goes_out_once_each_through_its_own_queue(smtp_server, broker, start_celery_worker):
    category = make_category()
    for language in ("en", "ru", "kk"):
        make_registration(category, delegate=make_delegate(), language=language)
    mailing = Mailing.objects.create(
        name="Practical information",
        subject_en="{{ event }}: practical information",
        subject_ru="{{ event }}: практическая информация",
        body_en="{{ greeting }}\n{{ reference }}",
        event=category.event,
    )
    environment = worker_environment(
        broker_url=broker.url,
        smtp=smtp_server,
        MAILINGS_DISPATCH_INTERVAL="0.5",
        MAILINGS_SWEEP_INTERVAL="1",
        MAILINGS_RATE_PER_MINUTE="600",
    )
    start_celery_worker(environment, queues="mailings", beat=True)
    default = start_celery_worker(environment, queues="celery")

    with transaction.atomic():
        assert send_mailing(mailing, acting_user=make_user()) is True
        assert send_mailing(mailing, acting_user=make_user()) is False  # the double click
    # A confirmation meanwhile: through the default queue's worker.
    confirmation = make_registration(category, delegate=make_delegate("late@example.com"))

    wait_until(
        lambda: Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.SENT,
        timeout=90,
        message=lambda: f"mailing not finished; received {len(smtp_server.messages)}",
    )
    subjects = sorted(
        str(m["Subject"]) for m in smtp_server.messages if m["To"] != "late@example.com"
    )
    assert len([s for s in subjects if "practical information" in s]) == 2
    assert len([s for s in subjects if "практическая информация" in s]) == 1
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(ids) == len(set(ids))  # nothing twice
    assert any(m["To"] == confirmation.email for m in smtp_server.messages)
    assert default.runs_finished("mail.tasks.deliver_bulk_emails") == 0
    assert OutgoingEmail.objects.filter(bulk=True, status="sent").count() == 3
