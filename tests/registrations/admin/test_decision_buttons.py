"""The decision buttons on a registration's change page: which appear for which status and
role, and what each POST does (the service's status change, history row and e-mail)."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client

from registrations.models import Registration, RegistrationHistory
from registrations.services import (
    approve_registration,
    check_in_registration,
    reject_registration,
)
from tests.factories import make_category, make_delegate, make_event, make_registration

from .conftest import CHANGELIST, change_url, client_for

pytestmark = pytest.mark.django_db

Status = Registration.Status
Action = RegistrationHistory.Action

BUTTON_LABELS = {
    "approve": "Approve",
    "reject": "Reject…",
    "check-in": "Check in",
    "resend-email": "Send the status e-mail again",
}


def button_url(registration, name: str) -> str:
    return f"{CHANGELIST}{registration.pk}/{name}/"


def buttons_on(page: str) -> set[str]:
    """The decision buttons the change page offers (forms posting to them, or the link)."""
    return set(
        re.findall(r'class="button registration-decision registration-decision-([a-z-]+)"', page)
    )


def reported(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def post(client, capture, url, data=None):
    mail.outbox.clear()
    with capture(execute=True):
        return client.post(url, data or {})


@pytest.fixture
def waitlisted(world, django_capture_on_commit_callbacks) -> Registration:
    """A registration on the waitlist of a full event (its e-mails already delivered)."""
    event = make_event(world.forum_a, title_en="MINEX Europe Summit", capacity=1)
    category = make_category(event, name_en="Delegate")
    with django_capture_on_commit_callbacks(execute=True):
        make_registration(category, delegate=make_delegate("first@example.com"))
        registration = make_registration(
            category,
            delegate=make_delegate("queue@example.com", first_name="Wanda", last_name="Wait"),
        )
    assert registration.status == Status.WAITLISTED
    return registration


def test_buttons_follow_the_status(secretariat_client, secretariat, world, waitlisted):
    pending = world.pending_a
    confirmed = world.confirmed_a
    checked_in = make_registration(world.delegates_a, delegate=make_delegate("here@example.com"))
    check_in_registration(checked_in, acting_user=secretariat)
    rejected = make_registration(world.speakers_a, delegate=make_delegate("no@example.com"))
    reject_registration(rejected, reason="Not a speaker", acting_user=secretariat)

    def shown(registration):
        return buttons_on(secretariat_client.get(change_url(registration)).content.decode())

    assert shown(pending) == {"approve", "reject", "resend-email"}
    assert shown(waitlisted) == {"reject", "resend-email"}
    assert shown(confirmed) == {"check-in", "resend-email"}
    assert shown(checked_in) == {"resend-email"}
    assert shown(rejected) == {"resend-email"}


def test_organisers_see_the_summary_but_no_buttons(people, world):
    page = client_for(people["organiser_a"]).get(change_url(world.pending_a)).content.decode()

    assert 'class="registration-summary"' in page
    assert world.pending_a.reference in page
    assert "Pending approval" in page
    assert buttons_on(page) == set()


def test_organisers_cannot_post_a_button(people, world, django_capture_on_commit_callbacks):
    client = client_for(people["organiser_a"])

    response = post(
        client, django_capture_on_commit_callbacks, button_url(world.pending_a, "approve")
    )

    assert response.status_code == 403
    assert Registration.objects.get(pk=world.pending_a.pk).status == Status.PENDING
    assert mail.outbox == []


def test_another_forums_registration_is_missing(people, world, django_capture_on_commit_callbacks):
    client = client_for(people["organiser_b"])

    response = post(
        client, django_capture_on_commit_callbacks, button_url(world.pending_a, "approve")
    )

    assert response.status_code == 302
    assert Registration.objects.get(pk=world.pending_a.pk).status == Status.PENDING


def test_summary_shows_status_reference_event_category_and_name(secretariat_client, world):
    page = secretariat_client.get(change_url(world.pending_a)).content.decode()

    summary = page[page.index('class="registration-summary"') :]
    summary = summary[: summary.index("</section>")]
    for text in ("Pending approval", world.pending_a.reference, "MINEX Europe 2026", "Speaker"):
        assert text in summary
    assert "Paula Pending" in summary


def test_approve_button_confirms_and_sends_the_confirmation(
    secretariat, secretariat_client, world, django_capture_on_commit_callbacks
):
    registration = world.pending_a

    response = post(
        secretariat_client, django_capture_on_commit_callbacks, button_url(registration, "approve")
    )

    assert response.status_code == 302
    assert response["Location"] == change_url(registration)
    assert Registration.objects.get(pk=registration.pk).status == Status.CONFIRMED
    entry = registration.history.order_by("-at", "-pk").first()
    assert (entry.action, entry.actor, entry.from_status, entry.to_status) == (
        Action.APPROVED,
        secretariat,
        Status.PENDING,
        Status.CONFIRMED,
    )
    assert [message.to for message in mail.outbox] == [["pending@example.com"]]
    assert "confirmed" in mail.outbox[0].subject.lower()
    assert reported(response) == [
        f"Paula Pending's registration {registration.reference} was approved."
    ]


def test_approve_button_on_a_stale_page_reports_and_changes_nothing(
    secretariat, secretariat_client, world, django_capture_on_commit_callbacks
):
    registration = world.confirmed_a  # no approve button: someone confirmed it meanwhile

    response = post(
        secretariat_client, django_capture_on_commit_callbacks, button_url(registration, "approve")
    )

    assert response.status_code == 302
    assert response["Location"] == change_url(registration)
    assert reported(response) == ["This registration is confirmed; this action is not possible."]
    assert registration.history.count() == 1
    assert mail.outbox == []


def test_a_button_answers_get_with_405_and_changes_nothing(secretariat_client, world):
    response = secretariat_client.get(button_url(world.pending_a, "approve"))

    assert response.status_code == 405
    assert Registration.objects.get(pk=world.pending_a.pk).status == Status.PENDING


def test_reject_asks_for_the_reason_then_rejects(
    secretariat, secretariat_client, world, django_capture_on_commit_callbacks
):
    registration = world.pending_a

    form = secretariat_client.get(button_url(registration, "reject"))
    response = post(
        secretariat_client,
        django_capture_on_commit_callbacks,
        button_url(registration, "reject"),
        {"reason": "The speaker programme is complete."},
    )

    assert form.status_code == 200
    assert 'name="reason"' in form.content.decode()
    assert response.status_code == 302
    assert response["Location"] == change_url(registration)
    assert Registration.objects.get(pk=registration.pk).status == Status.REJECTED
    entry = registration.history.order_by("-at", "-pk").first()
    assert (entry.action, entry.actor, entry.reason) == (
        Action.REJECTED,
        secretariat,
        "The speaker programme is complete.",
    )
    assert [message.to for message in mail.outbox] == [["pending@example.com"]]
    assert "The speaker programme is complete." in mail.outbox[0].body
    assert reported(response) == [
        f"Paula Pending's registration {registration.reference} was rejected."
    ]


@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_without_a_reason_asks_again(
    secretariat_client, world, django_capture_on_commit_callbacks, reason
):
    registration = world.pending_a

    response = post(
        secretariat_client,
        django_capture_on_commit_callbacks,
        button_url(registration, "reject"),
        {"reason": reason},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page
    assert 'name="reason"' in page
    assert Registration.objects.get(pk=registration.pk).status == Status.PENDING
    assert registration.history.count() == 1
    assert mail.outbox == []


def test_reject_for_a_confirmed_registration_reports_and_asks_nothing(
    secretariat_client, world, django_capture_on_commit_callbacks
):
    registration = world.confirmed_a

    response = post(
        secretariat_client,
        django_capture_on_commit_callbacks,
        button_url(registration, "reject"),
        {"reason": "Too late"},
    )

    assert response.status_code == 302
    assert reported(response) == ["This registration is confirmed; this action is not possible."]
    assert Registration.objects.get(pk=registration.pk).status == Status.CONFIRMED
    assert mail.outbox == []


def test_check_in_button_records_the_arrival(
    secretariat, secretariat_client, world, django_capture_on_commit_callbacks
):
    registration = world.confirmed_a

    response = post(
        secretariat_client, django_capture_on_commit_callbacks, button_url(registration, "check-in")
    )

    assert response["Location"] == change_url(registration)
    assert Registration.objects.get(pk=registration.pk).checked_in_at is not None
    entry = registration.history.order_by("-at", "-pk").first()
    assert (entry.action, entry.actor) == (Action.CHECKED_IN, secretariat)
    assert reported(response) == ["Conrad Confirmed was checked in."]
    assert mail.outbox == []  # no e-mail for an arrival


def test_check_in_twice_says_when(
    secretariat, secretariat_client, world, django_capture_on_commit_callbacks
):
    registration = world.confirmed_a
    check_in_registration(registration, acting_user=secretariat)

    response = post(
        secretariat_client, django_capture_on_commit_callbacks, button_url(registration, "check-in")
    )

    assert response.status_code == 302
    [message] = reported(response)
    assert message.startswith("Already checked in at ")
    assert registration.history.filter(action=Action.CHECKED_IN).count() == 1


def test_check_in_for_a_pending_registration_is_refused(
    secretariat_client, world, django_capture_on_commit_callbacks
):
    response = post(
        secretariat_client,
        django_capture_on_commit_callbacks,
        button_url(world.pending_a, "check-in"),
    )

    assert reported(response) == [
        "This registration is pending approval; this action is not possible."
    ]
    assert Registration.objects.get(pk=world.pending_a.pk).checked_in_at is None


def test_resend_button_queues_the_status_email_again(
    secretariat, secretariat_client, world, django_capture_on_commit_callbacks
):
    registration = world.pending_a
    approve_registration(registration, acting_user=secretariat)

    response = post(
        secretariat_client,
        django_capture_on_commit_callbacks,
        button_url(registration, "resend-email"),
    )

    assert response["Location"] == change_url(registration)
    entry = registration.history.order_by("-at", "-pk").first()
    assert (entry.action, entry.actor) == (Action.EMAIL_RESENT, secretariat)
    assert [message.to for message in mail.outbox] == [["pending@example.com"]]
    assert "confirmed" in mail.outbox[0].subject.lower()
    assert reported(response) == [
        "The status e-mail to pending@example.com was queued to be sent again."
    ]


def test_buttons_are_translated(secretariat_client, world):
    page = secretariat_client.get(
        change_url(world.pending_a).replace("/en/", "/ru/", 1)
    ).content.decode()

    assert "Ожидает одобрения" in page  # the status in the summary
    assert buttons_on(page) == {"approve", "reject", "resend-email"}


def test_a_button_post_without_the_csrf_token_is_refused(secretariat, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretariat)

    response = client.post(button_url(world.pending_a, "approve"))

    assert response.status_code == 403
    assert Registration.objects.get(pk=world.pending_a.pk).status == Status.PENDING
