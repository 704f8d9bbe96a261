"""Each bulk action through the changelist: what it changed, what it reported, which
e-mails left (after commit, to whom)."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail

from mail.models import OutgoingEmail
from registrations.models import Registration, RegistrationHistory
from registrations.services import cancel_registration
from tests.factories import make_category, make_delegate, make_registration

from .conftest import CHANGELIST

pytestmark = pytest.mark.django_db

Status = Registration.Status
Action = RegistrationHistory.Action


def run_action(client, capture, action, registrations, *, query="", **extra):
    data = {
        "action": action,
        "_selected_action": [registration.pk for registration in registrations],
        "index": "0",
        **extra,
    }
    mail.outbox.clear()
    with capture(execute=True):
        response = client.post(CHANGELIST + query, data)
    return response


def reported(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def reload(registration) -> Registration:
    return Registration.objects.get(pk=registration.pk)


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.fixture
def approvals(world, django_capture_on_commit_callbacks):
    """Two pending registrations and one that was pending and is now cancelled (their
    e-mails delivered now, so the outbox holds only what the action sends)."""
    with django_capture_on_commit_callbacks(execute=True):
        second = make_registration(
            world.speakers_a, delegate=make_delegate("second@example.com", last_name="Second")
        )
        gone = make_registration(
            world.speakers_a, delegate=make_delegate("gone@example.com", last_name="Gone")
        )
        cancel_registration(gone, acting_user=None)
    return [world.pending_a, second, gone]


def test_approve_confirms_reports_skips_and_mails_the_delegates(
    secretariat_client, approvals, django_capture_on_commit_callbacks
):
    query = f"?event__id__exact={approvals[0].event_id}"
    response = run_action(
        secretariat_client,
        django_capture_on_commit_callbacks,
        "approve_selected",
        approvals,
        query=query,
    )

    # Back to the changelist with its filters.
    assert response.status_code == 302
    assert response["Location"] == CHANGELIST + query
    assert [reload(r).status for r in approvals] == ["confirmed", "confirmed", "cancelled"]
    assert reported(response) == [
        "2 registrations approved.",
        "1 skipped: This registration is cancelled; this action is not possible.",
    ]
    assert recipients() == ["pending@example.com", "second@example.com"]
    assert all("confirmed" in message.subject.lower() for message in mail.outbox)
    confirmed_rows = OutgoingEmail.objects.filter(
        kind="registration.confirmed", related_id__in=[str(r.pk) for r in approvals]
    )
    assert sorted(confirmed_rows.values_list("recipient", flat=True)) == [
        "pending@example.com",
        "second@example.com",
    ]
    entry = reload(approvals[0]).history.order_by("-at", "-pk").first()
    assert (entry.action, entry.actor.email) == (Action.APPROVED, "secretariat@minexforum.com")


def test_reject_asks_for_the_reason_first(secretariat_client, world):
    response = secretariat_client.post(
        CHANGELIST,
        {"action": "reject_selected", "_selected_action": [world.pending_a.pk], "index": "0"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="reason"' in page
    assert world.pending_a.reference in page
    assert reload(world.pending_a).status == Status.PENDING


def test_reject_without_a_reason_asks_again(
    secretariat_client, world, django_capture_on_commit_callbacks
):
    response = run_action(
        secretariat_client,
        django_capture_on_commit_callbacks,
        "reject_selected",
        [world.pending_a],
        apply="yes",
        reason="  ",
    )

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert reload(world.pending_a).status == Status.PENDING
    assert mail.outbox == []


def test_reject_with_a_reason_rejects_and_quotes_it(
    secretariat_client, world, django_capture_on_commit_callbacks
):
    response = run_action(
        secretariat_client,
        django_capture_on_commit_callbacks,
        "reject_selected",
        [world.pending_a, world.confirmed_a],
        apply="yes",
        reason="The speaker programme is complete.",
    )

    assert response.status_code == 302
    assert reload(world.pending_a).status == Status.REJECTED
    assert reload(world.confirmed_a).status == Status.CONFIRMED
    assert reported(response) == [
        "1 registration rejected.",
        "1 skipped: This registration is confirmed; this action is not possible.",
    ]
    assert recipients() == ["pending@example.com"]
    assert "The speaker programme is complete." in mail.outbox[0].body
    entry = reload(world.pending_a).history.order_by("-at", "-pk").first()
    assert entry.reason == "The speaker programme is complete."


def test_promote_takes_a_free_place_and_skips_when_full(
    secretariat_client, world, django_capture_on_commit_callbacks
):
    small = make_category(world.event_a, name_en="Small", capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        holder = make_registration(small, delegate=make_delegate("holder@example.com"))
        first = make_registration(small, delegate=make_delegate("first@example.com"))
        second = make_registration(small, delegate=make_delegate("second@example.com"))
    assert [first.status, second.status] == ["waitlisted", "waitlisted"]
    # The holder's place frees without the automatic promotion a cancellation would run
    # (arranging the state; the action is what is tested).
    Registration.objects.filter(pk=holder.pk).update(status=Status.CANCELLED)

    response = run_action(
        secretariat_client, django_capture_on_commit_callbacks, "promote_selected", [first, second]
    )

    assert [reload(first).status, reload(second).status] == ["confirmed", "waitlisted"]
    assert reported(response) == [
        "1 registration promoted from the waitlist.",
        "1 skipped: This category is full.",
    ]
    assert recipients() == ["first@example.com"]


def test_cancel_frees_the_place_and_mails_the_delegate(
    secretariat_client, world, django_capture_on_commit_callbacks
):
    response = run_action(
        secretariat_client,
        django_capture_on_commit_callbacks,
        "cancel_selected",
        [world.confirmed_a, world.pending_a],
    )

    assert [reload(world.confirmed_a).status, reload(world.pending_a).status] == [
        "cancelled",
        "cancelled",
    ]
    assert reported(response) == ["2 registrations cancelled."]
    assert recipients() == ["confirmed@example.com", "pending@example.com"]
    # Staff cancelled: no notification to the secretariat.
    assert not OutgoingEmail.objects.filter(kind="registration.secretariat.cancelled").exists()


def test_resend_queues_the_current_status_email_and_records_it(
    secretariat_client, world, django_capture_on_commit_callbacks
):
    response = run_action(
        secretariat_client,
        django_capture_on_commit_callbacks,
        "resend_email_selected",
        [world.confirmed_a, world.pending_a],
    )

    assert reported(response) == ["2 e-mails queued to be sent again."]
    assert recipients() == ["confirmed@example.com", "pending@example.com"]
    kinds = set(
        OutgoingEmail.objects.filter(recipient="confirmed@example.com").values_list(
            "kind", flat=True
        )
    )
    assert kinds == {"registration.confirmed"}
    confirmation = next(m for m in mail.outbox if m.to == ["confirmed@example.com"])
    assert [a[0] for a in confirmation.attachments][0].endswith(".ics")
    entry = reload(world.confirmed_a).history.order_by("-at", "-pk").first()
    assert entry.action == Action.EMAIL_RESENT
    assert entry.details == {"template": "confirmed"}


def test_check_in_records_arrival_and_skips_the_unconfirmed(
    secretariat_client, world, django_capture_on_commit_callbacks
):
    response = run_action(
        secretariat_client,
        django_capture_on_commit_callbacks,
        "check_in_selected",
        [world.confirmed_a, world.pending_a],
    )

    assert reload(world.confirmed_a).checked_in_at is not None
    assert reload(world.pending_a).checked_in_at is None
    assert reported(response) == [
        "1 delegate checked in.",
        "1 skipped: This registration is pending approval; this action is not possible.",
    ]
    assert mail.outbox == []


def test_an_action_on_another_forums_ids_changes_nothing(
    people, world, django_capture_on_commit_callbacks
):
    """An organiser of forum B given change rights selects forum A's registration by id."""
    from django.contrib.auth.models import Permission

    from .conftest import client_for

    editor = people["organiser_b"]
    editor.user_permissions.add(Permission.objects.get(codename="change_registration"))
    response = run_action(
        client_for(editor),
        django_capture_on_commit_callbacks,
        "approve_selected",
        [world.pending_a],
    )

    assert reload(world.pending_a).status == Status.PENDING
    assert reported(response) == ["0 registrations approved."]
    assert mail.outbox == []


def test_reject_page_posts_back_what_the_rejection_needs(
    secretariat_client, world, django_capture_on_commit_callbacks
):
    """The reason page's own form (hidden fields as rendered, no "index") completes it."""
    import re

    page = secretariat_client.post(
        CHANGELIST,
        {"action": "reject_selected", "_selected_action": [world.pending_a.pk], "index": "0"},
    ).content.decode()
    form = page[page.index('<form method="post">') :]
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    data: dict[str, list[str]] = {}
    for name, value in hidden:
        data.setdefault(name, []).append(value)
    data["reason"] = ["Programme complete."]

    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(CHANGELIST, data)

    assert response.status_code == 302
    assert reload(world.pending_a).status == Status.REJECTED
    assert reported(response) == ["1 registration rejected."]
