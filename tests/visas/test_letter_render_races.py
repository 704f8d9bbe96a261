"""A letter voided while a worker renders it stays void: the worker's PDF is dropped, so the
verification page can never call a withdrawn or replaced letter valid."""

import threading
import time

import pytest
from django.db import connection

from tests.visas.letters import issue_letter
from visas import services
from visas.letters.rendering import render_letter
from visas.models import VisaLetter

pytestmark = pytest.mark.django_db(transaction=True)


def test_letter_voided_while_rendering_stays_void_and_its_file_is_dropped(settings):
    letter = issue_letter()  # no test transaction here: rendered at once, after its commit
    # Waiting for a worker again, as it was before that (no file, no attempt).
    VisaLetter.objects.filter(pk=letter.pk).update(
        status=VisaLetter.Status.TO_RENDER, file="", rendered_at=None, attempts=0
    )
    folder = settings.PRIVATE_MEDIA_ROOT / "visa-letters"
    files_before = set(folder.rglob("*.pdf"))
    outcome = {}

    def worker():
        try:
            outcome["render"] = render_letter(letter.pk)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    deadline = time.monotonic() + 30
    # The claim is committed before the PDF is built: withdraw while the worker renders.
    while VisaLetter.objects.get(pk=letter.pk).status != VisaLetter.Status.RENDERING:
        assert time.monotonic() < deadline, "the worker never claimed the letter"
        time.sleep(0.002)
    services.withdraw_visa_request(letter.request, acting_user=None, reason="plans changed")
    thread.join(60)

    letter.refresh_from_db()
    assert outcome["render"] == "superseded"
    assert letter.status == VisaLetter.Status.VOID
    assert not letter.file
    assert set(folder.rglob("*.pdf")) == files_before  # the worker's PDF was deleted
