"""seed_demo's delegate categories: realistic, per event in its currency, idempotent."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from events.demo import seed_calendar
from events.models import Event, Forum
from registrations.demo import seed_categories
from registrations.models import DelegateCategory, Registration
from registrations.services import change_event_capacity
from tests.factories import make_registration, make_user

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_categories_in_each_events_currency():
    call_command("seed_demo", stdout=io.StringIO())

    currencies = dict(
        DelegateCategory.objects.filter(code="delegate", event__slug__endswith="-2026").values_list(
            "event__slug", "currency"
        )
    )
    assert currencies == {
        "minex-astana-2026": "KZT",
        "minex-europe-2026": "EUR",
        "minex-eurasia-2026": "GBP",
        "minex-asia-2026": "USD",
    }
    astana = {c.code: c for c in DelegateCategory.objects.filter(event__slug="minex-astana-2026")}
    assert list(astana) == [
        "delegate", "government", "speaker", "sponsor", "exhibitor", "media", "student",
    ]  # fmt: skip
    assert astana["delegate"].price == Decimal("350000")
    assert astana["delegate"].early_bird_price == Decimal("280000")
    assert astana["government"].is_free and astana["government"].requires_approval
    assert astana["media"].is_free and astana["media"].requires_approval
    assert astana["speaker"].requires_approval
    assert astana["delegate"].payment_instructions_en
    assert not astana["government"].payment_instructions_en
    with translation.override("ru"):
        assert DelegateCategory.objects.get(pk=astana["government"].pk).name == (
            "Представитель государственного органа"
        )


def test_seed_demo_twice_leaves_the_same_categories():
    call_command("seed_demo", stdout=io.StringIO())
    first = list(DelegateCategory.objects.order_by("pk").values("pk", "event", "code", "price"))

    call_command("seed_demo", stdout=io.StringIO())

    assert list(DelegateCategory.objects.order_by("pk").values("pk", "event", "code", "price")) == (
        first
    )


def _every_row():
    """Every field of every forum, event, category and registration, as the database has it."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Forum, Event, DelegateCategory, Registration)
    }


def _open_event(events=None):
    events = Event.objects.all() if events is None else events
    return next(
        event
        for event in events.order_by("start_date")
        if event.registration_state() == Event.RegistrationState.OPEN
    )


def test_seed_demo_again_changes_nothing_the_secretariat_changed():
    call_command("seed_demo", stdout=io.StringIO())
    event = _open_event()
    delegate_category = event.categories.get(code="delegate")
    secretariat = make_user(is_staff=True)
    first = make_registration(delegate_category)
    change_event_capacity(event, capacity=1, acting_user=secretariat)
    waitlisted = make_registration(delegate_category)
    exhibitors = event.categories.get(code="exhibitor")
    exhibitors.is_open = False
    exhibitors.save(update_fields=["is_open", "updated_at"])
    event.registration_closes_at = timezone.now() + datetime.timedelta(days=1)
    event.save(update_fields=["registration_closes_at", "updated_at"])
    other = Event.objects.exclude(pk=event.pk).first()
    other.status = Event.Status.ARCHIVED
    other.save(update_fields=["status", "updated_at"])
    forum = event.forum
    forum.secretariat_email = "forum-desk@example.com"
    forum.save(update_fields=["secretariat_email"])
    before = _every_row()

    call_command("seed_demo", stdout=io.StringIO())

    assert _every_row() == before
    assert (first.status, waitlisted.status) == ("confirmed", "waitlisted")
    # The place is still taken: a newcomer joins the waitlist behind the one already on it.
    newcomer = make_registration(delegate_category)
    assert newcomer.status == Registration.Status.WAITLISTED


def test_a_delegate_can_register_today_in_every_forum():
    call_command("seed_demo", stdout=io.StringIO())

    statuses = {}
    for forum in Forum.objects.all():
        event = _open_event(forum.events.all())
        statuses[forum.slug] = make_registration(event.categories.get(code="delegate")).status

    assert statuses == dict.fromkeys(["astana", "asia", "europe", "eurasia"], "confirmed")


@pytest.mark.parametrize(
    "now",
    [
        datetime.datetime(2027, 6, 1, 12, tzinfo=datetime.UTC),
        datetime.datetime(2029, 1, 15, 12, tzinfo=datetime.UTC),
    ],
    ids=["2027-06-01", "2029-01-15"],
)
def test_later_editions_get_the_forums_categories(now):
    seed_categories(seed_calendar(now=now).events)

    later = Event.objects.exclude(slug__endswith="-2026")
    assert later.count() == 4  # one next edition per forum
    for event in later:
        categories = list(event.categories.order_by("display_order"))
        first_edition = Event.objects.get(forum=event.forum, slug__endswith="-2026")
        assert [(c.code, c.currency, c.price, c.is_open) for c in categories] == [
            (c.code, c.currency, c.price, c.is_open)
            for c in first_edition.categories.order_by("display_order")
        ]
        # The early-bird deadline moves with the edition.
        deadline = event.categories.get(code="delegate").early_bird_deadline
        first_deadline = first_edition.categories.get(code="delegate").early_bird_deadline
        years = event.year - first_edition.year
        assert deadline == first_deadline.replace(year=first_deadline.year + years)
