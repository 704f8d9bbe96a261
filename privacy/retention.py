"""The retention schedule (settings `PRIVACY_*`, shown on the privacy page), run daily by
`privacy.tasks.apply_retention_schedule`. Each rule is its own function, idempotent, and
returns how many rows it changed.

1. Dietary and accessibility needs (health data) are wiped from registrations
   `PRIVACY_NEEDS_RETENTION_DAYS` days after their event's last day — with the old values in
   the registration's and the profile's history, and from the profile when the delegate has
   no later event to come.
2. Bodies and attachments of sent or failed e-mails are emptied after
   `PRIVACY_MAIL_BODY_RETENTION_DAYS` days (the row stays: recipient, kind, subject, outcome).
3. Export files: background exports' files after `EXPORTS_FILE_RETENTION_HOURS`, badge PDFs
   after `BADGES_FILE_RETENTION_HOURS` (the apps' own purges, run here too).
4. Accounts with no sign-in and no registration for `PRIVACY_INACTIVE_ACCOUNT_YEARS` years get
   a warning e-mail `PRIVACY_INACTIVITY_WARNING_DAYS` days before; if they have still not
   signed in by then, they are deleted (`services.delete_account`, reason "inactive").
"""

import datetime
import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.models import DelegateProfile, User
from badges.services import purge_expired_batch_files
from exports.services import purge_expired_export_files
from mail.models import OutgoingEmail
from mail.services import queue_email
from registrations.models import Registration

from .models import AccountDeletion, InactivityWarning
from .services import delete_account

logger = logging.getLogger(__name__)

NEEDS = ("dietary_needs", "accessibility_needs")


def needs_cutoff(now: datetime.datetime) -> datetime.date:
    """Events whose last day is before this date are over for the needs' purpose."""
    return now.date() - datetime.timedelta(days=settings.PRIVACY_NEEDS_RETENTION_DAYS)


def wipe_needs_after_events(now: datetime.datetime | None = None) -> int:
    """Rule 1. One UPDATE for the registrations, one per history table for the old values
    (`#-` removes the keys from the JSON), one for the profiles of delegates with nothing
    to come; returns how many registrations were wiped."""
    now = now or timezone.now()
    cutoff = needs_cutoff(now)
    over = Registration.objects.filter(event__end_date__lt=cutoff)
    with transaction.atomic():
        wiped = over.filter(~Q(dietary_needs="") | ~Q(accessibility_needs="")).update(
            dietary_needs="", accessibility_needs="", updated_at=now
        )
        with connection.cursor() as cursor:
            cursor.execute(
                """UPDATE registrations_registrationhistory h
                    SET details = details #- '{changes,dietary_needs}'
                                          #- '{changes,accessibility_needs}'
                    FROM registrations_registration r, events_event e
                    WHERE h.registration_id = r.id AND r.event_id = e.id
                      AND e.end_date < %s
                      AND (details -> 'changes') ?| array['dietary_needs',
                                                          'accessibility_needs']""",
                [cutoff],
            )
        # Profiles: only of delegates whose every registration's event is over.
        finished = (
            DelegateProfile.objects.filter(user__registrations__isnull=False)
            .exclude(user__registrations__event__end_date__gte=cutoff)
            .filter(~Q(dietary_needs="") | ~Q(accessibility_needs=""))
            .values("user_id")
        )
        user_ids = list(finished)
        DelegateProfile.objects.filter(user_id__in=[u["user_id"] for u in user_ids]).update(
            dietary_needs="", accessibility_needs=""
        )
        with connection.cursor() as cursor:
            cursor.execute(
                """UPDATE accounts_profilehistory h
                    SET changes = changes - 'dietary_needs' - 'accessibility_needs'
                    WHERE changes ?| array['dietary_needs', 'accessibility_needs']
                      AND NOT EXISTS (
                        SELECT 1 FROM registrations_registration r
                        JOIN events_event e ON e.id = r.event_id
                        WHERE r.delegate_id = h.user_id AND e.end_date >= %s)
                      AND EXISTS (
                        SELECT 1 FROM registrations_registration r
                        WHERE r.delegate_id = h.user_id)""",
                [cutoff],
            )
    return wiped


