"""A real SMTP server for tests (aiosmtpd, on 127.0.0.1): it records what it accepts, and can
refuse addresses, refuse for now, or run a hook before it accepts a message."""

import email
import email.policy
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self):
        self.received = []  # the accepted messages, as email.message.EmailMessage
        self.connections = 0
        self.refused = {}  # address -> the reply that refuses it, e.g. "550 5.1.1 No such user"
        self.before_accept = None  # called with the message; may return a reply that refuses it
        self._lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self._lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return self.refused[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        if self.before_accept is not None and (reply := self.before_accept(message)):
            return reply
        with self._lock:
            self.received.append(message)
        return "250 Message accepted"

    @property
    def message_ids(self) -> list[str]:
        return [message["Message-ID"] for message in self.received]


class SmtpServer:
    def __init__(self, port: int):
        self.port = port
        self.sink = Sink()
        self._controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> "SmtpServer":
        self._controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
