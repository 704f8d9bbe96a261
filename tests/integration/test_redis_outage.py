"""Redis (cache and broker) stops in the middle of a burst of registrations over gunicorn:
every delegate is registered (no 5xx), and every e-mail arrives once Redis is back."""

import http.cookiejar
import os
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from django.test import Client

from mail.models import OutgoingEmail
from registrations.models import Registration
from tests.factories import make_category, make_delegate, registration_form_data
from tests.processes import ROOT, VENV_BIN, free_port, running, wait_for_http, wait_until

from .conftest import worker_environment

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DELEGATES = 12  # the first half registers with Redis up, the second half while it is down


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One delegate's cookies and requests against the running server (no redirects)."""

    def __init__(self, base_url: str, session_key: str):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        host = urllib.parse.urlsplit(base_url).hostname
        self.cookies.set_cookie(_cookie("sessionid", session_key, host))
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body)  # noqa: S310 - loopback
        request.add_header("Referer", self.base_url + path)
        try:
            with self._opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


def _cookie(name: str, value: str, host: str) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(
        0, name, value, None, False, host, False, False, "/", True, False, None, False, None,
        None, {},
    )  # fmt: skip


def _register(browser: Browser, category) -> int:
    path = f"/en/events/{category.event.slug}/register/"
    status, page = browser.request(path)
    assert status == 200, page[-2000:]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    policy = re.search(r'name="privacy_policy_version" value="([^"]+)"', page).group(1)
    status, page = browser.request(
        path,
        registration_form_data(category, csrfmiddlewaretoken=token, privacy_policy_version=policy),
    )
    return status


def test_registrations_go_on_while_redis_is_down_and_their_emails_follow(
    smtp_server, broker, tmp_path
):
    category = make_category()
    delegates = [make_delegate() for _ in range(DELEGATES)]
    sessions = []
    for delegate in delegates:
        client = Client()
        client.force_login(delegate)  # a session row in the database, as after a login
        sessions.append(client.cookies["sessionid"].value)

    port = free_port()
    env = worker_environment(
        broker_url=broker.url,
        smtp=smtp_server,
        MAIL_DISPATCH_INTERVAL="1",
        MAIL_DISPATCH_LEASE="2",
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        CELERY_CONCURRENCY="1",
        CELERY_HOSTNAME=f"outage-{port}@%h",
        CELERY_BEAT_SCHEDULE_FILE=str(tmp_path / "beat-schedule"),
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    logs = {name: tmp_path / f"{name}.log" for name in ("web", "worker", "beat")}

    def log(name: str) -> str:
        return logs[name].read_text(errors="replace") if logs[name].exists() else ""

    base_url = f"http://127.0.0.1:{port}"
    with (
        running([str(ROOT / "bin/web")], env=env, log=logs["web"]),
        running([str(ROOT / "bin/worker")], env=env, log=logs["worker"]) as worker,
        running([str(ROOT / "bin/beat")], env=env, log=logs["beat"]) as beat,
    ):
        assert wait_for_http(f"{base_url}/healthz", timeout=180)[0] == 200, log("web")
        wait_until(lambda: " ready." in log("worker"), timeout=30, message=lambda: log("worker"))
        browsers = [Browser(base_url, session) for session in sessions]

        half = DELEGATES // 2
        statuses = [_register(browser, category) for browser in browsers[:half]]
        broker.stop()
        statuses += [_register(browser, category) for browser in browsers[half:]]

        assert statuses == [302] * DELEGATES, log("web")[-5000:]
        assert Registration.objects.filter(category=category).count() == DELEGATES
        assert "rate limits are not enforced" in log("web")

        broker.start()

        expected = 2 * DELEGATES  # the delegate's confirmation and the secretariat's notice
        assert smtp_server.handler.wait_for(expected, timeout=90), (
            f"{len(smtp_server.messages)} of {expected} arrived\n" + log("worker")[-5000:]
        )
        wait_until(
            lambda: not OutgoingEmail.objects.exclude(status=OutgoingEmail.Status.SENT).exists(),
            timeout=30,
            message="some outbox rows were never marked sent",
        )
        assert worker.poll() is None, log("worker")
        assert beat.poll() is None, log("beat")

    sent = OutgoingEmail.objects.all()
    message_ids = [message["Message-ID"] for message in smtp_server.messages]
    assert sorted(message_ids) == sorted(email.message_id for email in sent)
    recipients = {message["To"] for message in smtp_server.messages}
    assert recipients == {delegate.email for delegate in delegates} | {settings.SECRETARIAT_EMAIL}
