"""A real SMTP server for tests (aiosmtpd), that keeps what it is sent and can be made slow."""
import asyncio
import email
import logging
import re
import threading
import time
from contextlib import contextmanager
from email import policy

from aiosmtpd.controller import Controller

from testing.servers import free_port

# aiosmtpd logs every command it receives at INFO.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class Mailbox:
    """What the server accepted, as parsed mails. A slow SMTP server: `delay` seconds before it
    accepts each mail's data, or `hold` (a threading.Event, unset) until that is set."""

    def __init__(self):
        self.mails = []
        self.hold = None
        self.delay = 0  # seconds the server takes to accept each mail's data
        self.data_started = threading.Event()
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        self.data_started.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.hold is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.hold.wait, 60)
        mail = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._arrived:
            self.mails.append(mail)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count=1, timeout=20):
        """The first `count` mails, once they have arrived (AssertionError after `timeout` s)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.mails) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"{len(self.mails)} of {count} mails arrived within {timeout} s"
                self._arrived.wait(left)
            return self.mails[:count]


def body(mail):
    return mail.get_body(preferencelist=("plain",)).get_content()


def link(mail, pattern):
    """The first URL in a mail's text that matches `pattern` (a regular expression)."""
    found = re.search(pattern, body(mail))
    assert found, body(mail)
    return found


@contextmanager
def smtp_server():
    """An SMTP server on a free local port; yield (its port, its Mailbox)."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, mailbox
    finally:
        if mailbox.hold is not None:
            mailbox.hold.set()
        controller.stop()
