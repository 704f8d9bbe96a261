"""Every service that locks rows takes them in the one documented order: the delegate's user
row (when the profile is written), the event, then the category, then the registration. Two
services taking the same rows in different orders can deadlock under load; the concurrency
tests would only show that by luck, so the order is read from the SQL each service sends."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from legal.policies import current_privacy_policy
from registrations.models import Registration
from registrations.services import (
    approve_registration,
    cancel_registration,
    change_category_capacity,
    change_event_capacity,
    change_own_registration,
    promote_registration,
    register_delegate,
    register_on_behalf,
    reject_registration,
    update_own_profile,
)
from tests.factories import make_category, make_delegate, make_event, make_registration, make_user

pytestmark = pytest.mark.django_db

USER = "accounts_user"
PROFILE = "accounts_delegateprofile"
EVENT = "events_event"
CATEGORY = "registrations_delegatecategory"
REGISTRATION = "registrations_registration"

_LOCK = re.compile(r"\bFOR (?:NO KEY )?UPDATE\b")
_TABLE = re.compile(r'\bFROM "(\w+)"')


def locked_tables(queries) -> list[str]:
    """The tables of the row-locking statements, in the order they were sent."""
    return [_TABLE.search(query["sql"]).group(1) for query in queries if _LOCK.search(query["sql"])]


def locks_taken_by(action) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        action()
    return locked_tables(captured.captured_queries)


@pytest.fixture
def staff():
    return make_user(is_staff=True)


@pytest.fixture
def full_event_with_waitlist():
    """One place, taken; one delegate waiting."""
    category = make_category(make_event(capacity=1))
    held = make_registration(category)
    waiting = make_registration(category)
    assert waiting.status == Registration.Status.WAITLISTED
    return held, waiting


def test_registering_through_the_form_locks_user_then_event_then_category(client):
    category = make_category()
    delegate = make_delegate()
    client.force_login(delegate)
    form = {
        "category": str(category.pk),
        "first_name": "Aigerim",
        "last_name": "Nurlanova",
        "consent_privacy": "on",
        "privacy_policy_version": current_privacy_policy().version,
    }

    locks = locks_taken_by(lambda: client.post(f"/en/events/{category.event.slug}/register/", form))

    assert Registration.objects.filter(delegate=delegate).exists()
    assert locks == [USER, PROFILE, EVENT, CATEGORY]


def test_register_delegate_locks_event_then_category():
    category = make_category()
    delegate = make_delegate()

    locks = locks_taken_by(
        lambda: register_delegate(
            category.event,
            delegate=delegate,
            category=category,
            consent_privacy=True,
            language="en",
        )  # fmt: skip
    )

    assert locks == [EVENT, CATEGORY]


def test_register_on_behalf_locks_user_then_event_then_category(staff):
    category = make_category()

    locks = locks_taken_by(
        lambda: register_on_behalf(
            category.event,
            email="vip@example.com",
            category=category,
            acting_user=staff,
            profile={"first_name": "Serik", "last_name": "Minister"},
            consent_privacy=True,
        )  # fmt: skip
    )

    assert locks == [USER, PROFILE, EVENT, CATEGORY]


@pytest.mark.parametrize(
    "decide",
    [
        pytest.param(lambda registration, staff: approve_registration(
            registration, acting_user=staff), id="approve"),
        pytest.param(lambda registration, staff: reject_registration(
            registration, reason="No", acting_user=staff), id="reject"),
    ],
)  # fmt: skip
def test_decisions_lock_event_then_category_then_registration(staff, decide):
    registration = make_registration(make_category(requires_approval=True))

    locks = locks_taken_by(lambda: decide(registration, staff))

    # A pending registration held a place: a rejection also runs the waitlist (empty here),
    # which locks the event's categories under the event lock it already holds.
    assert locks[:3] == [EVENT, CATEGORY, REGISTRATION]
    assert set(locks[3:]) <= {CATEGORY}


def test_cancel_locks_event_then_category_then_registration_then_promotes(
    full_event_with_waitlist,
):
    held, waiting = full_event_with_waitlist

    locks = locks_taken_by(lambda: cancel_registration(held, acting_user=held.delegate))

    assert Registration.objects.get(pk=waiting.pk).status == Registration.Status.CONFIRMED
    assert locks == [EVENT, CATEGORY, REGISTRATION, CATEGORY]


def test_promote_by_hand_locks_event_then_category_then_registration(
    staff, full_event_with_waitlist
):
    _held, waiting = full_event_with_waitlist

    locks = locks_taken_by(
        lambda: promote_registration(waiting, acting_user=staff, override_capacity=True)
    )

    assert locks == [EVENT, CATEGORY, REGISTRATION]


def test_event_capacity_locks_event_then_categories(staff, full_event_with_waitlist):
    held, _waiting = full_event_with_waitlist

    locks = locks_taken_by(lambda: change_event_capacity(held.event, capacity=2, acting_user=staff))

    assert locks == [EVENT, CATEGORY]


def test_category_capacity_locks_event_then_category(staff, full_event_with_waitlist):
    held, _waiting = full_event_with_waitlist

    locks = locks_taken_by(
        lambda: change_category_capacity(held.category, capacity=5, acting_user=staff)
    )

    assert locks == [EVENT, CATEGORY, CATEGORY]


def test_delegate_changing_details_locks_user_then_registration_then_profile():
    registration = make_registration()

    locks = locks_taken_by(
        lambda: change_own_registration(
            registration, delegate=registration.delegate, job_title="CEO"
        )
    )

    assert locks == [USER, REGISTRATION, USER, PROFILE]


def test_profile_language_change_locks_user_then_profile_then_registrations():
    delegate = make_delegate(preferred_language="en")
    make_registration(delegate=delegate)
    make_registration(delegate=delegate)

    locks = locks_taken_by(lambda: update_own_profile(delegate, preferred_language="kk"))

    assert Registration.objects.filter(delegate=delegate, language="kk").count() == 2
    assert locks == [USER, USER, PROFILE, REGISTRATION]  # both registrations in one statement


CODE = "pricing_code"


def test_register_with_a_code_locks_event_then_category_then_the_code():
    from tests.pricing.factories import make_code

    category = make_category()
    make_code(category.event, "PARTNER10", usage_limit=5)
    delegate = make_delegate()

    locks = locks_taken_by(
        lambda: register_delegate(
            category.event,
            delegate=delegate,
            category=category,
            consent_privacy=True,
            language="en",
            form_sections={"code": {"code": "PARTNER10"}},
        )
    )

    assert locks == [EVENT, CATEGORY, CODE]


# Add-ons (addons/): after the event and the registration, the add-on rows by id, then the
# bookings. A booking's promotion re-prices other registrations after the add-on lock, which
# is safe only because every path to an add-on lock holds the event lock first.

ADD_ON = "addons_addon"
BOOKING = "addons_addonbooking"


def _gala_with_waitlist(capacity=1):
    from addons.services import book_add_ons
    from tests.addons.factories import make_add_on

    category = make_category(make_event())
    gala = make_add_on(category.event, capacity=capacity)
    holder, waiting = make_registration(category), make_registration(category)
    held = book_add_ons(holder, [gala], acting_user=holder.delegate)[0]
    book_add_ons(waiting, [gala], acting_user=waiting.delegate)
    return gala, held


def test_booking_add_ons_locks_event_then_registration_then_add_ons_by_id():
    from addons.services import book_add_ons
    from tests.addons.factories import make_add_on

    registration = make_registration()
    first, second = (make_add_on(registration.event, capacity=5) for _ in range(2))

    locks = locks_taken_by(
        lambda: book_add_ons(registration, [second, first], acting_user=registration.delegate)
    )

    assert locks == [EVENT, REGISTRATION, ADD_ON]  # both add-ons in one statement, by id


def test_registering_with_an_add_on_locks_it_after_event_and_category(client):
    from tests.addons.factories import make_add_on
    from tests.factories import registration_form_data

    category = make_category()
    gala = make_add_on(category.event, capacity=5)
    delegate = make_delegate()
    client.force_login(delegate)
    form = registration_form_data(category, **{f"addons-add_on_{gala.pk}": "on"})

    locks = locks_taken_by(lambda: client.post(f"/en/events/{category.event.slug}/register/", form))

    assert Registration.objects.get(delegate=delegate).add_on_bookings.exists()
    assert locks == [USER, PROFILE, EVENT, CATEGORY, ADD_ON]


def test_cancelling_a_booking_locks_event_registration_add_on_then_booking():
    from addons.services import cancel_booking

    _gala, held = _gala_with_waitlist()

    locks = locks_taken_by(lambda: cancel_booking(held, acting_user=None))

    assert locks == [EVENT, REGISTRATION, ADD_ON, BOOKING]


def test_cancelling_a_registration_with_bookings_locks_add_ons_after_it(full_event_with_waitlist):
    from addons.services import book_add_ons
    from tests.addons.factories import make_add_on

    held, _waiting = full_event_with_waitlist
    gala = make_add_on(held.event, capacity=1)
    book_add_ons(held, [gala], acting_user=held.delegate)

    locks = locks_taken_by(lambda: cancel_registration(held, acting_user=held.delegate))

    assert locks == [EVENT, CATEGORY, REGISTRATION, ADD_ON, BOOKING, CATEGORY]


def test_add_on_capacity_and_promotion_lock_event_then_add_on(staff):
    from addons.services import change_add_on_capacity, promote_from_waitlist

    gala, _held = _gala_with_waitlist(capacity=1)

    assert locks_taken_by(lambda: change_add_on_capacity(gala, capacity=2, acting_user=staff)) == [
        EVENT,
        ADD_ON,
    ]
    assert locks_taken_by(lambda: promote_from_waitlist(gala)) == [EVENT, ADD_ON]


def test_registering_with_a_code_and_an_add_on_locks_the_code_before_the_add_on():
    from tests.addons.factories import make_add_on
    from tests.pricing.factories import make_code

    category = make_category()
    make_code(category.event, "PARTNER10", usage_limit=5)
    gala = make_add_on(category.event, capacity=5)
    delegate = make_delegate()

    locks = locks_taken_by(
        lambda: register_delegate(
            category.event,
            delegate=delegate,
            category=category,
            consent_privacy=True,
            language="en",
            form_sections={"code": {"code": "PARTNER10"}, "addons": {"add_ons": [gala]}},
        )
    )

    assert locks == [EVENT, CATEGORY, CODE, ADD_ON]


def test_register_several_locks_users_then_event_then_categories_by_id(staff):
    from accounts.models import ProfileHistory
    from registrations.services import Applicant, register_several

    event = make_event()
    second, first = make_category(event), make_category(event)
    applicants = [
        Applicant(email="b@gov.kz", profile={"first_name": "B", "last_name": "B"}, category=first),
        Applicant(email="a@gov.kz", profile={"first_name": "A", "last_name": "A"}, category=second),
    ]

    locks = locks_taken_by(
        lambda: register_several(
            event, applicants, acting_user=staff, consent_privacy=True, language="en",
            channel=ProfileHistory.Channel.DELEGATION,
        )
    )  # fmt: skip

    # Every user row first; then the event and both categories (one statement, ORDER BY id)
    # for the whole group's decision; each member's register_delegate then takes the event
    # and its category again, rows this transaction already holds (no wait, no new order).
    assert locks == [USER, PROFILE, USER, PROFILE, EVENT, CATEGORY,
                     EVENT, CATEGORY, EVENT, CATEGORY]  # fmt: skip


def test_substitution_locks_new_user_then_event_category_registration_then_badge():
    from registrations.services import substitute_registration

    registration = make_registration()

    locks = locks_taken_by(
        lambda: substitute_registration(
            registration,
            new_person={"email": "new@gov.kz", "first_name": "N", "last_name": "P"},
            acting_user=registration.delegate,
            reason="Illness",
            consent_privacy=True,
        )
    )

    assert locks == [USER, PROFILE, EVENT, CATEGORY, REGISTRATION, "badges_badge"]


def test_filling_a_package_slot_locks_the_slot_after_the_registration():
    import datetime

    from django.utils import timezone

    from delegations.models import Package, PackagePasses
    from delegations.services import fill_slot, sync_package_slots

    category = make_category()
    contact = make_delegate()
    package = Package.objects.create(
        event=category.event, name="Gold", sponsor="Sponsor", contact=contact,
        cutoff=timezone.now() + datetime.timedelta(days=1),
    )  # fmt: skip
    PackagePasses.objects.create(package=package, category=category, count=1)
    sync_package_slots(package)
    slot = package.slots.select_related("package__event", "category").get()

    locks = locks_taken_by(
        lambda: fill_slot(
            slot, acting_user=contact, email="guest@sponsor.kz",
            profile={"first_name": "G", "last_name": "S"}, consent_privacy=True, language="en",
        )
    )  # fmt: skip

    # The package's free code is counted under its lock by pricing's receiver, inside the
    # registration's transaction (after its rows); the slot comes last.
    assert locks == [USER, PROFILE, EVENT, CATEGORY, EVENT, CATEGORY, "pricing_code",
                     "delegations_packageslot"]  # fmt: skip


def test_giving_a_package_add_on_place_locks_it_after_the_add_on_before_the_slot():
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from delegations.models import Package, PackageAddOn, PackagePasses
    from delegations.services import fill_slot, sync_package_slots
    from tests.addons.factories import make_add_on

    category = make_category()
    contact = make_delegate()
    gala = make_add_on(category.event, price=Decimal("120"), capacity=10)
    package = Package.objects.create(
        event=category.event, name="Gold", sponsor="Sponsor", contact=contact,
        cutoff=timezone.now() + datetime.timedelta(days=1),
    )  # fmt: skip
    PackagePasses.objects.create(package=package, category=category, count=1)
    PackageAddOn.objects.create(package=package, add_on=gala, count=1)
    sync_package_slots(package)
    slot = package.slots.select_related("package__event", "package__code", "category").get()

    locks = locks_taken_by(
        lambda: fill_slot(
            slot, acting_user=contact, email="guest@sponsor.kz",
            profile={"first_name": "G", "last_name": "S"}, consent_privacy=True, language="en",
            add_on=gala,
        )
    )  # fmt: skip

    # The code (pricing's receiver), then the add-on (addons' receiver books it), then the
    # package's add-on places (counted under their row's lock), then the slot.
    assert locks == [USER, PROFILE, EVENT, CATEGORY, EVENT, CATEGORY, "pricing_code",
                     ADD_ON, "delegations_packageaddon", "delegations_packageslot"]  # fmt: skip


def test_lapsing_an_unpaid_early_bird_locks_event_category_registration_then_invoices():
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from billing.services import lapse_early_bird
    from pricing.models import EventPricing
    from tests.billing.factories import make_billed_event, make_paid_registration

    event = make_billed_event()
    EventPricing.objects.create(event=event, early_bird_by_payment=True)
    deadline = timezone.now() + datetime.timedelta(days=10)
    registration = make_paid_registration(
        event, price="500.00", early_bird_price=Decimal("450.00"), early_bird_deadline=deadline
    )

    locks = locks_taken_by(
        lambda: lapse_early_bird(registration, now=deadline + datetime.timedelta(hours=1))
    )

    # Re-priced under the registration's locks; then the old invoice credited (its row,
    # the credit note's, the sequence) and the new one issued (its row, the sequence).
    assert locks[:3] == [EVENT, CATEGORY, REGISTRATION]
    assert set(locks[3:]) == {"billing_invoice", "billing_invoicesequence"}
