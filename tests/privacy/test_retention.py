"""The retention schedule: one test per rule, each run through the beat task's function
(`apply_retention_schedule`) at a chosen moment, and the task registered on beat."""

import datetime
import os

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import DelegateProfile, ProfileHistory, User
from accounts.services import update_profile
from exports.models import ExportLog
from mail.models import OutgoingEmail
from privacy.models import AccountDeletion, InactivityWarning
from privacy.retention import apply_retention_schedule
from registrations.models import Registration
from registrations.services import update_registration_details
from tests.factories import make_category, make_event, make_registration, make_user

pytestmark = pytest.mark.django_db


def test_the_schedule_runs_daily_on_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-apply-retention-schedule"]
    assert entry["task"] == "privacy.tasks.apply_retention_schedule"
    from minex.celery import app

    assert "privacy.tasks.apply_retention_schedule" in app.tasks


def test_needs_are_wiped_the_day_after_the_event_and_not_before(settings):
    settings.PRIVACY_NEEDS_RETENTION_DAYS = 2
    event = make_event()
    registration = make_registration(
        make_category(event), dietary_needs="Halal", accessibility_needs="Wheelchair"
    )
    staff = make_user(is_staff=True)
    update_registration_details(registration, acting_user=staff, dietary_needs="Halal, no nuts")
    later_event = make_event(start_date=event.end_date + datetime.timedelta(days=60))
    later = make_registration(make_category(later_event), dietary_needs="Kosher")
    for delegate, needs in ((registration.delegate, "Halal"), (later.delegate, "Kosher")):
        update_profile(
            delegate,
            channel=ProfileHistory.Channel.PROFILE_PAGE,
            acting_user=delegate,
            dietary_needs=needs,
        )
    last_day = event.end_date

    def at(day):
        return datetime.datetime.combine(day, datetime.time(2), tzinfo=datetime.UTC)

    apply_retention_schedule(at(last_day + datetime.timedelta(days=2)))
    registration.refresh_from_db()
    assert registration.dietary_needs == "Halal, no nuts"  # still within the two days

    summary = apply_retention_schedule(at(last_day + datetime.timedelta(days=3)))
    registration.refresh_from_db()
    assert (registration.dietary_needs, registration.accessibility_needs) == ("", "")
    assert summary["needs_wiped"] == 1
    assert "Halal" not in str(list(registration.history.values_list("details", flat=True)))
    profile = DelegateProfile.objects.get(user=registration.delegate)
    assert (profile.dietary_needs, profile.accessibility_needs) == ("", "")
    assert "Halal" not in str(
        list(ProfileHistory.objects.filter(user=registration.delegate).values("changes"))
    )
    # Another event's registration, still to come, keeps its needs.
    assert Registration.objects.get(pk=later.pk).dietary_needs == "Kosher"
    assert DelegateProfile.objects.get(user=later.delegate).dietary_needs == "Kosher"


def test_mail_bodies_are_emptied_after_n_days(settings, django_capture_on_commit_callbacks):
    settings.PRIVACY_MAIL_BODY_RETENTION_DAYS = 30
    with django_capture_on_commit_callbacks(execute=True):
        registration = make_registration()
    emails = OutgoingEmail.objects.filter(recipient=registration.email)
    assert emails.exists() and all(email.body_text for email in emails)
    sent_at = emails.first().created_at

    apply_retention_schedule(sent_at + datetime.timedelta(days=29))
    assert all(email.body_text for email in emails.all())

    summary = apply_retention_schedule(sent_at + datetime.timedelta(days=31))
    # The delegate's e-mails and the secretariat's notification.
    assert summary["mail_bodies_emptied"] == OutgoingEmail.objects.count() > emails.count()
    for email in emails.all():
        assert (email.body_text, email.body_html, email.prebuilt_message) == ("", "", None)
        assert email.subject and email.status == OutgoingEmail.Status.SENT  # the log stays