def empty_old_mail_bodies(now: datetime.datetime | None = None) -> int:
    """Rule 2: sent or failed e-mails older than the retention lose their content."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.PRIVACY_MAIL_BODY_RETENTION_DAYS)
    return (
        OutgoingEmail.objects.filter(
            status__in=[OutgoingEmail.Status.SENT, OutgoingEmail.Status.FAILED],
            created_at__lt=cutoff,
        )
        .filter(~Q(body_text="") | ~Q(body_html="") | Q(prebuilt_message__isnull=False))
        .update(
            body_text="", body_html="", attachments=[], prebuilt_message=None, render_intent=None
        )
    )


def purge_export_files(now: datetime.datetime | None = None) -> int:
    """Rule 3: the exports' and badge batches' own purges (also on their hourly beat)."""
    return purge_expired_export_files(now=now) + purge_expired_batch_files(now=now)


def inactive_accounts(before: datetime.datetime):
    """Delegates (never staff) with no sign-in, no account creation and no registration
    since `before`, not yet deleted."""
    return (
        User.objects.filter(is_active=True, is_staff=False, is_superuser=False)
        .exclude(pk__in=AccountDeletion.objects.values("user_id"))
        .annotate(
            last_seen=Greatest(
                "date_joined",
                Coalesce("last_login", "date_joined"),
                Coalesce(Max("registrations__created_at"), "date_joined"),
            )
        )
        .filter(last_seen__lt=before)
    )


def inactivity_limit(now: datetime.datetime) -> datetime.datetime:
    years = settings.PRIVACY_INACTIVE_ACCOUNT_YEARS
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def warn_inactive_accounts(now: datetime.datetime | None = None) -> int:
    """Rule 4, first half: the warning e-mail to each account that will pass the limit within
    `PRIVACY_INACTIVITY_WARNING_DAYS`, once (a warning is renewed only after a sign-in)."""
    now = now or timezone.now()
    warning = datetime.timedelta(days=settings.PRIVACY_INACTIVITY_WARNING_DAYS)
    # A warning the delegate answered by signing in no longer counts.
    InactivityWarning.objects.filter(user__last_login__gt=F("sent_at")).delete()
    due = inactive_accounts(inactivity_limit(now) + warning).exclude(
        pk__in=InactivityWarning.objects.values("user_id")
    )
    sent = 0
    for user in due.select_related("delegate_profile").order_by("pk"):
        with transaction.atomic():
            _warning, created = InactivityWarning.objects.get_or_create(
                user=user, defaults={"sent_at": now}
            )
            if not created:
                continue
            profile = getattr(user, "delegate_profile", None)
            queue_email(
                to=user.email,
                language=profile.preferred_language if profile else settings.LANGUAGE_CODE,
                kind="privacy.inactivity_warning",
                template="privacy/emails/inactivity_warning",
                context={
                    "deletion_date": (now + warning).date(),
                    "years": settings.PRIVACY_INACTIVE_ACCOUNT_YEARS,
                },
            )
            sent += 1
    return sent


def delete_inactive_accounts(now: datetime.datetime | None = None) -> int:
    """Rule 4, second half: accounts past the limit whose warning is at least
    `PRIVACY_INACTIVITY_WARNING_DAYS` old (and not answered by a sign-in) are deleted."""
    now = now or timezone.now()
    warning = datetime.timedelta(days=settings.PRIVACY_INACTIVITY_WARNING_DAYS)
    due = inactive_accounts(inactivity_limit(now)).filter(
        inactivity_warning__sent_at__lte=now - warning
    )
    deleted = 0
    for user in due.order_by("pk"):
        if user.last_login and user.last_login > user.inactivity_warning.sent_at:
            continue
        delete_account(user, reason=AccountDeletion.Reason.INACTIVE, now=now)
        deleted += 1
    return deleted


def apply_retention_schedule(now: datetime.datetime | None = None) -> dict[str, int]:
    """Every rule, in order; a summary for the log."""
    now = now or timezone.now()
    summary = {
        "needs_wiped": wipe_needs_after_events(now),
        "mail_bodies_emptied": empty_old_mail_bodies(now),
        "export_files_purged": purge_export_files(now),
        "inactivity_warnings": warn_inactive_accounts(now),
        "inactive_accounts_deleted": delete_inactive_accounts(now),
    }
    logger.info("Retention schedule applied: %s", summary)
    return summary
