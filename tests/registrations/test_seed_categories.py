"""seed_demo's delegate categories: realistic, per event in its currency, idempotent."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation

from registrations.models import DelegateCategory

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_categories_in_each_events_currency():
    call_command("seed_demo", stdout=io.StringIO())

    currencies = dict(
        DelegateCategory.objects.filter(code="delegate").values_list("event__slug", "currency")
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
