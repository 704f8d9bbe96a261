"""Rendering letters in a worker: claim with a lease, build the PDF with no lock held, store it
privately, record the outcome; retries with backoff; a sweep for letters a worker lost.

A letter's `rendering_until` says when others may take it:
- "rendering": the lease of the worker that claimed it (now + `render_lease()`, past the
  task's hard time limit, so a worker still holding it cannot finish after it is taken);
- "to render": when it is due (empty: at once). A failed attempt sets it to the retry time,
  the sweep to the moment it handed the letter out (so the next sweep leaves it alone while
  the message waits in a busy queue).

Lock order: only the `VisaLetter` row is locked here, in a short transaction of its own; the
services lock the registration and the visa request first (docs/architecture.md).
"""

import enum
import logging
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import emails, services
from ..models import VisaLetter
from .document import letter_filename, letter_pdf

logger = logging.getLogger(__name__)

# The Celery name of `visas.tasks.render_letter` (the services publish it by name).
RENDER_LETTER_TASK = services.RENDER_LETTER_TASK

Status = VisaLetter.Status


class RenderOutcome(enum.StrEnum):
    READY = "ready"
    SKIPPED = "skipped"  # not due, already rendered, void, or another worker holds it
    RETRY = "retry"  # failed; to render again after a delay
    FAILED = "failed"  # failed for good (out of attempts, or nothing left to print)
    SUPERSEDED = "superseded"  # voided or taken over while this run rendered: result dropped


def render_lease() -> timedelta:
    """How long a claim holds a letter: Celery's hard time limit stops the task by then, plus
    a margin for the pool's lag and clock skew between worker and beat hosts."""
    return timedelta(
        seconds=(settings.CELERY_TASK_TIME_LIMIT or 0) + settings.VISA_LETTER_LEASE_MARGIN
    )


