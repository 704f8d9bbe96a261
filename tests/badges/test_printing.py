"""Printing badges from the admin: one PDF, the print log, reprint reasons, what changed since
printing, and the background batch for more than BADGES_SYNC_MAX badges."""

import io

import pytest
from django.contrib.admin import helpers
from pypdf import PdfReader

from badges import services
from badges.models import Badge, BadgeBatch, BadgePrint
from badges.tasks import build_badge_batch
from registrations.services import update_registration_details
from tests.badges.conftest import BADGES, client_for, register

pytestmark = pytest.mark.django_db


def _post_action(client, action, badges, **fields):
    data = {
        "action": action,
        helpers.ACTION_CHECKBOX_NAME: [str(badge.pk) for badge in badges],
        **fields,
    }
    return client.post(BADGES, data)


def _badges(registrations):
    return [Badge.objects.get(registration=registration) for registration in registrations]


def _pdf(response) -> PdfReader:
    return PdfReader(io.BytesIO(b"".join(response.streaming_content)))


def test_secretariat_prints_selected_badges_as_one_pdf_and_the_print_is_logged(
    secretariat, event_a
):
    badges = _badges(register(event_a, 3, name_en="Delegate"))
    client = client_for(secretariat)

    confirm = _post_action(client, "print_selected", badges)
    response = _post_action(client, "print_selected", badges, apply="yes")

    assert confirm.status_code == 200 and "Print 3 badges as one PDF?" in confirm.content.decode()
    assert response["Content-Type"] == "application/pdf"
    reader = _pdf(response)
    assert len(reader.pages) == 3
    assert "Surname0000" in reader.pages[0].extract_text()  # sorted by last name
    record = BadgePrint.objects.get()
    assert (record.printed_by, record.event, record.badge_count, record.reprints) == (
        secretariat, event_a, 3, 0,
    )  # fmt: skip
    assert set(record.badges.all()) == set(badges)
    assert all(b.print_count == 1 and b.printed_at for b in Badge.objects.all())


def test_a_reprint_needs_a_reason_which_the_log_keeps(secretariat, event_a):
    badges = _badges(register(event_a, 2))
    client = client_for(secretariat)
    _post_action(client, "print_selected", badges[:1], apply="yes")

    refused = _post_action(client, "print_selected", badges, apply="yes", reason="  ")
    printed = _post_action(client, "print_selected", badges, apply="yes", reason="Coffee spilt")

    assert refused.status_code == 200
    assert "1 of them was printed before" in refused.content.decode()
    assert "This field is required." in refused.content.decode()
    assert printed["Content-Type"] == "application/pdf"
    reprint = BadgePrint.objects.order_by("-pk").first()
    assert (reprint.badge_count, reprint.reprints, reprint.reason) == (2, 1, "Coffee spilt")
    assert BadgePrint.objects.count() == 2
    assert Badge.objects.get(pk=badges[0].pk).print_count == 2


def test_the_service_refuses_a_reprint_without_a_reason(secretariat, event_a):
    badges = _badges(register(event_a, 1))
    services.print_badges(event_a, [badges[0].pk], acting_user=secretariat, target=io.BytesIO())

    with pytest.raises(services.ValidationError):
        services.print_badges(event_a, [badges[0].pk], acting_user=secretariat, target=io.BytesIO())
    assert BadgePrint.objects.count() == 1


def _listed(client, query) -> set[str]:
    page = client.get(f"{BADGES}?{query}").content.decode()
    return {
        ref
        for ref in Badge.objects.values_list("registration__reference", flat=True)
        if ref in page
    }


def test_filters_show_badges_not_printed_yet_and_changed_since_printed(secretariat, event_a):
    registrations = register(event_a, 3)
    unchanged, changed, never = registrations
    services.record_print(
        event_a, [r.badge.pk for r in (unchanged, changed)], acting_user=secretariat
    )
    client = client_for(secretariat)
    assert _listed(client, "printed=changed") == set()

    update_registration_details(changed, acting_user=secretariat, organisation="New Mining LLP")

    assert _listed(client, "printed=changed") == {changed.reference}
    assert _listed(client, "printed=no") == {never.reference}
    assert _listed(client, "printed=yes") == {unchanged.reference, changed.reference}
    services.reissue_badge(unchanged.badge, acting_user=secretariat, reason="Lost")
    assert _listed(client, "printed=changed") == {changed.reference, unchanged.reference}


def test_badges_of_two_events_are_not_printed_together(secretariat, event_a, event_b):
    badges = _badges(register(event_a, 1) + register(event_b, 1))

    response = _post_action(client_for(secretariat), "print_selected", badges, apply="yes")

    assert response.status_code == 302
    assert not BadgePrint.objects.exists()


def test_more_than_200_badges_are_built_by_the_task_with_progress(secretariat, event_a):
    badges = _badges(register(event_a, 201))
    client = client_for(secretariat)

    response = _post_action(client, "print_selected", badges, apply="yes")

    batch = BadgeBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/admin/badges/badgebatch/{batch.pk}/status/"
    waiting = client.get(response["Location"]).content.decode()
    assert "0 of 201 badges laid out" in waiting and 'http-equiv="refresh"' in waiting
    assert not BadgePrint.objects.exists()  # recorded once the file exists

    assert build_badge_batch.apply(kwargs={"batch_id": batch.pk}).get() == "done"

    batch.refresh_from_db()
    assert (batch.status, batch.badges_done, batch.progress_percent) == ("done", 201, 100)
    done = client.get(response["Location"]).content.decode()
    assert "refresh" not in done and "Download the PDF" in done
    download = client.get(f"/en/admin/badges/badgebatch/{batch.pk}/download/")
    assert len(_pdf(download).pages) == 201
    record = BadgePrint.objects.get()
    assert (record.batch, record.badge_count, record.printed_by) == (batch, 201, secretariat)
    # Delivered again (a redelivery after a lost ack): nothing is drawn or logged twice.
    assert build_badge_batch.apply(kwargs={"batch_id": batch.pk}).get() == "done"
    assert BadgePrint.objects.count() == 1


def test_a_batch_whose_worker_died_is_queued_again_then_failed(secretariat, event_a, settings):
    from datetime import timedelta

    from django.utils import timezone

    badges = _badges(register(event_a, 1))
    batch = services.queue_badge_batch(
        event_a, [badges[0].pk], acting_user=secretariat, language="en"
    )
    long_ago = timezone.now() - timedelta(seconds=settings.BADGES_STUCK_AFTER + 5)
    BadgeBatch.objects.filter(pk=batch.pk).update(status="running", started_at=long_ago, attempts=1)

    assert services.release_stuck_batches() == {"requeued": 1, "failed": 0}
    BadgeBatch.objects.filter(pk=batch.pk).update(
        status="running", started_at=long_ago, attempts=settings.BADGES_MAX_ATTEMPTS
    )
    assert services.release_stuck_batches() == {"requeued": 0, "failed": 1}
    assert BadgeBatch.objects.get(pk=batch.pk).status == "failed"
