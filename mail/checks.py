"""Start-up checks for the outbox's settings (run by every manage.py command and by the
worker and web processes through Django's system checks)."""

from django.conf import settings
from django.core import checks


@checks.register()
def check_stuck_after_exceeds_task_time_limit(app_configs=None, **kwargs):
    """mail.E001: ``MAIL_STUCK_AFTER`` must be longer than ``CELERY_TASK_TIME_LIMIT``.

    ``release_stuck_emails`` queues again a row "sending" for longer than MAIL_STUCK_AFTER.
    Only once Celery's hard time limit has stopped the task is that row surely abandoned;
    released earlier, a row a slow worker is still sending goes out twice."""
    stuck_after = settings.MAIL_STUCK_AFTER
    time_limit = getattr(settings, "CELERY_TASK_TIME_LIMIT", None)
    if time_limit is None or stuck_after > time_limit:
        return []
    return [
        checks.Error(
            f"MAIL_STUCK_AFTER ({stuck_after} s) must be greater than CELERY_TASK_TIME_LIMIT "
            f"({time_limit} s).",
            hint=(
                "Rows still being sent by a slow worker would be released and sent twice. "
                "Raise MAIL_STUCK_AFTER or lower CELERY_TASK_TIME_LIMIT."
            ),
            id="mail.E001",
        )
    ]
