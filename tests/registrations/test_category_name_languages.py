"""A registration keeps its category's name in every language: a Russian or Kazakh delegate
reads the category they registered in in their own language, on every delegate page, even
after the category is renamed."""

import re

import pytest

from legal.policies import current_privacy_policy
from registrations.models import DelegateCategory, Registration
from tests.factories import make_category, make_delegate, make_registration

pytestmark = pytest.mark.django_db

NAMES = {"en": "Delegate", "ru": "Делегат", "kk": "Делегат (қатысушы)"}


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def category():
    return make_category(name_en=NAMES["en"], name_ru=NAMES["ru"], name_kk=NAMES["kk"])


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_delegate_reads_the_category_in_their_language_on_every_page(client, category, language):
    delegate = make_delegate()
    client.force_login(delegate)
    form = {
        "category": str(category.pk),
        "first_name": "Aigerim",
        "last_name": "Nurlanova",
        "consent_privacy": "on",
        "privacy_policy_version": current_privacy_policy().version,
    }

    done = client.post(f"/{language}/events/{category.event.slug}/register/", form, follow=True)
    reference = Registration.objects.get(delegate=delegate).reference
    mine = client.get(f"/{language}/my/registrations/")
    detail = client.get(f"/{language}/my/registrations/{reference}/")

    for page in (done, mine, detail):
        assert page.status_code == 200
        assert NAMES[language] in _text(page)
        assert f"{NAMES['en']}<" not in page.content.decode()


def test_the_snapshot_keeps_every_language_after_the_category_is_renamed(client, category):
    registration = make_registration(category, language="kk")
    DelegateCategory.objects.filter(pk=category.pk).update(
        name_en="Participant", name_ru="Участник", name_kk="Қатысушы"
    )
    client.force_login(registration.delegate)

    pages = {
        language: _text(client.get(f"/{language}/my/registrations/{registration.reference}/"))
        for language in ("en", "ru", "kk")
    }

    for language, page in pages.items():
        assert NAMES[language] in page
    assert "Қатысушы" not in pages["kk"]


def test_a_language_the_category_has_no_name_in_shows_the_english_snapshot(client):
    category = make_category(name_en="Speaker", name_ru="Докладчик")
    registration = make_registration(category, language="kk")
    client.force_login(registration.delegate)

    page = _text(client.get(f"/kk/my/registrations/{registration.reference}/"))

    assert "Speaker" in page
    assert "Докладчик" not in page
