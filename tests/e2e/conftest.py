"""Browser journeys: a live server, a real SMTP server, axe for accessibility."""

import re
from email.message import EmailMessage as Message

import pytest
from axe_playwright_python.sync_playwright import Axe
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
        return str(message["Subject"])

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
