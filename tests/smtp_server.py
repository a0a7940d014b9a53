"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1), collecting what it receives.

`smtp_server` accepts any sender and recipient without login; `smtp_auth_server` also
requires AUTH (over plain SMTP: aiosmtpd is told not to insist on TLS) with
SMTP_AUTH_USER / SMTP_AUTH_PASSWORD. A recipient added to `.refused_recipients` gets a 550.
"""

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

SMTP_AUTH_USER = "robot@example.com"  # many providers log in with the address
SMTP_AUTH_PASSWORD = "s3cret-smtp-password"


@dataclass
class SmtpServer:
    """What a test sees: where the server listens and the messages it has received."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    # The SMTP envelope of each message, in the same order: (MAIL FROM, [RCPT TO, ...]).
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refused_recipients: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201, N802
        if address.lower() in {a.lower() for a in self.refused_recipients}:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"


def _authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:  # noqa: ANN001
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == SMTP_AUTH_USER.encode()
        and auth_data.password == SMTP_AUTH_PASSWORD.encode()
    )
    # handled=False: aiosmtpd itself answers 535 (with True it would send nothing at all).
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    """A TCP port nobody listens on right now (the tiny race is fine for tests)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(**smtp_parameters) -> Iterator[SmtpServer]:  # noqa: ANN003
    # aiosmtpd 1.4 checks the server by connecting to the port it was given, so port=0
    # (pick one) does not work: ask the OS for a free port first.
    state = SmtpServer(host="127.0.0.1", port=free_port())
    controller = Controller(
        state,
        hostname=state.host,
        port=state.port,
        server_hostname="smtp.test",  # no reverse-DNS lookup for the greeting
        ready_timeout=5,
        **smtp_parameters,
    )
    controller.start()
    try:
        yield state
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    yield from _run()


@pytest.fixture
def smtp_auth_server() -> Iterator[SmtpServer]:
    yield from _run(
        authenticator=_authenticator,
        auth_required=True,
        auth_require_tls=False,
    )
