"""Start-up checks for the outbox's settings (run by every manage.py command and by the
worker and web processes through Django's system checks)."""

from django.conf import settings
from django.core import checks


@checks.register()
def check_sending_lease_outlasts_the_task(app_configs=None, **kwargs):
    """mail.E001 and mail.E002: a row's "sending" lease must end only after its task is dead.

    A worker marks the rows it claims "sending" until claim time + ``CELERY_TASK_TIME_LIMIT`` +
    ``MAIL_SENDING_LEASE_MARGIN``; ``release_stuck_emails`` queues again a row whose lease has
    passed. Only once Celery's hard time limit has stopped the task is that row surely
    abandoned: released earlier, a row a slow worker is still sending goes out twice. So the
    hard limit must exist (E002) and the margin must be positive (E001): the pool kills an
    overdue task a moment after the limit, and the worker's and beat's clocks differ a little.
    """
    errors = []
    time_limit = getattr(settings, "CELERY_TASK_TIME_LIMIT", None)
    margin = settings.MAIL_SENDING_LEASE_MARGIN
    if margin <= 0:
        errors.append(
            checks.Error(
                f"MAIL_SENDING_LEASE_MARGIN ({margin} s) must be greater than 0.",
                hint=(
                    "Rows still being sent by a worker about to be stopped would be released "
                    "and sent twice. Set it to a few tens of seconds."
                ),
                id="mail.E001",
            )
        )
    if not time_limit or time_limit <= 0:
        errors.append(
            checks.Error(
                "CELERY_TASK_TIME_LIMIT must be set to a positive number of seconds.",
                hint=(
                    "Without a hard time limit a slow worker is never stopped, so no lease can "
                    "tell it from a dead one: its e-mails would be released and sent twice."
                ),
                id="mail.E002",
            )
        )
    return errors