def retry_delay(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed attempt (the last delay repeats)."""
    delays = settings.VISA_LETTER_RETRY_DELAYS
    return delays[min(attempts, len(delays)) - 1] if delays else 0


def hand_off(letter_ids: list[int], *, countdown: int = 0) -> None:
    """Publish the render task for these letters (after commit; raises if the broker is
    unreachable — run it from `on_commit(robust=True)`: the letters wait for the sweep)."""
    task = current_app.tasks[RENDER_LETTER_TASK]
    for letter_id in letter_ids:
        task.apply_async(args=[letter_id], countdown=countdown or None)


def letter_for_render(letter_id: int) -> VisaLetter:
    """The letter with everything the PDF prints, in one query."""
    return VisaLetter.objects.select_related(
        "request__registration__event__forum", "request__registration__event__visa_policy"
    ).get(pk=letter_id)


def _claim(letter_id: int, now: datetime) -> int | None:
    """Lock the letter; if it is due "to render", or "rendering" with its lease passed, mark
    it "rendering" with a new lease and count the attempt. Returns the attempt's number (the
    claim's token), or None when there is nothing to do."""
    with transaction.atomic():
        letter = (
            VisaLetter.objects.select_for_update(no_key=True)
            .select_related("request")
            .filter(pk=letter_id)
            .first()
        )
        if letter is None:
            return None
        due = (
            letter.status == Status.TO_RENDER
            and (letter.rendering_until is None or letter.rendering_until <= now)
        ) or (
            letter.status == Status.RENDERING
            and letter.rendering_until is not None
            and letter.rendering_until < now
        )
        if not due:
            return None
        if letter.request.passport_data_wiped:
            letter.status, letter.rendering_until = Status.FAILED, None
            letter.last_error = "The passport data was wiped (retention) before rendering."
            letter.save(update_fields=["status", "rendering_until", "last_error"])
            return None
        letter.status = Status.RENDERING
        letter.attempts += 1
        letter.rendering_until = now + render_lease()
        letter.save(update_fields=["status", "attempts", "rendering_until"])
        return letter.attempts


def _still_ours(letter_id: int, attempt: int) -> VisaLetter | None:
    """The letter, locked, if it is still "rendering" under this run's claim."""
    letter = VisaLetter.objects.select_for_update(no_key=True).filter(pk=letter_id).first()
    if letter is None or letter.status != Status.RENDERING or letter.attempts != attempt:
        return None
    return letter


def render_letter(letter_id: int, *, now: datetime | None = None) -> RenderOutcome:
    """Render one letter's PDF if it is due; safe to deliver twice.

    Side effects, in order:
    1. In a short transaction: claim the letter (`_claim`: "rendering", a lease, one more
       attempt); commit, releasing the lock.
    2. With no lock held: build the PDF (WeasyPrint) and write it to private storage.
    3. In a second transaction, if the claim still holds (nobody voided the letter or took it
       after the lease): mark it "ready" with the file and queue the delegate's "your letter
       is ready" e-mail (outbox; no passport data, no attachment). If not, the file is
       deleted and nothing else changes.
    On an error in step 2: "to render" again after `retry_delay` (the task is published with
    that countdown after commit; the sweep covers a lost message), or "failed" once
    `VISA_LETTER_MAX_ATTEMPTS` attempts failed; the error is kept on the letter for the
    secretariat. A worker killed during step 2 leaves the letter "rendering" until its lease
    passes; then `release_stuck_letters` hands it out again.
    """
    now = now or timezone.now()
    attempt = _claim(letter_id, now)
    if attempt is None:
        return RenderOutcome.SKIPPED
    stored_name = None
    try:
        letter = letter_for_render(letter_id)
        pdf = letter_pdf(letter)
        field = VisaLetter._meta.get_field("file")
        stored_name = field.storage.save(
            field.generate_filename(letter, letter_filename(letter)), ContentFile(pdf)
        )
    except Exception as error:
        logger.exception("Rendering visa letter %s failed (attempt %d)", letter_id, attempt)
        return _record_failure(letter_id, attempt, error, now=now)
    return _record_ready(letter_id, attempt, stored_name)


def _record_ready(letter_id: int, attempt: int, stored_name: str) -> RenderOutcome:
    with transaction.atomic():
        letter = _still_ours(letter_id, attempt)
        if letter is not None:
            letter.status = Status.READY
            letter.file.name = stored_name
            letter.rendered_at = timezone.now()
            letter.rendering_until = None
            letter.last_error = ""
            letter.save(
                update_fields=["status", "file", "rendered_at", "rendering_until", "last_error"]
            )
            emails.send_letter_ready_email(letter)
    if letter is None:
        VisaLetter._meta.get_field("file").storage.delete(stored_name)
        return RenderOutcome.SUPERSEDED
    return RenderOutcome.READY


def _record_failure(
    letter_id: int, attempt: int, error: Exception, *, now: datetime
) -> RenderOutcome:
    description = f"{type(error).__name__}: {error}"[:2000]
    with transaction.atomic():
        letter = _still_ours(letter_id, attempt)
        if letter is None:
            return RenderOutcome.SUPERSEDED
        letter.last_error = description
        if attempt >= _max_attempts():
            letter.status, letter.rendering_until = Status.FAILED, None
            letter.save(update_fields=["status", "rendering_until", "last_error"])
            return RenderOutcome.FAILED
        delay = retry_delay(attempt)
        letter.status = Status.TO_RENDER
        letter.rendering_until = now + timedelta(seconds=delay)
        letter.save(update_fields=["status", "rendering_until", "last_error"])
        transaction.on_commit(lambda: hand_off([letter_id], countdown=delay), robust=True)
    return RenderOutcome.RETRY


def release_stuck_letters(*, now: datetime | None = None) -> dict[str, int]:
    """Hand out again letters a worker lost, or whose task never reached a worker.

    - "rendering" past its lease (the worker died, or the host restarted): "to render" again,
      due now — or "failed" if it has used `VISA_LETTER_MAX_ATTEMPTS` attempts;
    - "to render" and due for longer than `VISA_LETTER_DISPATCH_GRACE` seconds (the hand-off
      after commit failed, the broker lost the message, a retry's countdown message is gone).

    Side effects, in order, in one transaction: those updates, and each letter handed out is
    marked as handed out now (`rendering_until`), so the next sweep leaves it alone for a
    grace period; after commit the render task is published for each. A letter also waiting
    in the broker is harmless: the second run finds it no longer due. Returns the counts.
    """
    now = now or timezone.now()
    grace = now - timedelta(seconds=settings.VISA_LETTER_DISPATCH_GRACE)
    reason = "The worker stopped while rendering this letter."
    with transaction.atomic():
        # SKIP LOCKED: a letter a worker is claiming or recording right now is theirs.
        stuck = dict(
            VisaLetter.objects.filter(status=Status.RENDERING, rendering_until__lt=now)
            .select_for_update(skip_locked=True)
            .values_list("pk", "attempts")
        )
        failed = [pk for pk, attempts in stuck.items() if attempts >= _max_attempts()]
        released = [pk for pk in stuck if pk not in failed]
        VisaLetter.objects.filter(pk__in=failed).update(
            status=Status.FAILED, rendering_until=None, last_error=reason
        )
        overdue = list(
            VisaLetter.objects.filter(status=Status.TO_RENDER)
            .filter(
                Q(rendering_until__isnull=True, created_at__lt=grace) | Q(rendering_until__lt=grace)
            )
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        VisaLetter.objects.filter(pk__in=released).update(
            status=Status.TO_RENDER, rendering_until=now, last_error=reason
        )
        VisaLetter.objects.filter(pk__in=overdue).update(rendering_until=now)
        handed_out = released + overdue
        if handed_out:
            transaction.on_commit(lambda: hand_off(handed_out), robust=True)
    if stuck or overdue:
        logger.warning(
            "Visa letters: %d released from dead workers, %d failed, %d handed out again",
            len(released),
            len(failed),
            len(overdue),
        )
    return {"released": len(released), "failed": len(failed), "handed_out": len(overdue)}


def _max_attempts() -> int:
    return settings.VISA_LETTER_MAX_ATTEMPTS
