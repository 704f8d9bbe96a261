"""Writes for badges: issuing, reissuing, printing.

Lock order: badges come after everything in docs/architecture.md (user → event → category →
registration rows → badge rows). A receiver of `registration_created` runs inside the
registration's transaction with those rows already locked; it only inserts.
"""

import logging
import tempfile
from datetime import timedelta

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from events.models import Event
from registrations.models import Registration

from . import pdf, selectors
from .models import Badge, BadgeBatch, BadgePrint, BadgeReissue, new_badge_code

logger = logging.getLogger(__name__)

# The Celery name of the task that runs `build_badge_batch` (badges/tasks.py registers it).
BUILD_BATCH_TASK = "badges.tasks.build_badge_batch"

REPRINT_NEEDS_REASON = _("Some of these badges were printed before: say why they are reprinted.")


def issue_badge(registration: Registration) -> Badge:
    """The registration's badge, created if it has none. No other side effect."""
    badge, _created = Badge.objects.get_or_create(registration=registration)
    return badge


def issue_badge_for_new_registration(sender, *, registration: Registration, **kwargs) -> None:
    """Receiver of `registrations.extensions.registration_created`: every registration gets
    its badge in the transaction that created it (if this fails, nothing is saved)."""
    Badge.objects.create(registration=registration)


def reissue_badge_for_substitution(
    sender, *, registration: Registration, actor: User | None, **kwargs
) -> None:
    """Receiver of `registrations.extensions.registration_substituted`: the registration now
    belongs to someone else, so the previous person's QR (printed, or in their ticket e-mail)
    is refused from now on. The badge row locks after the registration's, as documented."""
    badge = Badge.objects.filter(registration=registration).first()
    if badge is not None:
        reissue_badge(badge, acting_user=actor, reason="substitution")


