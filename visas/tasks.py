"""Celery tasks for visa letters: thin wrappers around visas.services, given ids, never objects.

The services publish these by registered name (`services.RENDER_LETTER_TASK`); the app
imports this module when Django starts (`VisasConfig.ready`), so the names resolve in web
processes too.
"""

from celery import shared_task

from . import digest, retention
from .letters import rendering

# Letters (vletter) ----------------------------------------------------------------------


@shared_task(name=rendering.RENDER_LETTER_TASK)
def render_letter(letter_id: int) -> str:
    """Render one letter's PDF if it is due (see visas.letters.rendering.render_letter)."""
    return rendering.render_letter(letter_id).value


@shared_task(name="visas.tasks.release_stuck_letters")
def release_stuck_letters() -> dict[str, int]:
    """Beat's sweep: hand out again letters a dead worker left "rendering" and letters whose
    task never reached a worker (see visas.letters.rendering.release_stuck_letters)."""
    return rendering.release_stuck_letters()


# End of letters (vletter) ----------------------------------------------------------------

# Retention and the secretariat's digest (beat, daily) -------------------------------------


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
