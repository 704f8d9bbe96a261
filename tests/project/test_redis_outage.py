"""Redis (the cache and the Celery broker) is down: delegates still sign up, log in and
register; rate limits let them through with a warning; the outbox keeps their e-mails."""

import logging
import socket
import threading

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from mail.models import OutgoingEmail
from minex.celery import app as celery_app
from registrations.models import Registration
from tests.factories import (
    TEST_PASSWORD,
    make_category,
    make_delegate,
    make_user,
    registration_form_data,
)
from tests.processes import free_port

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Astana-2026-secure"


class ClosingServer:
    """A TCP port that accepts connections and closes them at once (Redis going away), and
    counts how often it was asked."""

    def __init__(self):
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self._socket.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self):
        self._socket.close()


def _point_cache_at(settings, url: str, **options) -> None:
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": url,
            "OPTIONS": options,
        }
    }


@pytest.fixture
def redis_down(settings):
    """The cache and the broker both point at a port where nothing listens."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    _point_cache_at(settings, url)
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    celery_app.conf.update(broker_url=url, task_always_eager=False)
    _forget_broker_connections()
    yield url
    celery_app.conf.update(saved)
    _forget_broker_connections()


def _forget_broker_connections():
    celery_app.close()
    celery_app.__dict__.pop("amqp", None)


def _registration_form(category) -> dict:
    return registration_form_data(category)


def test_registration_succeeds_while_redis_is_down(
    client, redis_down, caplog, django_capture_on_commit_callbacks
):
    delegate = make_delegate()
    client.force_login(delegate)
    category = make_category()

    with (
        caplog.at_level(logging.WARNING, logger="minex.cache"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            f"/en/events/{category.event.slug}/register/", _registration_form(category)
        )

    assert response.status_code == 302
    registration = Registration.objects.get(delegate=delegate)
    assert response.url == reverse("registration_done", args=[registration.reference])
    # The broker is down too: the e-mails wait in the outbox (still to be rendered, after
    # the commit) for the dispatcher.
    emails = OutgoingEmail.objects.all()
    assert emails.count() == 2
    assert delegate.email in {email.recipient for email in emails}
    assert {email.status for email in emails} == {OutgoingEmail.Status.RENDERING}
    assert "rate limits are not enforced" in caplog.text


def test_signup_succeeds_while_redis_is_down(
    client, redis_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/accounts/signup/",
            {"email": "aigerim@example.com", "password1": NEW_PASSWORD,
             "password2": NEW_PASSWORD},
        )  # fmt: skip

    assert response.status_code == 302
    assert response.url == "/en/accounts/confirm-email/"
    assert User.objects.filter(email="aigerim@example.com").exists()
    confirmation = OutgoingEmail.objects.get(recipient="aigerim@example.com")
    assert confirmation.status == OutgoingEmail.Status.QUEUED


def test_login_succeeds_while_redis_is_down(client, redis_down):
    user = make_user("delegate@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    response = client.post(
        "/en/accounts/login/", {"login": "delegate@example.com", "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_cache_outage_is_not_asked_again_for_every_request(client, settings):
    # A Redis that drops every connection: after the first failure the cache stops asking
    # for a while instead of paying a connection attempt on every call.
    server = ClosingServer()
    try:
        _point_cache_at(settings, f"redis://127.0.0.1:{server.port}/0", RETRY_AFTER=3600)
        client.force_login(make_delegate())
        category = make_category()
        url = f"/en/events/{category.event.slug}/register/"

        statuses = [client.post(url, {}).status_code for _ in range(10)]
    finally:
        server.close()

    assert statuses == [400] * 10  # the form's errors, never a 500
    assert 1 <= server.connections <= 2


def test_rate_limits_still_count_on_the_fail_open_cache(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "delegate_forms": (2, 600)}
    client.force_login(make_delegate())
    url = f"/en/events/{make_category().event.slug}/register/"

    statuses = [client.post(url, {}).status_code for _ in range(3)]

    assert statuses == [400, 400, 429]


def test_wrong_redis_credentials_are_logged_as_an_error_every_time_asked_again(settings, caplog):
    """A refused password is a configuration fault, not an outage: requests go on, but it is
    an error in the log each time the cache is asked again, not one warning per outage."""
    from django.core.cache import caches

    _point_cache_at(
        settings,
        "redis://nosuchuser:wrong-password@127.0.0.1:6379/0",
        RETRY_AFTER=0,
    )
    cache = caches["default"]

    with caplog.at_level(logging.WARNING, logger="minex.cache"):
        assert cache.add("probe", 1) is True  # fails open: the request is not refused
        assert cache.get("probe") is None

    refusals = [r for r in caplog.records if "refuses our credentials" in r.getMessage()]
    assert [r.levelno for r in refusals] == [logging.ERROR, logging.ERROR]
