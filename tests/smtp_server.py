"""A real SMTP server for tests (aiosmtpd), recording what it accepted.

Tests can make it refuse a recipient (``server.replies["a@example.com"] = "550 No such user"``),
answer the next messages' DATA with an error (``server.handler.data_replies.append("451 ...")``),
hold its answer to DATA while ``server.handler.holding`` is set (a sender that dies meanwhile
never learns the outcome), hold every message's DATA until released (``server.hold()`` …
``server.release()``: a slow or hung mail server), require a password it will never accept
(``reject_logins=True``), and count SMTP sessions, which shows whether the sender reused its
connection, and NOOPs, which show how often it checked a kept one. ``attempts`` records every
message whose DATA arrived, accepted or not (``raw_attempts`` the same as bytes); ``messages``
only the accepted ones.
"""

import asyncio
import email
import email.policy
import logging
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.processes import free_port

# aiosmtpd logs every SMTP command at INFO under "mail.log": noise in a failing test's output.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class RecordingHandler:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.attempts: list[email.message.EmailMessage] = []
        # Each DATA exactly as it arrived (bytes), accepted or not.
        self.raw_attempts: list[bytes] = []
        self.noops = 0
        self.data_replies: list[str] = []
        self.holding = threading.Event()
        self.envelopes: list[tuple[str, list[str]]] = []
        self.replies: dict[str, str] = {}
        self.sessions = 0
        self.held = 0  # messages that reached DATA while the server was holding them
        self._lock = threading.Lock()
        self.received = threading.Condition(self._lock)
        self.released = threading.Event()
        self.released.set()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self._lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_NOOP(self, server, session, envelope, arg):
        with self._lock:
            self.noops += 1
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if not self.released.is_set():
            with self._lock:
                self.held += 1
            # Wait in a helper thread, so the server's event loop keeps serving others.
            await asyncio.get_running_loop().run_in_executor(None, self.released.wait, 120)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.received:
            self.attempts.append(message)
            self.raw_attempts.append(envelope.content)
            reply = self.data_replies.pop(0) if self.data_replies else None
            self.received.notify_all()
        while self.holding.is_set():
            await asyncio.sleep(0.02)
        if reply:
            return reply
        with self.received:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.received.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float) -> bool:
        """Block until at least ``count`` messages arrived, or ``timeout`` seconds passed."""
        with self.received:
            return self.received.wait_for(lambda: len(self.messages) >= count, timeout)

    def wait_for_attempts(self, count: int, timeout: float) -> bool:
        """Block until DATA arrived at least ``count`` times (accepted or not), or timeout."""
        with self.received:
            return self.received.wait_for(lambda: len(self.attempts) >= count, timeout)


class SMTPServer:
    """aiosmtpd on a free loopback port, in a thread of this process."""

    def __init__(self, *, reject_logins: bool = False):
        self.handler = RecordingHandler()
        self.host = "127.0.0.1"
        self.port = free_port()
        options = {}
        if reject_logins:
            options = {
                "authenticator": lambda *args: AuthResult(success=False, handled=False),
                "auth_require_tls": False,
            }
        self._options = options
        self._controller = self._new_controller()

    def _new_controller(self) -> Controller:
        return Controller(self.handler, hostname=self.host, port=self.port, **self._options)

    @property
    def messages(self):
        return self.handler.messages

    @property
    def replies(self):
        return self.handler.replies

    def start(self) -> "SMTPServer":
        self._controller.start()
        return self

    def hold(self) -> None:
        """From now on, answer DATA only once ``release()`` is called (a hung mail server)."""
        self.handler.released.clear()

    def release(self) -> None:
        self.handler.released.set()

    def stop(self) -> None:
        self.release()  # nothing may stay waiting in the server's helper threads
        self._controller.stop()

    def restart(self) -> None:
        """Stop (dropping every open connection) and listen again on the same port."""
        self._controller.stop()
        self._controller = self._new_controller()
        self._controller.start()
