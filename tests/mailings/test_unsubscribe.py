"""The unsubscribe link: no login, GET changes nothing, POST (button or one-click) withdraws
consent with its time; a forged link changes nothing."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import NewsConsentChange
from mailings.tokens import unsubscribe_token
from tests.factories import make_delegate

pytestmark = pytest.mark.django_db


def _url(token, language="en"):
    with translation.override(language):
        return reverse("mailings:unsubscribe", kwargs={"token": token})


def test_get_asks_and_changes_nothing(client):
    delegate = make_delegate(consent_marketing=True)

    response = client.get(_url(unsubscribe_token(delegate.pk)))

    assert response.status_code == 200
    assert delegate.email in response.content.decode()
    delegate.delegate_profile.refresh_from_db()
    assert delegate.delegate_profile.consent_marketing is True


def test_one_click_post_withdraws_consent_without_login(client):
    delegate = make_delegate(consent_marketing=True)

    response = client.post(_url(unsubscribe_token(delegate.pk)), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    delegate.delegate_profile.refresh_from_db()
    assert delegate.delegate_profile.consent_marketing is False
    latest = NewsConsentChange.objects.filter(user=delegate).first()
    assert (latest.consented, latest.source) == (False, NewsConsentChange.Source.ONE_CLICK)


def test_button_post_in_russian_withdraws_and_says_so(client):
    delegate = make_delegate(consent_marketing=True)

    response = client.post(_url(unsubscribe_token(delegate.pk), "ru"))

    assert response.status_code == 200
    assert '<html lang="ru">' in response.content.decode()
    assert NewsConsentChange.objects.filter(user=delegate).first().source == "unsubscribe_link"


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "MTM:1xXqSg:T68vM1x5M8NWa-3ZApzdVI3sC06DkZQNSEQfIPU9Xd4",
        lambda token: "garbage",
    ],
)
def test_forged_link_is_a_translated_400_and_changes_nothing(client, forge):
    delegate = make_delegate(consent_marketing=True)
    before = NewsConsentChange.objects.count()

    response = client.post(
        _url(forge(unsubscribe_token(delegate.pk)), "ru"), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 400
    assert '<html lang="ru">' in response.content.decode()
    delegate.delegate_profile.refresh_from_db()
    assert delegate.delegate_profile.consent_marketing is True
    assert NewsConsentChange.objects.count() == before


def test_a_signature_made_for_another_purpose_is_refused(client):
    from django.core import signing

    delegate = make_delegate(consent_marketing=True)
    token = signing.dumps(delegate.pk, salt="badges.token", compress=False)

    assert client.post(_url(token), {"List-Unsubscribe": "One-Click"}).status_code == 400
