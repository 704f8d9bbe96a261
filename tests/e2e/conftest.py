"""Browser journeys: a live server, a real SMTP server, axe for accessibility."""

import os
import re
from email.message import EmailMessage as Message
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from playwright.sync_api import Page

from tests.smtp_server import SMTPServer

PHONE = {"width": 375, "height": 740}


class Mailbox:
    """What the real SMTP server received, read the way a delegate's mail client would."""

    def __init__(self, server: SMTPServer):
        self.server = server

    def messages_to(self, address: str) -> list[Message]:
        handler = self.server.handler
        with handler.received:
            pairs = list(zip(handler.envelopes, handler.messages, strict=True))
        return [message for (_sender, recipients), message in pairs if address in recipients]

    def latest_to(self, address: str) -> Message:
        messages = self.messages_to(address)
        assert messages, f"no e-mail reached {address}"
        return messages[-1]

    @staticmethod
    def text_of(message: Message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def subject_of(message: Message) -> str:
        # Django folds a long non-ASCII subject right after "Subject:", which unfolds to a
        # leading space; mail clients trim it, and so does this.
        return str(message["Subject"]).strip()

    def link_in(self, message: Message, pattern: str) -> str:
        match = re.search(pattern, self.text_of(message))
        assert match, f"no link matching {pattern!r} in:\n{self.text_of(message)}"
        return match.group(0)


@pytest.fixture
def mailbox(settings, live_server):
    """Mail goes through the outbox to a real SMTP server; links point to the live server."""
    server = SMTPServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = live_server.url
    yield Mailbox(server)
    from mail.transport import connection

    connection.close()
    server.stop()


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def assert_accessible(axe: Axe, page: Page) -> None:
    """No serious or critical axe violations on the page as it is now."""
    results = axe.run(page)
    serious = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        f"{[node['target'] for node in violation['nodes'][:3]]}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{page.url}:\n" + "\n".join(serious)


def assert_fits_a_phone(page: Page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways at {width[1]} px: {width[0]} px"


# Runs before any page script (Playwright injects it outside the page's policy) and records
# every violation the page reports.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} `
    + `at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


class BrowserProblems:
    """Console errors, uncaught exceptions and CSP violations seen on the visited pages."""

    def __init__(self, page: Page):
        self.page = page
        self.seen: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.seen.append(f"exception: {error}"))

    def _on_console(self, message) -> None:
        # The browser asks for /favicon.ico by itself; the portal has none (a 404, no policy).
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            self.seen.append(f"console: {message.text} ({message.location['url']})")

    def forget_expected_status(self, status: int) -> None:
        """The page itself answered `status` on purpose (a form with errors answers 400);
        the browser logs that as an error."""
        expected = f"the server responded with a status of {status}"
        self.seen = [seen for seen in self.seen if not (expected in seen and self.page.url in seen)]

    def check(self) -> None:
        """Collect the current page's violations; no problem may have been seen so far."""
        violations = self.page.evaluate("window.__violations || []")
        self.seen.extend(f"{self.page.url}: {violation}" for violation in violations)
        assert self.seen == []

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response.ok, (url, response.status)
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        self.page.wait_for_load_state("load")
        self.check()


def log_in(page: Page, live_server, user) -> None:
    """By session cookie: the login form is allauth's, rate-limited, tested elsewhere."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


class Screenshots:
    """Numbered full-page screenshots of a journey, for a person to look at afterwards."""

    def __init__(self, folder: Path, journey: str):
        self.folder = folder
        self.journey = journey
        self.taken: list[Path] = []

    def take(self, page: Page, step: str) -> Path:
        path = self.folder / f"{self.journey}-{len(self.taken) + 1:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path


@pytest.fixture
def screenshots(tmp_path):
    """`screenshots("delegate-ru-375")`: a journey's screenshots, into $MINEX_SCREENSHOTS when
    set (kept after the run) or else the test's tmp_path, named `delegate-ru-375-06-form.png`."""
    folder = Path(os.environ.get("MINEX_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return lambda journey: Screenshots(folder, journey)
