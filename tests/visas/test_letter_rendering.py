"""Rendering a letter in a worker: a lease while it renders, the PDF in private storage, the
delegate's e-mail, retries with backoff, and the sweep that takes back what a dead worker left."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from mail.models import OutgoingEmail
from minex.celery import app as celery_app
from tests.factories import PASSPORT
from tests.visas.letters import issue_letter
from visas.letters.rendering import render_lease, render_letter
from visas.models import VisaLetter
from visas.tasks import release_stuck_letters
from visas.tasks import render_letter as render_letter_task

pytestmark = pytest.mark.django_db

Status = VisaLetter.Status


@pytest.fixture
def letter(django_capture_on_commit_callbacks):
    # Issued without running the after-commit hand-off: each test renders when it wants.
    with django_capture_on_commit_callbacks(execute=False):
        return issue_letter()


@pytest.fixture
def broken_storage(settings, tmp_path):
    """Private storage on a path that cannot be a folder (a file is in the way): a real
    fault of the kind a full or misconfigured disk gives."""
    (tmp_path / "not-a-folder").write_text("")
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "not-a-folder" / "private"


def refreshed(letter) -> VisaLetter:
    return VisaLetter.objects.get(pk=letter.pk)


def test_task_renders_the_letter_into_private_storage(letter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = render_letter_task.apply(kwargs={"letter_id": letter.pk}).get()

    letter = refreshed(letter)
    assert outcome == "ready"
    assert letter.status == Status.READY
    assert (letter.attempts, letter.rendering_until, letter.last_error) == (1, None, "")
    assert letter.rendered_at is not None
    path = Path(letter.file.path)
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert path.read_bytes().startswith(b"%PDF-")
    with pytest.raises(ValueError, match="no URL"):
        letter.file.url  # noqa: B018 - private files have no public URL


def test_delegate_is_told_the_letter_is_ready_without_passport_data(
    letter, django_capture_on_commit_callbacks, mailoutbox
):
    registration = letter.request.registration

    with django_capture_on_commit_callbacks(execute=True):
        render_letter(letter.pk)

    email = OutgoingEmail.objects.get(kind="visas.letter_ready")
    assert email.recipient == registration.email
    assert letter.number in email.subject
    assert f"/en/my/registrations/{registration.reference}/" in email.body_text
    assert email.attachments == []
    for value in (PASSPORT["passport_number"], PASSPORT["surname"], "1980"):
        assert value not in email.subject + email.body_text + email.body_html
    assert [message.to for message in mailoutbox if letter.number in message.subject] == [
        [registration.email]
    ]


def test_issuing_hands_the_letter_to_the_task_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        letter = issue_letter()

    assert refreshed(letter).status == Status.READY


def test_a_ready_letter_is_not_rendered_again(letter):
    render_letter(letter.pk)
    first = refreshed(letter)

    outcome = render_letter(letter.pk)

    again = refreshed(letter)
    assert outcome == "skipped"
    assert (again.attempts, again.file.name, again.rendered_at) == (
        1,
        first.file.name,
        first.rendered_at,
    )


def test_a_letter_another_worker_holds_is_left_alone(letter):
    lease = timezone.now() + datetime.timedelta(seconds=60)
    VisaLetter.objects.filter(pk=letter.pk).update(
        status=Status.RENDERING, attempts=1, rendering_until=lease
    )

    assert render_letter(letter.pk) == "skipped"

    assert (refreshed(letter).status, refreshed(letter).attempts) == (Status.RENDERING, 1)


def test_lease_outlasts_the_tasks_hard_time_limit():
    # Past the lease Celery has stopped the task, so a slow worker cannot finish a letter
    # the sweep already handed to another.
    assert render_lease().total_seconds() > settings.CELERY_TASK_TIME_LIMIT


def test_failure_is_retried_with_backoff_then_fails_for_good(
    letter, broken_storage, settings, django_capture_on_commit_callbacks
):
    settings.VISA_LETTER_RETRY_DELAYS = [30, 120]
    settings.VISA_LETTER_MAX_ATTEMPTS = 3
    now = timezone.now()

    # Eager: the retry published after commit arrives at once, before it is due, and skips.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert render_letter(letter.pk, now=now) == "retry"
    first = refreshed(letter)
    assert len(callbacks) == 1
    assert (first.status, first.attempts) == (Status.TO_RENDER, 1)
    assert "not-a-folder" in first.last_error
    assert first.rendering_until == now + datetime.timedelta(seconds=30)

    assert render_letter(letter.pk, now=now + datetime.timedelta(seconds=10)) == "skipped"
    assert render_letter(letter.pk, now=first.rendering_until) == "retry"
    second = refreshed(letter)
    assert second.attempts == 2
    assert second.rendering_until == first.rendering_until + datetime.timedelta(seconds=120)

    assert render_letter(letter.pk, now=second.rendering_until) == "failed"
    failed = refreshed(letter)
    assert (failed.status, failed.attempts, failed.rendering_until) == (Status.FAILED, 3, None)
    assert not failed.file
    assert not OutgoingEmail.objects.filter(kind="visas.letter_ready").exists()


def test_sweep_renders_a_letter_a_killed_worker_left_rendering(
    letter, django_capture_on_commit_callbacks
):
    # What a worker killed halfway leaves: "rendering", one attempt used, its lease passed.
    VisaLetter.objects.filter(pk=letter.pk).update(
        status=Status.RENDERING,
        attempts=1,
        rendering_until=timezone.now() - datetime.timedelta(seconds=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        counts = release_stuck_letters.apply().get()

    assert counts == {"released": 1, "failed": 0, "handed_out": 0}
    letter = refreshed(letter)
    assert (letter.status, letter.attempts) == (Status.READY, 2)
    assert Path(letter.file.path).read_bytes().startswith(b"%PDF-")


def test_sweep_leaves_a_letter_whose_lease_has_not_passed(
    letter, django_capture_on_commit_callbacks
):
    lease = timezone.now() + datetime.timedelta(seconds=30)
    VisaLetter.objects.filter(pk=letter.pk).update(
        status=Status.RENDERING, attempts=1, rendering_until=lease
    )

    with django_capture_on_commit_callbacks(execute=True):
        counts = release_stuck_letters.apply().get()

    assert counts == {"released": 0, "failed": 0, "handed_out": 0}
    assert (refreshed(letter).status, refreshed(letter).rendering_until) == (
        Status.RENDERING,
        lease,
    )


def test_sweep_fails_a_lost_letter_that_used_every_attempt(
    letter, settings, django_capture_on_commit_callbacks
):
    VisaLetter.objects.filter(pk=letter.pk).update(
        status=Status.RENDERING,
        attempts=settings.VISA_LETTER_MAX_ATTEMPTS,
        rendering_until=timezone.now() - datetime.timedelta(seconds=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        counts = release_stuck_letters.apply().get()

    assert counts == {"released": 0, "failed": 1, "handed_out": 0}
    letter = refreshed(letter)
    assert letter.status == Status.FAILED
    assert "worker stopped" in letter.last_error


def test_sweep_hands_out_a_letter_whose_task_never_reached_a_worker(
    django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=False):
        lost = issue_letter()
        fresh = issue_letter()
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.VISA_LETTER_DISPATCH_GRACE + 1)
    VisaLetter.objects.filter(pk=lost.pk).update(created_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        counts = release_stuck_letters.apply().get()

    assert counts == {"released": 0, "failed": 0, "handed_out": 1}
    assert refreshed(lost).status == Status.READY
    # Issued just now: its own hand-off may still be on its way to a worker.
    assert refreshed(fresh).status == Status.TO_RENDER


def test_sweep_runs_on_beat():
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "visas.tasks.release_stuck_letters" in schedule
    assert "visas.tasks.release_stuck_letters" in celery_app.tasks


def test_a_letter_whose_passport_data_was_wiped_fails_without_rendering(letter):
    # Retention wiped the request's passport data before a worker got to the letter.
    type(letter.request).objects.filter(pk=letter.request_id).update(
        passport_data_wiped_at=timezone.now(), passport_number="", surname=""
    )

    assert render_letter(letter.pk) == "skipped"

    letter = refreshed(letter)
    assert letter.status == Status.FAILED
    assert "wiped" in letter.last_error
    assert not letter.file
