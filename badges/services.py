"""Writes for badges: issuing, reissuing, printing.

Lock order: badges come after everything in docs/architecture.md (user → event → category →
registration rows → badge rows). A receiver of `registration_created` runs inside the
registration's transaction with those rows already locked; it only inserts.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from events.models import Event
from registrations.models import Registration

from .models import Badge, BadgeReissue, new_badge_code


def issue_badge(registration: Registration) -> Badge:
    """The registration's badge, created if it has none. No other side effect."""
    badge, _created = Badge.objects.get_or_create(registration=registration)
    return badge


def issue_badge_for_new_registration(sender, *, registration: Registration, **kwargs) -> None:
    """Receiver of `registrations.extensions.registration_created`: every registration gets
    its badge in the transaction that created it (if this fails, nothing is saved)."""
    Badge.objects.create(registration=registration)


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
