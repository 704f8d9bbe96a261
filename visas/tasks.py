"""Celery tasks for visa letters: thin wrappers around visas.services, given ids, never objects.

The services publish these by registered name (`services.RENDER_LETTER_TASK`); the app
imports this module when Django starts (`VisasConfig.ready`), so the names resolve in web
processes too.
"""


# Retention and the secretariat's digest (beat, daily) -------------------------------------

from celery import shared_task

from . import digest, retention


@shared_task(name="visas.tasks.wipe_expired_passport_data")
def wipe_expired_passport_data() -> int:
    """Wipe passport data and letter files of events past their retention (run by beat; see
    retention.wipe_expired_passport_data). Returns how many requests were wiped."""
    return retention.wipe_expired_passport_data()


@shared_task(name="visas.tasks.send_filing_deadline_digest")
def send_filing_deadline_digest() -> int:
    """Queue the secretariat's digest of filing deadlines, one e-mail per event with
    something to say (run by beat; see digest.send_filing_deadline_digests). Returns how
    many e-mails were queued."""
    return len(digest.send_filing_deadline_digests())
