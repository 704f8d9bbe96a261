"""Reminders per event: due from N days before, sent once each per registration."""

import datetime

import pytest

from mail.models import OutgoingEmail
from mailings.models import EventReminder, SentReminder
from mailings.services import send_due_reminders
from mailings.tasks import sweep_mailings
from tests.factories import make_category, make_event, make_registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def event_with_delegates():
    event = make_event(start_date=datetime.date(2026, 12, 10), end_date=datetime.date(2026, 12, 11))
    category = make_category(event)
    confirmed_ru = make_registration(category, language="ru")
    confirmed_en = make_registration(category, language="en")
    EventReminder.objects.create(event=event, days_before=7, note_en="Badges from 8:00, hall B.")
    EventReminder.objects.create(event=event, days_before=1)
    return event, confirmed_ru, confirmed_en


def test_reminder_not_sent_before_its_day(event_with_delegates):
    assert send_due_reminders(today=datetime.date(2026, 12, 2)) == 0
    assert not OutgoingEmail.objects.filter(kind="mailing.reminder").exists()


def test_reminder_sent_once_each_even_when_run_again(event_with_delegates):
    _event, ru, en = event_with_delegates

    assert send_due_reminders(today=datetime.date(2026, 12, 3)) == 2
    assert send_due_reminders(today=datetime.date(2026, 12, 3)) == 0  # beat again
    assert send_due_reminders(today=datetime.date(2026, 12, 4)) == 0  # the next day

    emails = {e.recipient: e for e in OutgoingEmail.objects.filter(kind="mailing.reminder")}
    assert set(emails) == {ru.email, en.email}
    assert emails[en.email].language == "en"
    assert "Badges from 8:00, hall B." in emails[en.email].body_text
    assert f"/my/registrations/{en.reference}/ticket/" in emails[en.email].body_text
    assert "in 7 days" in emails[en.email].subject
    assert emails[ru.email].language == "ru" and emails[ru.email].bulk

    # The day before: the second reminder, once.
    assert send_due_reminders(today=datetime.date(2026, 12, 9)) == 2
    assert send_due_reminders(today=datetime.date(2026, 12, 9)) == 0
    assert SentReminder.objects.count() == 4


def test_beat_task_runs_the_reminders(event_with_delegates, settings):
    event, _ru, _en = event_with_delegates
    EventReminder.objects.filter(event=event, days_before=1).delete()
    EventReminder.objects.filter(event=event).update(days_before=400)  # due today

    result = sweep_mailings.apply().get()

    assert result["reminders"] == 2