def ensure_badges(event: Event) -> int:
    """Give a badge to each active registration of the event that has none (registrations
    made before this app existed, or bulk-inserted). Returns how many were created."""
    missing = Registration.objects.filter(
        event=event, status__in=Registration.ACTIVE_STATUSES, badge__isnull=True
    ).values_list("pk", flat=True)
    created = Badge.objects.bulk_create(
        [Badge(registration_id=pk) for pk in missing.iterator()],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return len(created)


@transaction.atomic
def reissue_badge(badge: Badge, *, acting_user: User | None, reason: str) -> Badge:
    """Give the badge a new code (a lost or stolen badge): the old QR is refused from now on.

    Side effects, in one transaction: the badge row is locked and its code replaced, its
    reissue count raised; a `BadgeReissue` row records who, when and why. The printed-details
    hash includes the code, so the badge shows as "changed since printed"."""
    locked = Badge.objects.select_for_update().get(pk=badge.pk)
    locked.code = new_badge_code()
    locked.reissued_count += 1
    locked.issued_at = timezone.now()
    locked.save(update_fields=["code", "reissued_count", "issued_at"])
    BadgeReissue.objects.create(badge=locked, reissued_by=acting_user, reason=reason)
    return locked


def _require_reason_for_reprints(badge_ids: list[int], reason: str) -> None:
    if not reason.strip() and selectors.reprints_among(badge_ids):
        raise ValidationError(REPRINT_NEEDS_REASON, code="reprint_reason")


def print_badges(
    event: Event, badge_ids: list[int], *, acting_user: User, reason: str = "", target
) -> BadgePrint:
    """Draw these badges (all of `event`) into the binary file `target`, then record the print.

    Refuses (ValidationError) a reprint without a reason. Side effects, in order: the PDF is
    written (nothing is recorded if drawing fails); then `record_print` in one transaction.
    For up to BADGES_SYNC_MAX badges, in the request; more go through `queue_badge_batch`."""
    _require_reason_for_reprints(badge_ids, reason)
    pdf.render_badges(selectors.badges_for_printing(badge_ids), selectors.design_for(event), target)
    return record_print(event, badge_ids, acting_user=acting_user, reason=reason)


@transaction.atomic
def record_print(
    event: Event,
    badge_ids: list[int],
    *,
    acting_user: User | None,
    reason: str = "",
    batch: BadgeBatch | None = None,
) -> BadgePrint:
    """Record that these badges were printed: who, when, which, why (for reprints).

    In one transaction: the badge rows are locked (in id order; badges lock after the
    registration rows, docs/architecture.md), the reprints among them counted, each badge's
    last print time, print count and printed-details hash (`selectors.printed_details_hash`)
    updated, and a `BadgePrint` row written with the badges linked to it."""
    ids = list(
        Badge.objects.filter(pk__in=badge_ids)
        .order_by("pk")
        .select_for_update(no_key=True)
        .values_list("pk", flat=True)
    )
    reprints = Badge.objects.filter(pk__in=ids, print_count__gt=0).count()
    now = timezone.now()
    Badge.objects.filter(pk__in=ids).update(
        printed_at=now,
        print_count=F("print_count") + 1,
        details_hash=selectors.printed_details_hash_for_update(),
    )
    record = BadgePrint.objects.create(
        event=event,
        printed_by=acting_user,
        printed_at=now,
        badge_count=len(ids),
        reprints=reprints,
        reason=reason.strip(),
        batch=batch,
    )
    record.badges.through.objects.bulk_create(
        [record.badges.through(badgeprint_id=record.pk, badge_id=pk) for pk in ids],
        batch_size=1000,
    )
    return record


def queue_badge_batch(
    event: Event, badge_ids: list[int], *, acting_user: User, reason: str = "", language: str
) -> BadgeBatch:
    """Record a queued print batch for these badges and, after commit, hand its id to the
    Celery task that draws it (`badges.tasks.build_badge_batch`). Refuses (ValidationError) a
    reprint without a reason. The print is recorded when the file is ready."""
    _require_reason_for_reprints(badge_ids, reason)
    batch = BadgeBatch.objects.create(
        event=event,
        created_by=acting_user,
        badge_ids=list(badge_ids),
        badges_total=len(badge_ids),
        reason=reason.strip(),
        language=language,
        status=BadgeBatch.Status.QUEUED,
    )
    transaction.on_commit(lambda: _hand_off(batch.pk), robust=True)
    return batch


def _hand_off(batch_id: int) -> None:
    """Publish the build task (raises if the broker is unreachable: run from
    `on_commit(robust=True)`; the batch then stays queued until the sweep)."""
    current_app.tasks[BUILD_BATCH_TASK].delay(batch_id)


def build_badge_batch(batch_id: int) -> str:
    """Draw a queued batch: claim it (queued → running, one conditional UPDATE, so a
    redelivered task does nothing), draw the PDF into a temporary file with progress saved
    after every chunk of badges, store it under MEDIA_ROOT/badges/, record the print
    (`record_print`, linked to the batch), mark the batch done. A failure is recorded on the
    batch, which its status page shows. Runs in a Celery worker."""
    claimed = BadgeBatch.objects.filter(pk=batch_id, status=BadgeBatch.Status.QUEUED).update(
        status=BadgeBatch.Status.RUNNING,
        badges_done=0,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    batch = BadgeBatch.objects.select_related("event", "created_by").get(pk=batch_id)
    if not claimed:
        return batch.status
    try:
        design = selectors.design_for(batch.event)
        with tempfile.TemporaryFile(suffix=".pdf") as target:
            pdf.render_badges(
                selectors.badges_for_printing(batch.badge_ids),
                design,
                target,
                progress=lambda done: BadgeBatch.objects.filter(pk=batch_id).update(
                    badges_done=done
                ),
            )
            target.seek(0)
            batch.file.save(download_filename(batch), File(target), save=False)
        with transaction.atomic():
            record_print(
                batch.event,
                batch.badge_ids,
                acting_user=batch.created_by,
                reason=batch.reason,
                batch=batch,
            )
            BadgeBatch.objects.filter(pk=batch_id).update(
                file=batch.file.name,
                status=BadgeBatch.Status.DONE,
                badges_done=batch.badges_total,
                finished_at=timezone.now(),
            )
        return BadgeBatch.Status.DONE
    except SoftTimeLimitExceeded:
        _fail(batch_id, "The batch took longer than the time limit.")
    except Exception as error:
        logger.exception("Badge batch %s failed", batch_id)
        _fail(batch_id, f"{type(error).__name__}: {error}")
    return BadgeBatch.Status.FAILED


def _fail(batch_id: int, error: str) -> None:
    BadgeBatch.objects.filter(pk=batch_id).update(
        status=BadgeBatch.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def download_filename(batch: BadgeBatch) -> str:
    moment = timezone.localtime(batch.created_at, batch.event.tz)
    return f"{batch.event.slug}-badges-{moment:%Y%m%d-%H%M}.pdf"


def release_stuck_batches(*, now=None) -> dict[str, int]:
    """Queue again batches whose worker died; fail those that ran BADGES_MAX_ATTEMPTS times.

    A batch counts as stuck once its last run started more than BADGES_STUCK_AFTER seconds
    ago (above the task's hard time limit, so a slow run was stopped by Celery first). In one
    transaction: the over-tried ones are failed, the others set back to queued; after commit
    each of those is handed to the task again. Returns the counts."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.BADGES_STUCK_AFTER)
    stuck = BadgeBatch.objects.filter(status=BadgeBatch.Status.RUNNING).filter(
        Q(started_at__lt=cutoff) | Q(started_at__isnull=True, created_at__lt=cutoff)
    )
    with transaction.atomic():
        failed = stuck.filter(attempts__gte=settings.BADGES_MAX_ATTEMPTS).update(
            status=BadgeBatch.Status.FAILED,
            error=f"The worker stopped during each of {settings.BADGES_MAX_ATTEMPTS} runs.",
            finished_at=now,
        )
        requeued = list(stuck.select_for_update(skip_locked=True).values_list("pk", flat=True))
        BadgeBatch.objects.filter(pk__in=requeued, status=BadgeBatch.Status.RUNNING).update(
            status=BadgeBatch.Status.QUEUED, badges_done=0
        )
        for batch_id in requeued:
            transaction.on_commit(lambda batch_id=batch_id: _hand_off(batch_id), robust=True)
    if failed or requeued:
        logger.warning("Released %d stuck badge batches", failed + len(requeued))
    return {"requeued": len(requeued), "failed": failed}


def purge_expired_batch_files(*, now=None) -> int:
    """Delete the PDFs of batches finished more than BADGES_FILE_RETENTION_HOURS ago (names
    and QR codes are personal data); the batch row and its print record stay."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.BADGES_FILE_RETENTION_HOURS)
    purged = 0
    for batch in BadgeBatch.objects.filter(finished_at__lt=cutoff).exclude(file="").iterator():
        batch.file.delete(save=False)
        BadgeBatch.objects.filter(pk=batch.pk).update(file="")
        purged += 1
    return purged
