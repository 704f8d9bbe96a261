"""register_delegate: the window, the category, capacity, the waitlist, replays, snapshots."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from events.models import Event
from legal.policies import current_privacy_policy
from registrations.models import Registration, RegistrationHistory
from registrations.selectors import waitlist_position
from registrations.services import (
    REFERENCE_ALPHABET,
    CategoryClosed,
    CategoryFull,
    CategoryNotInEvent,
    ConsentRequired,
    EventFull,
    ProfileIncomplete,
    RegistrationClosed,
    register_delegate,
)
from tests.factories import (
    make_category,
    make_delegate,
    make_event,
    make_forum,
    make_registration,
    make_user,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status


def register(category, delegate=None, **fields):
    values = {"consent_privacy": True, "language": "en"}
    values.update(fields)
    return register_delegate(
        category.event, delegate=delegate or make_delegate(), category=category, **values
    )


def test_register_confirms_when_places_are_free():
    category = make_category()

    registration, created = register(category)

    assert created is True
    assert registration.status == Status.CONFIRMED
    assert registration.waitlisted_at is None


def test_register_in_approval_category_is_pending():
    category = make_category(requires_approval=True)

    registration, _ = register(category)

    assert registration.status == Status.PENDING


def test_register_copies_profile_category_and_consent():
    category = make_category(
        name_en="Delegate",
        name_ru="Делегат",
        price=Decimal("1000.00"),
        early_bird_price=Decimal("800.00"),
        early_bird_deadline=timezone.now() + datetime.timedelta(days=5),
        currency="GBP",
    )
    delegate = make_delegate(first_name="Айгерим", last_name="Нурланова", organisation="ТОО Степь")

    registration, _ = register(
        category,
        delegate,
        language="ru",
        dietary_needs="Vegetarian\nNo nuts",
        visa_letter_needed=True,
        nationality="KZ",
        consent_attendee_list=True,
        how_heard=Registration.HowHeard.COLLEAGUE,
    )

    registration.refresh_from_db()
    assert (registration.first_name, registration.last_name) == ("Айгерим", "Нурланова")
    assert registration.organisation == "ТОО Степь"
    assert registration.latin_name == "Aigerim Nurlanova"
    assert registration.email == delegate.email
    assert str(registration.phone) == "+77012345678"
    assert registration.country.code == "KZ"
    assert registration.category_name == "Delegate"
    assert (registration.price, registration.currency) == (Decimal("800.00"), "GBP")
    assert registration.early_bird is True
    assert registration.privacy_policy_version == current_privacy_policy().version
    assert registration.consent_privacy_at is not None
    assert registration.consent_attendee_list is True
    assert registration.consent_marketing is False
    assert registration.dietary_needs == "Vegetarian\nNo nuts"
    assert registration.nationality.code == "KZ"
    assert registration.language == "ru"


def test_register_after_early_bird_deadline_pays_full_price():
    category = make_category(
        price=Decimal("1000.00"),
        early_bird_price=Decimal("800.00"),
        early_bird_deadline=timezone.now() - datetime.timedelta(minutes=1),
    )

    registration, _ = register(category)

    assert registration.price == Decimal("1000.00")
    assert registration.early_bird is False


def test_later_profile_change_does_not_rewrite_the_registration():
    from accounts.services import update_profile

    delegate = make_delegate(organisation="Old LLP")
    registration, _ = register(make_category(), delegate)

    update_profile(delegate, channel="profile_page", organisation="New LLP")

    registration.refresh_from_db()
    assert registration.organisation == "Old LLP"


def test_reference_has_year_forum_code_and_unambiguous_characters():
    event = make_event(forum=make_forum(code="AST"), start_date=datetime.date(2026, 12, 1))
    registration, _ = register(make_category(event))

    prefix, code, random_part = registration.reference.split("-")
    assert (prefix, code) == ("MX26", "AST")
    assert len(random_part) == 5
    assert set(random_part) <= set(REFERENCE_ALPHABET)
    assert not set("0O1IL") & set(REFERENCE_ALPHABET)


def test_reference_collision_draws_again(monkeypatch):
    from registrations import services

    category = make_category()
    first, _ = register(category)
    # The first draw repeats an existing reference; the service must draw again. (Patching
    # the random source, not our own code: the rule under test is the retry.)
    draws = iter(list(first.reference.split("-")[2]) + list("ABCDE"))
    choice = services.secrets.choice
    monkeypatch.setattr(
        services.secrets,
        "choice",
        lambda alphabet: next(draws) if alphabet == REFERENCE_ALPHABET else choice(alphabet),
    )

    second, _ = register(category)

    assert second.reference.endswith("-ABCDE")


def test_replayed_submission_returns_the_existing_registration():
    category = make_category()
    delegate = make_delegate()
    first, created_first = register(category, delegate)

    again, created_again = register(category, delegate)

    assert (created_first, created_again) == (True, False)
    assert again.pk == first.pk
    assert Registration.objects.filter(delegate=delegate).count() == 1
    assert RegistrationHistory.objects.filter(registration=first).count() == 1


def test_replay_in_another_category_of_the_same_event_returns_the_existing_one():
    category = make_category()
    other = make_category(category.event)
    delegate = make_delegate()
    first, _ = register(category, delegate)

    again, created = register(other, delegate)

    assert created is False
    assert again.pk == first.pk


def test_database_refuses_a_second_active_registration():
    first = make_registration()
    duplicate = Registration.objects.get(pk=first.pk)
    duplicate.pk = None
    duplicate.reference = "MX26-XXX-22222"

    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save(force_insert=True)


def test_delegate_can_register_again_after_cancelling():
    from registrations.services import cancel_registration

    category = make_category()
    delegate = make_delegate()
    first, _ = register(category, delegate)
    cancel_registration(first, acting_user=delegate)

    second, created = register(category, delegate)

    assert created is True
    assert second.pk != first.pk
    assert second.status == Status.CONFIRMED


@pytest.mark.parametrize(
    "event_fields",
    [
        {"status": Event.Status.DRAFT},
        {"status": Event.Status.ARCHIVED},
        {"registration_opens_at": timezone.now() + datetime.timedelta(days=1)},
        {
            "registration_opens_at": timezone.now() - datetime.timedelta(days=5),
            "registration_closes_at": timezone.now() - datetime.timedelta(days=1),
        },
    ],
    ids=["draft", "archived", "not-yet-open", "closed"],
)
def test_register_outside_the_window_is_refused(event_fields):
    category = make_category(make_event(**event_fields))

    with pytest.raises(RegistrationClosed):
        register(category)

    assert not Registration.objects.exists()


def test_register_in_closed_category_is_refused():
    category = make_category(is_open=False)

    with pytest.raises(CategoryClosed):
        register(category)


def test_secretariat_overrides_window_and_closed_category_and_it_is_recorded():
    staff = make_user(is_staff=True)
    category = make_category(make_event(status=Event.Status.DRAFT), is_open=False)

    registration, _ = register(category, acting_user=staff, override_window=True)

    entry = registration.history.get()
    assert registration.status == Status.CONFIRMED
    assert entry.actor == staff
    assert entry.details == {"override_window": True, "on_behalf_of_delegate": True}


def test_category_of_another_event_is_refused():
    category = make_category()
    other_event = make_event()

    with pytest.raises(CategoryNotInEvent):
        register_delegate(
            other_event,
            delegate=make_delegate(),
            category=category,
            consent_privacy=True,
            language="en",
        )


def test_register_without_privacy_consent_is_refused():
    with pytest.raises(ConsentRequired):
        register(make_category(), consent_privacy=False)


def test_register_without_profile_is_refused():
    with pytest.raises(ProfileIncomplete):
        register(make_category(), make_user())


def test_visa_letter_without_nationality_is_refused():
    with pytest.raises(ValidationError):
        register(make_category(), visa_letter_needed=True)


def test_visa_letter_without_latin_name_is_refused_by_the_service():
    delegate = make_delegate(latin_name="")

    with pytest.raises(ValidationError) as refused:
        register(make_category(), delegate, visa_letter_needed=True, nationality="KZ")

    assert "latin_name" in refused.value.message_dict
    assert not Registration.objects.filter(delegate=delegate).exists()


def test_secretariat_cannot_ask_for_a_visa_letter_without_the_latin_name():
    from registrations.services import update_registration_details

    registration = make_registration(delegate=make_delegate(latin_name=""))

    with pytest.raises(ValidationError) as refused:
        update_registration_details(
            registration,
            acting_user=make_user(is_staff=True),
            visa_letter_needed=True,
            nationality="KZ",
        )

    assert "latin_name" in refused.value.message_dict
    registration.refresh_from_db()
    assert registration.visa_letter_needed is False


def test_overlong_dietary_needs_are_refused():
    with pytest.raises(ValidationError):
        register(make_category(), dietary_needs="x" * 501)
    assert not Registration.objects.exists()


def test_full_event_waitlists_with_positions():
    category = make_category(make_event(capacity=1))
    register(category)

    second, _ = register(category)
    third, _ = register(category)

    assert (second.status, third.status) == (Status.WAITLISTED, Status.WAITLISTED)
    assert (waitlist_position(second), waitlist_position(third)) == (1, 2)


def test_full_category_waitlists_even_when_event_has_places():
    category = make_category(make_event(capacity=10), capacity=1)
    other = make_category(category.event)
    register(category)

    waitlisted, _ = register(category)
    elsewhere, _ = register(other)

    assert waitlisted.status == Status.WAITLISTED
    assert elsewhere.status == Status.CONFIRMED


def test_pending_registrations_hold_places():
    category = make_category(make_event(capacity=1), requires_approval=True)
    register(category)

    second, _ = register(category)

    assert second.status == Status.WAITLISTED


def test_full_event_without_waitlist_is_refused():
    category = make_category(make_event(capacity=1, waitlist_enabled=False))
    register(category)

    with pytest.raises(EventFull) as refusal:
        register(category)

    # The message is lazy: it is shown in the language of whoever reads it.
    with translation.override("en"):
        assert str(refusal.value.message) == "This event is full."
    with translation.override("ru"):
        assert str(refusal.value.message) == "Все места на мероприятие заняты."
    assert Registration.objects.count() == 1


def test_full_category_without_waitlist_says_the_category_is_full():
    category = make_category(make_event(capacity=5, waitlist_enabled=False), capacity=1)
    register(category)

    with pytest.raises(CategoryFull):
        register(category)


def test_secretariat_overrides_capacity_and_it_is_recorded():
    staff = make_user(is_staff=True)
    category = make_category(make_event(capacity=1, waitlist_enabled=False))
    register(category)

    registration, _ = register(category, acting_user=staff, override_capacity=True)

    assert registration.status == Status.CONFIRMED
    assert registration.history.get().details["override_capacity"] is True
    assert Registration.objects.filter(status=Status.CONFIRMED).count() == 2
