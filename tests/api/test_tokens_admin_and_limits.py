"""Tokens made and revoked in the admin (the key shown once); rate limits that count in the
shared cache and let requests through while Redis is down."""

import re

import pytest

from api.models import ApiToken
from api.throttles import TokenRateThrottle
from tests.factories import TEST_PASSWORD
from tests.processes import free_port

from .conftest import client_with, key_for

pytestmark = pytest.mark.django_db

TOKENS = "/en/admin/api/apitoken/"


def test_a_superuser_makes_a_token_sees_its_key_once_and_revokes_it(client, forums):
    from accounts.models import User

    admin_user = User.objects.create_superuser("root@example.com", TEST_PASSWORD)
    client.force_login(admin_user)

    page = client.post(
        f"{TOKENS}add/",
        {"user": forums.organiser_x.pk, "name": "Badge printer", "scopes": ["registrations:read"]},
    )
    key = re.search(rb'value="(mx_[A-Za-z0-9_-]+)"', page.content).group(1).decode()
    token = ApiToken.objects.get()
    listing = client.get(TOKENS)
    works = client_with(key).get("/api/v1/registrations/")
    client.post(TOKENS, {"action": "revoke", "_selected_action": [token.pk]})
    revoked = client_with(key).get("/api/v1/registrations/")

    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert token.user == forums.organiser_x and token.scopes == ["registrations:read"]
    assert key.encode() not in listing.content and token.prefix.encode() in listing.content
    assert works.status_code == 200
    assert revoked.status_code == 401
    assert ApiToken.objects.get().revoked_at is not None


def test_the_admin_refuses_a_write_scope_for_an_organiser(client, forums):
    from accounts.models import User

    client.force_login(User.objects.create_superuser("root@example.com", TEST_PASSWORD))

    response = client.post(
        f"{TOKENS}add/",
        {"user": forums.organiser_x.pk, "name": "Door", "scopes": ["checkins:write"]},
        follow=True,
    )

    assert not ApiToken.objects.exists()
    assert b"may not hold these scopes" in response.content


def test_a_token_over_its_rate_is_told_to_wait(forums, monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "rate", "2/minute", raising=False)
    client = client_with(key_for(forums.organiser_x))

    statuses = [client.get("/api/v1/registrations/").status_code for _ in range(3)]
    refused = client.get("/api/v1/registrations/")

    assert statuses == [200, 200, 429]
    assert refused.json()["status"] == 429 and refused.json()["title"] == "Too many requests"
    assert int(refused["Retry-After"]) > 0


def test_the_api_answers_while_redis_is_down(forums, settings, monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "rate", "2/minute", raising=False)
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    client = client_with(key_for(forums.organiser_x))

    statuses = {client.get("/api/v1/registrations/").status_code for _ in range(4)}

    assert statuses == {200}  # the limit fails open: nothing counts, nothing is refused
