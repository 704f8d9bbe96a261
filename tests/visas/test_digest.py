"""The secretariat's daily digest of filing deadlines: one e-mail per event with open requests
due within a week (or overdue, flagged), none when there is nothing to say."""

import datetime

import pytest
from django.utils import timezone

from mail.models import OutgoingEmail
from visas import tasks
from visas.digest import KIND, send_filing_deadline_digests

from .petition_helpers import filed, in_review, make_secretariat, requested, visa_event

pytestmark = pytest.mark.django_db


def digests():
    return list(OutgoingEmail.objects.filter(kind=KIND).order_by("pk"))


@pytest.fixture
def soon():
    """An event whose requests' filing deadline is ~5 days away, with its own address."""
    today = timezone.localdate()
    event, category = visa_event(
        start_date=today + datetime.timedelta(days=20),
        secretariat_email="visas@minex-asia.example",
        title_en="MINEX Central Asia 2026",
    )
    secretariat = make_secretariat()
    return {
        "event": event,
        "category": category,
        "secretariat": secretariat,
        "due": requested(category, first_name="Ivan", last_name="Petrov"),
        "reviewing": in_review(category, by=secretariat, first_name="Wei", last_name="Zhang"),
        "filed": filed(category, by=secretariat, first_name="Carl", last_name="Abbott"),
    }


def test_digest_lists_open_requests_due_within_a_week(soon):
    (email,) = send_filing_deadline_digests()

    assert email.recipient == "visas@minex-asia.example"
    assert email.language == "en"
    assert "Visa petitions due within a week: 2 requests" in email.subject
    assert "MINEX Central Asia 2026" in email.subject
    body = email.body_text
    assert soon["due"].number in body
    assert soon["reviewing"].number in body
    assert "Ivan Petrov" in body and "Wei Zhang" in body
    assert soon["due"].registration.reference in body
    assert "Abbott" not in body  # filed: nothing to do
    assert "days left" in body
    assert f"/en/admin/visas/visarequest/{soon['due'].pk}/change/" in body
    assert f"/en/admin/visas/petitions/{soon['event'].pk}/" in body
    # No passport data: not the number, not the passport name.
    for text in (email.subject, body, email.body_html):
        assert "123456789" not in text
        assert "SMITH" not in text


def test_digest_flags_overdue_requests(soon):
    today = timezone.localdate()
    late_event, late_category = visa_event(
        forum=soon["event"].forum, start_date=today + datetime.timedelta(days=10)
    )
    late = requested(late_category, first_name="Late", last_name="Comer")
    assert late.too_late

    emails = send_filing_deadline_digests()

    late_email = next(e for e in emails if late.number in e.body_text)
    # No address of its own: the forum's, else the global one (Event.secretariat_address).
    assert late_email.recipient == late_event.secretariat_address
    assert "(1 overdue)" in late_email.subject
    assert "OVERDUE by" in late_email.body_text
    assert "requested after the deadline" in late_email.body_text
    assert len(emails) == 2


def test_digest_sends_nothing_when_there_is_nothing_to_say():
    today = timezone.localdate()
    _far_event, far_category = visa_event(start_date=today + datetime.timedelta(days=40))
    requested(far_category)  # deadline ~25 days away
    _soon_event, soon_category = visa_event(start_date=today + datetime.timedelta(days=20))
    filed(soon_category, by=make_secretariat())  # due soon, but already filed

    assert send_filing_deadline_digests() == []
    assert tasks.send_filing_deadline_digest.apply().get() == 0
    assert digests() == []


def test_digest_is_sent_once_a_day_per_event(soon):
    send_filing_deadline_digests()

    assert send_filing_deadline_digests() == []
    assert len(digests()) == 1
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    assert len(send_filing_deadline_digests(now=tomorrow)) == 1


def test_digest_skips_events_that_are_over(soon):
    after_the_event = datetime.datetime.combine(
        soon["event"].end_date + datetime.timedelta(days=1),
        datetime.time(12),
        tzinfo=soon["event"].tz,
    )

    assert send_filing_deadline_digests(now=after_the_event) == []


def test_digest_task_queues_through_the_outbox(soon, django_capture_on_commit_callbacks):
    result = tasks.send_filing_deadline_digest.apply()

    assert result.get() == 1
    (email,) = digests()
    assert email.related_id == str(soon["event"].pk)


def test_digest_task_is_scheduled_daily_at_the_set_hour(settings):
    from celery import current_app

    entry = settings.CELERY_BEAT_SCHEDULE["visas-filing-deadline-digest"]

    assert entry["task"] == "visas.tasks.send_filing_deadline_digest"
    assert entry["task"] in current_app.tasks
    assert entry["schedule"].hour == {3}
    assert entry["schedule"].minute == {0}