def test_export_files_are_deleted_after_their_retention(settings, tmp_path):
    settings.EXPORTS_FILE_RETENTION_HOURS = 48
    event = make_event()
    finished = timezone.now()
    export = ExportLog.objects.create(
        user=make_user(is_staff=True),
        event=event,
        format="xlsx",
        columns=[],
        language="en",
        status="done",
        finished_at=finished,
    )
    export.file.save("attendees.xlsx", ContentFile(b"x"))
    path = export.file.path

    apply_retention_schedule(finished + datetime.timedelta(hours=47))
    assert ExportLog.objects.get(pk=export.pk).file

    apply_retention_schedule(finished + datetime.timedelta(hours=49))
    assert not ExportLog.objects.get(pk=export.pk).file
    assert not os.path.exists(path)


def test_inactive_accounts_are_warned_then_deleted_unless_they_sign_in(
    settings, django_capture_on_commit_callbacks
):
    settings.PRIVACY_INACTIVE_ACCOUNT_YEARS = 3
    settings.PRIVACY_INACTIVITY_WARNING_DAYS = 30
    with django_capture_on_commit_callbacks(execute=True):
        sleeper = make_registration()
        returning = make_registration()
    last = max(sleeper.created_at, returning.created_at)
    three_years = last.replace(year=last.year + 3)
    staff = make_user(is_staff=True)
    User.objects.filter(pk=staff.pk).update(date_joined=last - datetime.timedelta(days=5000))

    # 31 days before the limit: nothing yet.
    apply_retention_schedule(three_years - datetime.timedelta(days=31))
    assert not InactivityWarning.objects.exists()

    # Within the warning period: one warning e-mail each, in their language, once.
    with django_capture_on_commit_callbacks(execute=True):
        warned_at = three_years - datetime.timedelta(days=29)
        assert apply_retention_schedule(warned_at)["inactivity_warnings"] == 2
        assert apply_retention_schedule(warned_at)["inactivity_warnings"] == 0
    warning = OutgoingEmail.objects.get(
        kind="privacy.inactivity_warning", recipient=sleeper.delegate.email
    )
    assert "will be deleted" in warning.subject
    assert reverse("account_login") in warning.body_text
    assert not InactivityWarning.objects.filter(user=staff).exists()  # staff never

    # One of them signs in after the warning.
    User.objects.filter(pk=returning.delegate_id).update(
        last_login=warned_at + datetime.timedelta(days=1)
    )

    # At the limit but the warning is not 30 days old yet: nobody deleted.
    assert apply_retention_schedule(three_years)["inactive_accounts_deleted"] == 0
    # 30 days after the warning: the one who stayed away is deleted, the other is not.
    with django_capture_on_commit_callbacks(execute=True):
        summary = apply_retention_schedule(warned_at + datetime.timedelta(days=30))
    assert summary["inactive_accounts_deleted"] == 1
    deletion = AccountDeletion.objects.get()
    assert deletion.user_id == sleeper.delegate_id
    assert deletion.reason == AccountDeletion.Reason.INACTIVE
    assert not User.objects.get(pk=sleeper.delegate_id).is_active
    assert User.objects.get(pk=returning.delegate_id).is_active
    assert OutgoingEmail.objects.filter(kind="privacy.account_deleted").count() == 1


def test_the_privacy_page_documents_the_schedule(client, settings):
    settings.PRIVACY_MAIL_BODY_RETENTION_DAYS = 45
    settings.PRIVACY_INACTIVE_ACCOUNT_YEARS = 4
    page = client.get(reverse("privacy_policy"))
    assert page.status_code == 200
    assert "Retention schedule" in page.text
    assert "deleted 45 days after sending" in page.text
    assert "for 4 years: deleted, after a warning e-mail 30 days before" in page.text
    assert "tax law" in page.text
    for language in ("ru", "kk"):
        with translation.override(language):
            assert client.get(reverse("privacy_policy")).status_code == 200
