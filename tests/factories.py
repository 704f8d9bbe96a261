"""Test data builders: plain functions with sensible defaults and no hidden side effects."""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from accounts.models import DelegateProfile, ProfileHistory, User
from accounts.services import update_profile
from events.models import Event, Forum
from registrations.models import Currency, DelegateCategory, Registration
from registrations.services import register_delegate

_sequence = itertools.count(1)

# Every factory-made user has this password (the test settings hash it cheaply).
TEST_PASSWORD = "a-long-test-password"


def make_forum(**fields) -> Forum:
    n = next(_sequence)
    values = {
        "slug": f"forum-{n}",
        "name_en": f"Forum {n}",
        "display_order": n,
    }
    values.update(fields)
    return Forum.objects.create(**values)


def make_event(forum: Forum | None = None, **fields) -> Event:
    """A published event a month from now, with registration open."""
    n = next(_sequence)
    today = timezone.localdate()
    start = fields.pop("start_date", today + datetime.timedelta(days=30))
    values = {
        "forum": forum or make_forum(),
        "slug": f"event-{n}",
        "edition_number": n,
        "year": start.year,
        "title_en": f"Event {n}",
        "city_en": "Astana",
        "country": "KZ",
        "time_zone": "Asia/Almaty",
        "start_date": start,
        "end_date": start + datetime.timedelta(days=1),
        "registration_opens_at": timezone.now() - datetime.timedelta(days=10),
        "registration_closes_at": timezone.now() + datetime.timedelta(days=20),
        "capacity": 100,
        "status": Event.Status.PUBLISHED,
    }
    values.update(fields)
    return Event.objects.create(**values)


def make_user(email: str | None = None, *, password: str = TEST_PASSWORD, **fields) -> User:
    """A delegate account (no profile; see make_profile)."""
    n = next(_sequence)
    return User.objects.create_user(email or f"delegate{n}@example.com", password, **fields)


def make_profile(user: User | None = None, **fields) -> DelegateProfile:
    """A complete delegate profile, written through accounts.services.update_profile."""
    values = {
        "title": DelegateProfile.Title.DR,
        "first_name": "Aigerim",
        "last_name": "Nurlanova",
        "latin_name": "Aigerim Nurlanova",
        "job_title": "Chief Geologist",
        "organisation": "Steppe Minerals LLP",
        "country": "KZ",
        "phone": "+77012345678",
        "preferred_language": "en",
    }
    values.update(fields)
    user = user or make_user()
    return update_profile(
        user, channel=ProfileHistory.Channel.PROFILE_PAGE, acting_user=user, **values
    )


def make_delegate(email: str | None = None, **profile_fields) -> User:
    """A user with a complete profile: ready to register."""
    user = make_user(email)
    make_profile(user, **profile_fields)
    return user


def make_category(event: Event | None = None, **fields) -> DelegateCategory:
    """An open, free-of-rules category: no approval, no own capacity, EUR 500."""
    n = next(_sequence)
    values = {
        "event": event or make_event(),
        "code": f"category-{n}",
        "name_en": f"Category {n}",
        "price": Decimal("500.00"),
        "currency": Currency.EUR,
        "display_order": n,
    }
    values.update(fields)
    return DelegateCategory.objects.create(**values)


def make_registration(
    category: DelegateCategory | None = None, *, delegate: User | None = None, **fields
) -> Registration:
    """A registration made through registrations.services.register_delegate."""
    category = category or make_category()
    values = {"consent_privacy": True, "language": "en"}
    values.update(fields)
    registration, _created = register_delegate(
        category.event, delegate=delegate or make_delegate(), category=category, **values
    )
    return registration


def registration_form_data(category, **overrides) -> dict:
    """What a delegate posts on the registration form, for `category`; an override of None
    leaves that field out (e.g. privacy_policy_version=None, as a tampered page would)."""
    from legal.policies import current_privacy_policy

    data = {
        "category": str(category.pk),
        "title": "dr",
        "first_name": "Aigerim",
        "last_name": "Nurlanova",
        "latin_name": "Aigerim Nurlanova",
        "job_title": "Chief Geologist",
        "organisation": "Steppe Minerals LLP",
        "country": "KZ",
        "phone": "+77012345678",
        "dietary_needs": "",
        "accessibility_needs": "",
        "nationality": "",
        "how_heard": "colleague",
        "consent_privacy": "on",
        "consent_attendee_list": "on",
        # The hidden input the form page carries: the version it showed (the current one).
        "privacy_policy_version": current_privacy_policy().version,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# Visa invitation letters ---------------------------------------------------------------

# A passport that passes every rule for an event a month or more from now (valid for years).
PASSPORT = {
    "surname": "SMITH",
    "given_names": "JOHN PAUL",
    "sex": "M",
    "date_of_birth": datetime.date(1980, 5, 17),
    "place_of_birth": "LONDON",
    "nationality": "GB",
    "passport_number": "123456789",
    "passport_issued_on": datetime.date(2022, 3, 1),
    "passport_expires_on": datetime.date(2032, 3, 1),
    "passport_authority": "HMPO",
}


def visa_trip(event: Event, **overrides) -> dict:
    """The trip part of a visa request for `event`: entry the day before, exit the day after."""
    values = {
        "entry_date": event.start_date - datetime.timedelta(days=1),
        "exit_date": event.end_date + datetime.timedelta(days=1),
        "application_kind": "consulate",
        "consulate_city": "London",
        "employer": "Steppe Minerals LLP",
        "position": "Chief Geologist",
    }
    values.update(overrides)
    return values


def make_visa_request(registration: Registration | None = None, **fields):
    """A visa letter request with a valid passport, made by the delegate through
    visas.services.request_visa_letter (for a new registration that asks for a letter)."""
    from visas.services import request_visa_letter

    registration = registration or make_registration(visa_letter_needed=True, nationality="GB")
    values = {**PASSPORT, **visa_trip(registration.event)}
    values.update(fields)
    return request_visa_letter(registration, acting_user=registration.delegate, **values)
