"""The door's rules (checkin.services.scan_badge): each colour and each reason, with what the
door's screen says and what the database keeps."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from badges.services import reissue_badge
from billing.models import EventBilling
from checkin.models import Scan, Zone
from checkin.services import CheckinError, ensure_entrance, scan_badge, token_hash, undo_scan
from registrations.models import Registration, RegistrationHistory
from registrations.services import (
    cancel_registration,
    check_in_registration,
    reject_registration,
)
from tests.factories import make_category, make_event, make_registration

from .conftest import token_of

Outcome = Scan.Outcome


def scan(event, token, door, zone=None, **kwargs):
    return scan_badge(
        event=event, zone=zone or ensure_entrance(event), token=token, actor=door, **kwargs
    )


def test_first_scan_admits_and_checks_in_then_second_is_already(event, delegate_registration, door):
    token = token_of(delegate_registration)

    first = scan(event, token, door)
    second = scan(event, token, door)

    assert (first.outcome, first.colour) == ("admitted", "green")
    assert first.message == "Checked in: Әйгерім Нұрланқызы."
    assert first.undo_until is not None
    delegate_registration.refresh_from_db()
    assert delegate_registration.checked_in_at == first.scan.scanned_at
    assert RegistrationHistory.objects.filter(
        registration=delegate_registration, action="checked_in", actor=door
    ).exists()
    assert (second.outcome, second.colour) == ("already", "amber")
    local = first.scan.scanned_at.astimezone(event.tz)
    assert second.message == (
        f"Already checked in at {local:%H:%M} (Asia/Almaty, UTC+5) by door@minexforum.com."
    )
    assert second.as_json()["undo_until"] is None
    assert second.as_json()["delegate"]["name"] == "Әйгерім Нұрланқызы"
    # Both recorded, the token never stored, only its hash.
    scans = Scan.objects.filter(registration=delegate_registration)
    assert scans.count() == 2
    assert {s.token_hash for s in scans} == {token_hash(token)}
    assert not Scan.objects.filter(token_hash=token).exists()


def test_staff_name_from_their_profile(event, delegate_registration, door):
    from tests.factories import make_profile

    make_profile(door, first_name="Dana", last_name="Sultan")
    token = token_of(delegate_registration)
    scan(event, token, door)

    assert "by Dana Sultan." in scan(event, token, door).message


@pytest.mark.parametrize(
    ("token", "reason", "message"),
    [
        ("not-a-token", "forged", "Not a badge of this portal: the code is forged or damaged."),
        ("A" * 22 + "." + "B" * 16, "forged", "Not a badge of this portal"),
        ("", "forged", "Not a badge of this portal"),
    ],
)
def test_forged_or_garbled_tokens_are_refused_and_recorded(event, door, token, reason, message):
    result = scan(event, token, door)

    assert (result.outcome, result.colour, result.scan.reason) == ("refused", "red", reason)
    assert result.message.startswith(message)
    assert result.as_json()["delegate"] is None
    assert Scan.objects.get(pk=result.scan.pk).registration is None


def test_token_with_one_character_changed_is_forged(event, delegate_registration, door):
    token = token_of(delegate_registration)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert scan(event, tampered, door).scan.reason == "forged"


def test_reissued_badges_old_token_is_refused_new_one_admits(event, delegate_registration, door):
    old = token_of(delegate_registration)
    reissue_badge(delegate_registration.badge, acting_user=door, reason="Lost")
    new = token_of(delegate_registration)

    refused = scan(event, old, door)
    admitted = scan(event, new, door)

    assert (refused.outcome, refused.scan.reason) == ("refused", "reissued")
    assert refused.message == "This badge was replaced by a newer one and is no longer valid."
    assert admitted.outcome == "admitted"


def test_badge_of_another_event_is_refused_naming_it(event, door):
    other = make_event(title_en="MINEX Europe 2026")
    registration = make_registration(make_category(other, price=0))

    result = scan(event, token_of(registration), door)

    assert (result.outcome, result.scan.reason) == ("refused", "wrong_event")
    assert result.message == "This badge is for another event: MINEX Europe 2026."
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_statuses_that_may_not_enter(event, category, door, secretariat_user):
    cancelled = make_registration(category)
    cancel_registration(cancelled, acting_user=secretariat_user)
    rejected_category = make_category(event, price=0, requires_approval=True)
    rejected = make_registration(rejected_category)
    pending = make_registration(rejected_category)
    reject_registration(rejected, acting_user=secretariat_user, reason="No")
    full = make_category(event, price=0, capacity=1)
    make_registration(full)
    waitlisted = make_registration(full)
    assert waitlisted.status == Registration.Status.WAITLISTED

    answers = {
        name: scan(event, token_of(r), door)
        for name, r in {
            "cancelled": cancelled,
            "rejected": rejected,
            "pending": pending,
            "waitlisted": waitlisted,
        }.items()
    }

    assert {name: (a.outcome, a.scan.reason) for name, a in answers.items()} == {
        "cancelled": ("refused", "cancelled"),
        "rejected": ("refused", "rejected"),
        "pending": ("refused", "pending"),
        "waitlisted": ("refused", "waitlisted"),
    }
    assert answers["cancelled"].message == "This registration was cancelled."
    assert answers["waitlisted"].message == "This delegate is on the waitlist, not confirmed."
    assert not Registration.objects.filter(event=event, checked_in_at__isnull=False).exists()


@pytest.fixture
def secretariat_user(db):
    from tests.factories import make_user

    return make_user("sec-rules@example.com", is_staff=True)


def test_unpaid_refused_only_where_the_event_requires_payment(event, door, secretariat_user):
    paid_category = make_category(event, price=Decimal("500.00"))
    registration = make_registration(paid_category)  # no issuer: never invoiced, owes
    free = make_registration(make_category(event, price=0))

    before = scan(event, token_of(registration), door)
    undo_scan(before.scan, door)
    EventBilling.objects.create(event=event, payment_required_for_check_in=True)
    after = scan(event, token_of(registration), door)
    free_answer = scan(event, token_of(free), door)

    assert before.outcome == "admitted"
    assert (after.outcome, after.scan.reason) == ("refused", "unpaid")
    assert after.message == "Not paid: this event requires payment before check-in."
    assert free_answer.outcome == "admitted"


def test_zones_admit_by_category(event, category, delegate_registration, door):
    speakers = make_category(event, name_en="Speaker", price=0)
    speaker = make_registration(speakers)
    gala = Zone.objects.create(event=event, name_en="Gala dinner", name_ru="Гала-ужин")
    gala.categories.set([speakers])

    delegate_at_gala = scan(event, token_of(delegate_registration), door, zone=gala)
    speaker_at_gala = scan(event, token_of(speaker), door, zone=gala)
    speaker_again = scan(event, token_of(speaker), door, zone=gala)
    speaker_at_entrance = scan(event, token_of(speaker), door)

    assert (delegate_at_gala.outcome, delegate_at_gala.scan.reason) == ("refused", "category")
    assert delegate_at_gala.message == "The category Delegate is not admitted to Gala dinner."
    assert speaker_at_gala.outcome == "admitted"
    assert speaker_at_gala.message == "Admitted to Gala dinner: Aigerim Nurlanova."
    assert speaker_again.outcome == "already"
    assert speaker_again.message.startswith("Already admitted to Gala dinner at ")
    # A zone's admission is not the event's check-in; the entrance's is.
    assert speaker_at_entrance.outcome == "admitted"


def test_entrance_checked_in_by_the_admin_answers_already(event, delegate_registration, door):
    check_in_registration(delegate_registration, acting_user=door)

    result = scan(event, token_of(delegate_registration), door)

    assert result.outcome == "already"
    assert result.message.startswith("Already checked in at ")


def test_every_event_has_exactly_one_entrance(event):
    first = ensure_entrance(event)

    assert ensure_entrance(event) == first
    assert Zone.objects.filter(event=event, is_entrance=True).count() == 1
    assert first.label == "Entrance"


# Undo ----------------------------------------------------------------------------------------


def test_undo_within_the_window_clears_the_check_in(event, delegate_registration, door):
    admitted = scan(event, token_of(delegate_registration), door)

    undone = undo_scan(admitted.scan, door)

    delegate_registration.refresh_from_db()
    assert delegate_registration.checked_in_at is None
    assert undone.as_json()["undone"] is True
    assert RegistrationHistory.objects.filter(
        registration=delegate_registration, action="check_in_undone"
    ).exists()
    # Scanned again: admitted again, and the undone scan is still recorded.
    assert scan(event, token_of(delegate_registration), door).outcome == "admitted"
    assert Scan.objects.filter(registration=delegate_registration).count() == 2


def test_undo_window_edges(event, delegate_registration, door, settings):
    settings.CHECKIN_UNDO_SECONDS = 60
    admitted = scan(event, token_of(delegate_registration), door)
    just_inside = timezone.now() - datetime.timedelta(seconds=59)
    Scan.objects.filter(pk=admitted.scan.pk).update(scanned_at=just_inside)
    admitted.scan.refresh_from_db()
    undo_scan(admitted.scan, door)

    again = scan(event, token_of(delegate_registration), door)
    Scan.objects.filter(pk=again.scan.pk).update(
        scanned_at=timezone.now() - datetime.timedelta(seconds=61)
    )
    again.scan.refresh_from_db()
    with pytest.raises(CheckinError) as refused:
        undo_scan(again.scan, door)

    assert str(refused.value.message) == (
        "Too late to undo: an admission can be undone within 60 seconds."
    )
    delegate_registration.refresh_from_db()
    assert delegate_registration.checked_in_at is not None


def test_undo_twice_or_of_a_refusal_is_refused(event, delegate_registration, door):
    admitted = scan(event, token_of(delegate_registration), door)
    undo_scan(admitted.scan, door)
    refused = scan(event, "garbage", door)

    with pytest.raises(CheckinError, match="already undone"):
        undo_scan(admitted.scan, door)
    with pytest.raises(CheckinError, match="Only an admission"):
        undo_scan(refused.scan, door)
