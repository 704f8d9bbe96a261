"""Start-up checks: a configuration that would send e-mails twice is refused."""

from django.core.checks import run_checks
from django.test import override_settings


def mail_errors() -> list[str]:
    return [message.id for message in run_checks() if message.id.startswith("mail.")]


@override_settings(CELERY_TASK_TIME_LIMIT=90, MAIL_SENDING_LEASE_MARGIN=0)
def test_sending_lease_ending_with_the_task_time_limit_is_an_error():
    [error] = [message for message in run_checks() if message.id == "mail.E001"]
    assert error.is_serious()
    assert "sent twice" in error.hint


@override_settings(CELERY_TASK_TIME_LIMIT=None, MAIL_SENDING_LEASE_MARGIN=30)
def test_no_task_time_limit_is_an_error():
    assert mail_errors() == ["mail.E002"]


@override_settings(CELERY_TASK_TIME_LIMIT=90, MAIL_SENDING_LEASE_MARGIN=30)
def test_sending_lease_beyond_the_task_time_limit_passes():
    assert mail_errors() == []
