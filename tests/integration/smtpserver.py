"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the integration tests,
running inside the test process.

    from smtpserver import smtp            # the fixture

    def test_something(mw, smtp):
        mw.write_config(f'mail = {{ transport = "smtp"; url = "{smtp.url}"; }};')
        ...
        smtp.wait_for(2)                    # two messages accepted
        msg = smtp.messages[0].message      # email.message.EmailMessage
        smtp.stop(); smtp.start()           # down, then back on the same port

Every accepted message is kept as a Delivery (envelope and parsed message)
in arrival order.  The server's behaviour is its mode, which a test may
change at any time:

    "accept"  (default) take every message
    "reject"  answer RCPT with 550, so nothing is accepted
    "defer"   answer RCPT with 451 (try again later)
    "drop"    read the whole message, then close the connection instead of
              answering: the client never learns whether it was taken
    "hold"    let the first `after` sessions through, then keep the next
              `count` sessions (all later ones when count is None) waiting
              at RCPT, before any of the message is sent, until release()
              or stop(); `held` counts waiting sessions and
              `held_delivered` the messages of once-held sessions taken
    "hold_data"  the same, but the session waits after the client sent
              DATA, before the server answers 354 (a slow server)

Besides the mode, `answers` maps an address (lower case) to the reply its
RCPT gets instead, e.g. {"nobody@example.gov.cn": "550 5.1.1 User
unknown"}; `rcpts_seen` lists every RCPT address received, in order.

The listening port is chosen once (ephemeral) and kept across stop() and
start(), so a stopped server looks to a client like a mail server that is
down (connection refused) and comes back at the same address.
"""

import asyncio
import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

HOST = "127.0.0.1"
HOLD_CAP = 60.0       # a held session gives up after this (a broken test)


@dataclass
class Delivery:
    """One message the server accepted."""
    mail_from: str
    rcpt_tos: list
    data: bytes                    # the message as received
    message: email.message.EmailMessage

    @property
    def message_id(self):
        return self.message["Message-ID"]


def free_port(host=HOST):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class _Handler:
    """aiosmtpd hooks; every decision is the owning SMTPServer's mode."""

    def __init__(self, owner):
        self.owner = owner

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        owner = self.owner
        owner._note_rcpt(address)
        if address.lower() in owner.answers:
            return owner.answers[address.lower()]
        if owner.mode == "reject":
            return "550 5.1.1 <%s>: recipient rejected by the test" % address
        if owner.mode == "defer":
            return "451 4.2.0 <%s>: mailbox busy, try later" % address
        if owner.mode == "hold" and owner._must_hold(session):
            await owner._wait_release()
            if owner._stopping:
                return "421 4.3.2 shutting down"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        owner = self.owner
        if owner.mode == "drop":
            owner._note_dropped()
            server.transport.abort()
            return "421 4.3.0 dropped by the test"
        owner._store(envelope, session)
        return "250 2.0.0 accepted"


class _SMTP(SMTP):
    """aiosmtpd's server with a pause before the DATA reply."""

    def __init__(self, handler, owner, **kwargs):
        super().__init__(handler, **kwargs)
        self.owner = owner

    async def smtp_DATA(self, arg):
        owner = self.owner
        if (owner.mode == "hold_data" and self.envelope.rcpt_tos
                and owner._must_hold(self.session)):
            await owner._wait_release()
        await super().smtp_DATA(arg)


class _Controller(Controller):
    def __init__(self, owner, *args, **kwargs):
        super().__init__(_Handler(owner), *args, **kwargs)
        self.owner = owner

    def factory(self):
        return _SMTP(self.handler, self.owner, **self.SMTP_kwargs)


class SMTPServer:
    """See the module docstring."""

    def __init__(self, host=HOST, port=None):
        self.host = host
        self.port = port or free_port(host)
        self.url = f"smtp://{host}:{self.port}"
        self.mode = "accept"
        self.hold_after = 0
        self.messages = []
        self.answers = {}
        self.rcpts_seen = []
        self.dropped = 0
        self.held = 0
        self.held_delivered = 0
        self.hold_count = None
        self._passed = set()
        self._holding = set()
        self._cond = threading.Condition()
        self._release = threading.Event()
        self._stopping = False
        self._controller = None

    # ---- lifecycle

    def start(self):
        """Listens (again) on the same port."""
        assert self._controller is None, "already running"
        self._stopping = False
        self._controller = _Controller(self, hostname=self.host,
                                       port=self.port, ready_timeout=10)
        self._controller.start()

    def stop(self):
        """Stops listening; held sessions are let go (answered 421)."""
        if self._controller is None:
            return
        self._stopping = True
        self._release.set()
        self._controller.stop()
        self._controller = None
        self._release.clear()

    @property
    def running(self):
        return self._controller is not None

    # ---- modes

    def hold(self, after=0, count=None, at="rcpt"):
        """Lets `after` more sessions through, then holds `count` of the
        later ones (None: all of them) at RCPT or, at="data", before the
        reply to DATA."""
        with self._cond:
            self.hold_after = after
            self.hold_count = count
            self._passed = set()
            self._holding = set()
            self._release.clear()
            self.mode = "hold" if at == "rcpt" else "hold_data"

    def release(self):
        """Lets held sessions go on and accepts everything from now on."""
        self.mode = "accept"
        self._release.set()

    def _must_hold(self, session):
        """The first RCPT of a session decides for all of its recipients."""
        with self._cond:
            if id(session) in self._passed:
                return False
            if id(session) in self._holding:
                return True
            if len(self._passed) < self.hold_after or (
                    self.hold_count is not None and
                    len(self._holding) >= self.hold_count):
                self._passed.add(id(session))
                return False
            self._holding.add(id(session))
            return True

    async def _wait_release(self):
        self._held_change(+1)
        try:
            deadline = time.monotonic() + HOLD_CAP
            while (not self._release.is_set()
                   and time.monotonic() < deadline):
                await asyncio.sleep(0.02)
        finally:
            self._held_change(-1)

    def _held_change(self, delta):
        with self._cond:
            self.held += delta
            self._cond.notify_all()

    def _note_rcpt(self, address):
        with self._cond:
            self.rcpts_seen.append(address)

    def _note_dropped(self):
        with self._cond:
            self.dropped += 1
            self._cond.notify_all()

    def _store(self, envelope, session):
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8")
        msg = email.message_from_bytes(data, policy=email.policy.default)
        with self._cond:
            self.messages.append(Delivery(envelope.mail_from,
                                          list(envelope.rcpt_tos), data, msg))
            if id(session) in self._holding:
                self.held_delivered += 1
            self._cond.notify_all()

    # ---- waiting for what the client did

    def _wait(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"SMTP server: timed out waiting for {what} "
                                f"({len(self.messages)} messages, "
                                f"{self.held} held, {self.dropped} dropped)")
                self._cond.wait(left)

    def wait_for(self, count, timeout=30.0):
        """Blocks until count messages were accepted; returns them."""
        self._wait(lambda: len(self.messages) >= count, timeout,
                   f"{count} messages")
        return list(self.messages)

    def wait_held(self, count, timeout=30.0):
        """Blocks until count sessions are held at RCPT."""
        self._wait(lambda: self.held >= count, timeout,
                   f"{count} held sessions")

    def wait_held_delivered(self, count, timeout=30.0):
        """Blocks until count once-held sessions delivered their message."""
        self._wait(lambda: self.held_delivered >= count, timeout,
                   f"{count} messages from held sessions")
        return list(self.messages)

    def message_ids(self):
        with self._cond:
            return [d.message_id for d in self.messages]


@pytest.fixture
def smtp():
    """A running SMTPServer on 127.0.0.1, stopped at teardown."""
    server = SMTPServer()
    server.start()
    yield server
    server.stop()
