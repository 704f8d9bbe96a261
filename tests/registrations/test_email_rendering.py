"""A registration's e-mails are rendered after its commit, outside the event lock, and are
never lost: not when the process dies right after the commit, not when rendering fails."""

import os
import signal
import subprocess
import sys

import pytest
from django.db import transaction
from django.test.signals import template_rendered

from mail.models import OutgoingEmail
from mail.services import resend_email
from mail.tasks import dispatch_due_emails
from registrations import emails
from registrations.models import Registration
from tests.factories import make_category, make_delegate, make_event, make_forum, make_user
from tests.processes import ROOT

from .test_concurrency import test_database_url

SECRETARIAT = "astana@minexforum.example"


@pytest.fixture
def category():
    event = make_event(forum=make_forum(code="AST", secretariat_email=SECRETARIAT))
    return make_category(event)


@pytest.mark.django_db
def test_register_renders_no_template_before_commit(category, django_capture_on_commit_callbacks):
    from registrations.services import register_delegate

    rendered = []

    def record(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            registration, _ = register_delegate(
                category.event,
                delegate=make_delegate(),
                category=category,
                consent_privacy=True,
                language="ru",
            )
        in_transaction = list(rendered)
        rows = list(OutgoingEmail.objects.filter(related_id=str(registration.pk)))
        for callback in callbacks:
            callback()
    finally:
        template_rendered.disconnect(record)

    # Under the event lock: two rows carrying their intent, nothing rendered.
    assert in_transaction == []
    assert {row.status for row in rows} == {OutgoingEmail.Status.RENDERING}
    assert {row.subject for row in rows} == {""}
    # After commit: rendered in the registration's language, and sent.
    delegate_email = OutgoingEmail.objects.get(recipient=registration.email)
    assert delegate_email.status == OutgoingEmail.Status.SENT
    assert delegate_email.subject.startswith("Регистрация подтверждена")
    assert registration.reference in delegate_email.subject


@pytest.mark.django_db(transaction=True)
def test_emails_of_a_registration_whose_process_died_after_commit_still_go_out(
    category, mailoutbox
):
    delegate = make_delegate()

    completed = subprocess.run(
        [sys.executable, "-m", "tests.registrations.register_and_die",
         str(delegate.pk), str(category.pk), "ru"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": test_database_url(),
             "DJANGO_SETTINGS_MODULE": "minex.settings.test"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert completed.returncode == -signal.SIGKILL, completed.stderr[-2000:]
    registration = Registration.objects.get(delegate=delegate)
    assert registration.status == Registration.Status.CONFIRMED
    assert mailoutbox == []

    # Beat's periodic job, twice: the second run finds nothing left to do.
    dispatch_due_emails.apply()
    dispatch_due_emails.apply()

    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [registration.email, SECRETARIAT]
    )
    (to_delegate,) = [message for message in mailoutbox if message.to == [registration.email]]
    assert to_delegate.subject == (
        f"Регистрация подтверждена: {category.event.title} ({registration.reference})"
    )
    assert [attachment[2] for attachment in to_delegate.attachments] == ["text/calendar"]
    (to_secretariat,) = [message for message in mailoutbox if message.to == [SECRETARIAT]]
    assert to_secretariat.subject.startswith(f"New registration: {registration.reference}")
    assert set(
        OutgoingEmail.objects.filter(related_id=str(registration.pk)).values_list(
            "status", flat=True
        )
    ) == {OutgoingEmail.Status.SENT}


@pytest.mark.django_db
def test_email_that_cannot_be_rendered_is_marked_failed_and_can_be_resent(
    category, django_capture_on_commit_callbacks, mailoutbox
):
    from registrations.services import register_delegate

    registration, _ = register_delegate(
        category.event, delegate=make_delegate(), category=category, consent_privacy=True,
        language="en", notify=False,
    )  # fmt: skip
    broken = emails._delegate_intent(registration, "confirmed")
    broken = type(broken)(**{**broken.__dict__, "template": "registrations/emails/missing"})

    with django_capture_on_commit_callbacks(execute=True):
        from mail.services import queue_emails_to_render

        (row,) = queue_emails_to_render([broken])

    row.refresh_from_db()
    assert row.status == OutgoingEmail.Status.FAILED
    assert row.fault == OutgoingEmail.Fault.RENDERING
    assert "TemplateDoesNotExist" in row.last_error
    assert mailoutbox == []

    # The staff's "resend" renders it again (it still fails: the reason stays visible).
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        resend_email(row, acting_user=make_user())
    row.refresh_from_db()
    assert row.status == OutgoingEmail.Status.FAILED
    assert row.render_intent["template"] == "registrations/emails/missing"
