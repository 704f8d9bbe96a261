"""The README's demo path: with no DATABASE_URL or REDIS_URL, `bin/demo` runs the portal on
SQLite with the demo data, from a copy of the checkout without dev tools."""

import datetime
import http.cookiejar
import os
import re
import shutil
import sqlite3
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.processes import ROOT, clean_environment, free_port, running, wait_for_http

pytestmark = pytest.mark.integration


# bin/demo ------------------------------------------------------------------------------------

DEV_PACKAGES = ("pytest", "playwright", "ruff", "hypothesis")


def _copy_of_the_checkout(destination: Path) -> Path:
    """The project's files without its virtualenv, data or caches: what a fresh clone has."""
    shutil.copytree(
        ROOT,
        destination,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "data", ".env", "__pycache__", "*.mo", ".pytest_cache",
            ".ruff_cache", ".hypothesis", "node_modules", "staticfiles", "test-results",
        ),
    )  # fmt: skip
    return destination


def _environment_of_a_shell(**overrides: str) -> dict[str, str]:
    """A login shell's environment: no Django or service settings, no activated virtualenv."""
    env = clean_environment(**overrides)
    env.pop("VIRTUAL_ENV", None)
    env.pop("UV_NO_DEV", None)
    env["PATH"] = os.pathsep.join(
        entry for entry in env["PATH"].split(os.pathsep) if not entry.startswith(str(ROOT))
    )
    return env


class Browser:
    """Just enough of a browser for Django forms: cookies, the CSRF token, the Referer."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> str:
        with self.opener.open(self.base_url + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, fields: dict) -> str:
        self.get(path)
        token = next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")
        request = urllib.request.Request(  # noqa: S310 - loopback, http
            self.base_url + path,
            data=urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode(),
            headers={"Referer": self.base_url + path},
        )
        with self.opener.open(request, timeout=30) as response:
            return response.geturl()


def _category_open_today(database: Path) -> tuple[int, int]:
    """(event id, "delegate" category id) of an edition whose registration is open now."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT event.id, category.id FROM events_event event"
            " JOIN registrations_delegatecategory category ON category.event_id = event.id"
            " WHERE category.code = 'delegate' AND event.status = 'published'"
            " AND event.registration_opens_at <= ? AND event.registration_closes_at > ?"
            " ORDER BY event.start_date LIMIT 1",
            (now, now),
        ).fetchone()


def test_bin_demo_serves_on_port_and_links_there_without_dev_tools(tmp_path):
    checkout = _copy_of_the_checkout(tmp_path / "portal")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "demo.log"
    env = _environment_of_a_shell(PORT=f"127.0.0.1:{port}")

    with running([str(checkout / "bin" / "demo")], env=env, log=log):
        status, english = wait_for_http(f"{url}/en/", timeout=180)
        assert status == 200, log.read_text()
        # The demo data: the four forums, in English and in Russian.
        for name in ("MINEX Forum Astana", "MINEX Asia", "MINEX Europe", "MINEX Eurasia"):
            assert name in english.decode()
        status, russian = wait_for_http(f"{url}/ru/")
        assert status == 200
        assert "Форум MINEX в Астане" in russian.decode()
        assert "Лондон" in russian.decode()
        assert wait_for_http(f"{url}/healthz")[0] == 200
        # The secretariat registers a delegate: both e-mails go out (to this console).
        browser = Browser(url)
        browser.post(
            "/en/accounts/login/",
            {"login": "admin@minexforum.example", "password": "minex-demo"},
        )
        event_id, category_id = _category_open_today(checkout / "data" / "minex.sqlite3")
        landed = browser.post(
            "/en/admin/registrations/registration/on-behalf/",
            {
                "event": event_id,
                "category": category_id,
                "email": "delegate@example.com",
                "title": "dr",
                "first_name": "Aigerim",
                "last_name": "Nurlanova",
                "latin_name": "Aigerim Nurlanova",
                "job_title": "Chief Geologist",
                "organisation": "Steppe Minerals LLP",
                "country": "KZ",
                "phone": "+77012345678",
                "language": "en",
                "consent_privacy": "on",
            },
        )
        assert re.search(r"/registration/\d+/change/$", landed), landed
        # The changelist's search on SQLite: Django's icontains (no unaccent, no trigrams).
        found = browser.get("/en/admin/registrations/registration/?q=nurlanova")
        assert "Aigerim Nurlanova" in found
        assert "0 registrations" not in found

    output = log.read_text()
    # Every e-mail is recorded as sent in the outbox (on SQLite too), none left "sending".
    with sqlite3.connect(checkout / "data" / "minex.sqlite3") as connection:
        statuses = dict(
            connection.execute(
                "SELECT status, COUNT(*) FROM mail_outgoingemail GROUP BY status"
            ).fetchall()
        )
    assert set(statuses) == {"sent"}, statuses
    assert f"MINEX Forum Portal: {url}  (admin: {url}/en/admin/)" in output
    assert "printed below in this terminal" in output
    # The e-mails' links lead to the address served, not to the default port.
    assert f'href="{url}/en/events/' in output
    assert f"{url}/en/admin/registrations/registration/" in output
    assert "127.0.0.1:8000" not in output
    assert "No hostname was supplied" not in output and "kombu" not in output
    site_packages = next((checkout / ".venv" / "lib").glob("python3*/site-packages"))
    installed = {path.name.lower() for path in site_packages.iterdir()}
    assert [name for name in DEV_PACKAGES if name in installed] == []
