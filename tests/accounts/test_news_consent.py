"""Consent to news about future forums: the profile's value and its dated history."""

import pytest

from accounts.models import NewsConsentChange
from accounts.services import set_news_consent, update_profile
from tests.factories import make_delegate, make_user

pytestmark = pytest.mark.django_db

Source = NewsConsentChange.Source


def test_set_news_consent_withdrawal_is_recorded_with_time_and_source():
    delegate = make_delegate(consent_marketing=True)

    changed = set_news_consent(delegate, False, source=Source.UNSUBSCRIBE_LINK)

    delegate.delegate_profile.refresh_from_db()
    assert changed is True
    assert delegate.delegate_profile.consent_marketing is False
    latest = NewsConsentChange.objects.filter(user=delegate).first()
    assert (latest.consented, latest.source) == (False, Source.UNSUBSCRIBE_LINK)
    assert latest.at is not None


def test_set_news_consent_repeated_answer_writes_nothing():
    delegate = make_delegate(consent_marketing=True)
    set_news_consent(delegate, False, source=Source.ONE_CLICK)

    assert set_news_consent(delegate, False, source=Source.ONE_CLICK) is False

    assert list(
        NewsConsentChange.objects.filter(user=delegate).values_list("consented", "source")
    ) == [(False, Source.ONE_CLICK), (True, "profile_page")]


def test_profile_form_change_of_consent_is_in_the_history():
    delegate = make_delegate()
    update_profile(delegate, channel="registration", consent_marketing=True)

    latest = NewsConsentChange.objects.filter(user=delegate).first()
    assert (latest.consented, latest.source) == (True, Source.REGISTRATION)


def test_set_news_consent_without_profile_records_the_withdrawal_only():
    user = make_user()

    assert set_news_consent(user, False, source=Source.ONE_CLICK) is True
    assert set_news_consent(user, False, source=Source.ONE_CLICK) is False
    with pytest.raises(ValueError):
        set_news_consent(user, True, source=Source.SECRETARIAT)
    assert NewsConsentChange.objects.filter(user=user).count() == 1


def test_set_news_consent_refuses_an_unknown_source():
    with pytest.raises(ValueError):
        set_news_consent(make_delegate(), False, source="carrier-pigeon")


def test_user_admin_shows_the_consent_history(admin_client):
    from django.urls import reverse

    delegate = make_delegate(consent_marketing=True)
    set_news_consent(delegate, False, source=Source.ONE_CLICK)

    page = admin_client.get(reverse("admin:accounts_user_change", args=[delegate.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "through the mail program&#x27;s unsubscribe button" in text
    assert "on the profile page" in text
