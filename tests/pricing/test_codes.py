"""Codes at registration, through the services: what they unlock, what they take off, and
each way a code can be refused (a clear message, nothing saved)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from pricing.models import Code, CodeUse, GroupDiscount, PriceLine, SectorRate
from pricing.selectors import price_lines
from pricing.services import create_codes, reprice_registration
from registrations.models import Registration
from registrations.services import RegistrationError, cancel_registration, register_on_behalf
from tests.factories import make_category, make_delegate, make_event, make_registration, make_user
from tests.pricing.factories import make_code, make_free_code

pytestmark = pytest.mark.django_db


def _register(category, code="", delegate=None, **section):
    return make_registration(
        category,
        delegate=delegate or make_delegate(),
        form_sections={"code": {"code": code, **section}},
    )


def _refusal(category, code, **section) -> str:
    delegate = make_delegate()
    with pytest.raises(RegistrationError) as refusal:
        _register(category, code, delegate=delegate, **section)
    assert not Registration.objects.filter(delegate=delegate).exists()
    assert not CodeUse.objects.filter(registration__delegate=delegate).exists()
    return str(refusal.value.message)


@pytest.fixture
def government():
    """An event with a public Delegate category (EUR 500) and an invite-only Government one."""
    event = make_event()
    delegate = make_category(event, name_en="Delegate")
    government = make_category(event, name_en="Government", invite_only=True)
    return delegate, government


def test_a_free_code_unlocks_an_invite_only_category_and_makes_it_free(government):
    _public, category = government
    code = make_free_code(category.event, categories=[category])

    registration = _register(category, "gov-2026 ")

    assert registration.price == Decimal("0.00")
    assert registration.status == Registration.Status.CONFIRMED
    assert CodeUse.objects.get(registration=registration).code == code
    lines = price_lines(registration)
    assert [(line.kind, line.amount) for line in lines] == [
        ("category", Decimal("500.00")),
        ("code", Decimal("-500.00")),
    ]
    with translation.override("en"):
        assert lines[1].description_in_language == "Code GOV-2026: free place"


def test_an_invite_only_category_without_a_code_is_refused(government):
    _public, category = government
    assert _refusal(category, "") == (
        "This category is by invitation only: please enter the invitation code you received."
    )


def test_a_code_for_public_categories_does_not_unlock_an_invite_only_one(government):
    _public, category = government
    make_code(category.event, "PARTNER10")
    assert _refusal(category, "PARTNER10") == "This code does not apply to the category you chose."


def test_an_unknown_code_is_refused(government):
    public, _category = government
    assert _refusal(public, "NOPE-123") == (
        "We do not know this code. Please check it for typing errors."
    )


def test_another_forums_code_is_refused(government):
    public, _category = government
    make_code(make_event(), "ELSEWHERE")
    assert _refusal(public, "ELSEWHERE") == (
        "This code is for another forum and cannot be used here."
    )


def test_an_expired_code_is_refused(government):
    public, _category = government
    make_code(public.event, "OLD", valid_until=timezone.now() - datetime.timedelta(minutes=1))
    assert _refusal(public, "OLD") == "This code has expired."


def test_a_code_not_valid_yet_is_refused(government):
    public, _category = government
    make_code(public.event, "SOON", valid_from=timezone.now() + datetime.timedelta(days=1))
    assert _refusal(public, "SOON") == "This code is not valid yet."


def test_a_used_up_code_is_refused_and_its_uses_stay_at_the_limit(government):
    public, _category = government
    code = make_code(public.event, "TWICE", usage_limit=2)
    _register(public, "TWICE")
    _register(public, "TWICE")

    assert _refusal(public, "TWICE") == (
        "This code has already been used as many times as it allows."
    )
    assert CodeUse.objects.filter(code=code).count() == 2


def test_cancelling_gives_the_use_back(government):
    public, _category = government
    make_code(public.event, "ONCE", usage_limit=1)
    first = _register(public, "ONCE")

    cancel_registration(first, acting_user=first.delegate)
    second = _register(public, "ONCE")

    assert CodeUse.objects.get(registration=first).released_at is not None
    assert CodeUse.objects.get(registration=second).released_at is None


def test_the_secretariat_registers_in_an_invite_only_category_without_a_code(government):
    _public, category = government
    result = register_on_behalf(
        category.event,
        email="minister@example.gov",
        category=category,
        acting_user=make_user(is_staff=True),
        profile={"first_name": "Serik", "last_name": "Minister"},
        consent_privacy=True,
    )
    assert result.registration.category == category


def test_without_rules_nothing_is_stored_and_the_category_line_is_shown(government):
    public, _category = government
    registration = _register(public)

    assert not PriceLine.objects.filter(registration=registration).exists()
    (line,) = price_lines(registration)
    assert (line.description, line.amount) == ("Delegate", Decimal("500.00"))


def test_early_bird_and_group_of_three_from_one_organisation_make_20_percent():
    event = make_event()
    category = make_category(
        event,
        price=Decimal("500"),
        early_bird_price=Decimal("450"),
        early_bird_deadline=timezone.now() + datetime.timedelta(days=5),
    )
    GroupDiscount.objects.create(event=event, min_size=3, percent=Decimal("10"))
    first = _register(category, delegate=make_delegate(organisation="Steppe Minerals LLP"))
    _register(category, delegate=make_delegate(organisation="steppe minerals llp "))
    third = _register(category, delegate=make_delegate(organisation="Steppe Minerals LLP"))

    assert first.price == Decimal("450.00")  # priced when made: the group was not yet three
    assert third.price == Decimal("400.00")
    assert [line.kind for line in price_lines(third)] == ["category", "early_bird", "group"]


def test_a_delegation_passes_its_size_as_the_group():
    event = make_event()
    category = make_category(event, price=Decimal("500"))
    GroupDiscount.objects.create(event=event, min_size=3, percent=Decimal("10"))

    registration = _register(category, group_size=4)

    assert registration.price == Decimal("450.00")


def test_an_ngo_rate_applies_to_the_sector_declared():
    category = make_category(price=Decimal("500"))
    SectorRate.objects.create(category=category, sector="ngo", percent=Decimal("40"))

    ngo = _register(category, sector="ngo")
    business = _register(category, sector="business")

    assert ngo.price == Decimal("300.00")
    assert business.price == Decimal("500.00")


def test_repricing_keeps_the_code_and_the_sector():
    category = make_category(price=Decimal("500"))
    SectorRate.objects.create(category=category, sector="ngo", percent=Decimal("40"))
    make_code(category.event, "TEN")
    registration = _register(category, "TEN", sector="ngo")

    quote = reprice_registration(registration)

    assert quote.total == Decimal("250.00")
    assert Registration.objects.get(pk=registration.pk).price == Decimal("250.00")
    assert PriceLine.objects.filter(registration=registration).count() == 3


def test_a_batch_makes_distinct_codes_with_one_owner():
    event = make_event()
    codes = create_codes(
        event,
        count=50,
        prefix="sponsor-x",
        discount_kind=Code.Discount.FREE,
        owner="Sponsor X",
        batch_name="50 for Sponsor X",
    )

    assert len({code.code for code in codes}) == 50
    assert all(code.code.startswith("SPONSOR-X-") for code in codes)
    assert {code.batch.name for code in codes} == {"50 for Sponsor X"}
    assert {code.usage_limit for code in codes} == {1}


def test_a_code_is_unique_per_event_whatever_its_case():
    from django.core.exceptions import ValidationError

    event = make_event()
    make_code(event, "GOV-2026")
    with pytest.raises(ValidationError):
        make_code(event, "gov-2026")
    make_code(make_event(), "GOV-2026")  # another event may have the same text


def test_add_on_lines_from_a_provider_follow_the_fee_and_count_in_the_price(monkeypatch):
    from pricing import extensions
    from pricing.rules import QuoteLine

    def gala_dinner(registration):
        return [QuoteLine("add_on", {"en": "Gala dinner"}, Decimal("120.00"), "EUR")]

    monkeypatch.setattr(extensions, "_line_providers", [])
    extensions.add_line_provider(gala_dinner)
    extensions.add_line_provider(gala_dinner)  # registering twice adds it once
    event = make_event()
    category = make_category(event, price=Decimal("500"), invite_only=True)
    make_free_code(event, categories=[category])

    registration = _register(category, "GOV-2026")

    assert registration.price == Decimal("120.00")
    assert [(line.kind, line.amount) for line in price_lines(registration)] == [
        ("category", Decimal("500.00")),
        ("code", Decimal("-500.00")),
        ("add_on", Decimal("120.00")),
    ]
