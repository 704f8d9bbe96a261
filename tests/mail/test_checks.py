"""Start-up checks: a configuration that would send e-mails twice is refused."""

from django.core.checks import run_checks
from django.test import override_settings


def mail_errors() -> list[str]:
    return [message.id for message in run_checks() if message.id.startswith("mail.")]


@override_settings(CELERY_TASK_TIME_LIMIT=90, MAIL_STUCK_AFTER=90)
def test_stuck_after_not_above_the_task_time_limit_is_an_error():
    assert mail_errors() == ["mail.E001"]


@override_settings(CELERY_TASK_TIME_LIMIT=600, MAIL_STUCK_AFTER=300)
def test_stuck_after_below_the_task_time_limit_is_an_error():
    [error] = [message for message in run_checks() if message.id == "mail.E001"]
    assert error.is_serious()
    assert "sent twice" in error.hint


@override_settings(CELERY_TASK_TIME_LIMIT=90, MAIL_STUCK_AFTER=600)
def test_stuck_after_above_the_task_time_limit_passes():
    assert mail_errors() == []
