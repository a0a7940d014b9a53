"""Sending mail through a real SMTP server (aiosmtpd, see tests/smtp_server.py)."""

import logging
import socket

import pytest

from crm.services.mailer import Attachment, MailError, mail_configured, send_mail
from tests.smtp_server import SMTP_AUTH_PASSWORD, SMTP_AUTH_USER

# smtp_auth_server requires AUTH without TLS, and aiosmtpd warns about that on each connection.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def _configure(monkeypatch, app, host: str, port: int, **extra) -> None:  # noqa: ANN001, ANN003
    """Point the app at a server; monkeypatch puts the old settings back after the test."""
    settings = {
        "SMTP_HOST": host,
        "SMTP_PORT": port,
        "SMTP_USERNAME": None,
        "SMTP_PASSWORD": None,
        "SMTP_SECURITY": "none",
        "MAIL_FROM": "Відділ продажів <sales@example.com>",
        "SMTP_TIMEOUT": 5,
        **extra,
    }
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)


@pytest.fixture
def mailer_log(monkeypatch, caplog):  # noqa: ANN001, ANN201
    """The mailer's log records. The migrations' fileConfig() disables the loggers that
    exist when the session's app is built, this module's among them: turn it back on."""
    monkeypatch.setattr(logging.getLogger("crm.services.mailer"), "disabled", False)
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def mail_to_server(monkeypatch, app, smtp_server):  # noqa: ANN001, ANN201
    _configure(monkeypatch, app, smtp_server.host, smtp_server.port)
    return smtp_server


def test_a_proposal_arrives_with_its_pdf(mail_to_server):
    message_id = send_mail(
        "olena@example.com",
        "Комерційна пропозиція КП-2026-0001",
        "Добрий день!\n\nНадсилаємо комерційну пропозицію.\n",
        attachments=[Attachment("КП-2026-0001.pdf", PDF)],
        reply_to="manager@example.com",
    )

    assert len(mail_to_server.messages) == 1
    received = mail_to_server.messages[0]
    assert mail_to_server.envelopes == [("sales@example.com", ["olena@example.com"])]
    assert received["From"].addresses[0].addr_spec == "sales@example.com"
    assert received["From"].addresses[0].display_name == "Відділ продажів"
    assert str(received["To"]) == "olena@example.com"
    assert str(received["Reply-To"]) == "manager@example.com"
    assert str(received["Subject"]) == "Комерційна пропозиція КП-2026-0001"
    assert received["Message-ID"] == message_id
    assert message_id.startswith("<") and message_id.endswith("@example.com>")
    assert received["Date"] is not None

    body = received.get_body(preferencelist=("plain",))
    # SMTP carries text with CRLF line ends.
    assert body.get_content().replace("\r\n", "\n") == (
        "Добрий день!\n\nНадсилаємо комерційну пропозицію.\n"
    )
    attachments = list(received.iter_attachments())
    assert len(attachments) == 1
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_filename() == "КП-2026-0001.pdf"
    assert attachments[0].get_content() == PDF


def test_the_filename_is_rfc2231_encoded_on_the_wire(mail_to_server):
    send_mail("olena@example.com", "КП", "Текст", attachments=[Attachment("КП-2026-0001.pdf", PDF)])

    raw = mail_to_server.messages[0].as_bytes()
    assert b"filename*=utf-8''%D0%9A%D0%9F-2026-0001.pdf" in raw
    assert raw.isascii()  # subject, body and filename are all encoded for 7-bit transport


def test_without_a_host_mail_is_not_configured(app):
    assert app.config["SMTP_HOST"] is None
    assert mail_configured() is False
    with pytest.raises(MailError, match="not configured"):
        send_mail("olena@example.com", "Subject", "Body")


def test_mail_from_falls_back_to_the_smtp_user_name(monkeypatch, app, smtp_server):
    _configure(monkeypatch, app, smtp_server.host, smtp_server.port, MAIL_FROM=None)
    assert mail_configured() is False  # a host but no sender

    monkeypatch.setitem(app.config, "SMTP_USERNAME", "robot@example.com")
    assert mail_configured() is True


def test_a_closed_port_is_a_connection_error(monkeypatch, app, mailer_log):
    # A bound socket that does not listen: connecting to it is refused.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        _configure(monkeypatch, app, "127.0.0.1", closed.getsockname()[1])
        with pytest.raises(MailError, match="Could not connect"):
            send_mail("olena@example.com", "Subject", "Body")
    assert "ConnectionRefusedError" in mailer_log.text


def test_a_silent_server_times_out(monkeypatch, app):
    # The kernel accepts the connection, but no greeting ever comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        _configure(monkeypatch, app, "127.0.0.1", silent.getsockname()[1], SMTP_TIMEOUT=0.3)
        with pytest.raises(MailError, match="did not respond in time"):
            send_mail("olena@example.com", "Subject", "Body")


@pytest.mark.parametrize(
    "recipient",
    [
        "olena@example.com\nBcc: victim@example.org",
        "olena@example.com\r\nBcc: victim@example.org",
        "olena@example.com, victim@example.org",
        "olena@example.com;victim@example.org",
        "Olena <olena@example.com>",
        "",
        "   ",
        "not-an-address",
    ],
)
def test_a_bad_recipient_is_refused_before_anything_is_sent(mail_to_server, recipient):
    with pytest.raises(MailError, match="recipient's e-mail address is not valid"):
        send_mail(recipient, "Subject", "Body", attachments=[Attachment("a.pdf", PDF)])
    assert mail_to_server.messages == []


def test_a_bad_reply_to_is_refused(mail_to_server):
    with pytest.raises(MailError, match="reply-to"):
        send_mail("olena@example.com", "Subject", "Body", reply_to="x@y.z\nBcc: v@example.org")
    assert mail_to_server.messages == []


def test_line_breaks_in_the_subject_do_not_make_headers(mail_to_server):
    send_mail("olena@example.com", "Offer\r\nBcc: victim@example.org", "Body")

    received = mail_to_server.messages[0]
    assert str(received["Subject"]) == "Offer Bcc: victim@example.org"
    assert received["Bcc"] is None
    assert mail_to_server.envelopes[0][1] == ["olena@example.com"]


def test_a_refused_recipient_is_a_mail_error(mail_to_server):
    mail_to_server.refused_recipients.add("gone@example.com")

    with pytest.raises(MailError, match="refused the recipient address gone@example.com"):
        send_mail("gone@example.com", "Subject", "Body")
    assert mail_to_server.messages == []


def test_login_with_the_right_password_sends(monkeypatch, app, smtp_auth_server):
    _configure(
        monkeypatch,
        app,
        smtp_auth_server.host,
        smtp_auth_server.port,
        SMTP_USERNAME=SMTP_AUTH_USER,
        SMTP_PASSWORD=SMTP_AUTH_PASSWORD,
    )
    send_mail("olena@example.com", "Subject", "Body")
    assert len(smtp_auth_server.messages) == 1


def test_with_a_login_and_no_mail_from_the_user_name_is_the_sender(
    monkeypatch, app, smtp_auth_server
):
    _configure(
        monkeypatch,
        app,
        smtp_auth_server.host,
        smtp_auth_server.port,
        MAIL_FROM=None,
        SMTP_USERNAME=SMTP_AUTH_USER,
        SMTP_PASSWORD=SMTP_AUTH_PASSWORD,
    )
    send_mail("olena@example.com", "Subject", "Body")
    assert smtp_auth_server.envelopes == [(SMTP_AUTH_USER, ["olena@example.com"])]
    assert str(smtp_auth_server.messages[0]["From"]) == SMTP_AUTH_USER


def test_a_wrong_password_is_a_mail_error_and_is_not_logged(
    monkeypatch, app, smtp_auth_server, mailer_log
):
    _configure(
        monkeypatch,
        app,
        smtp_auth_server.host,
        smtp_auth_server.port,
        SMTP_USERNAME=SMTP_AUTH_USER,
        SMTP_PASSWORD="wrong-password-123",
    )
    with pytest.raises(MailError, match="did not accept the login") as raised:
        send_mail("olena@example.com", "Subject", "Body")

    assert smtp_auth_server.messages == []
    assert "SMTPAuthenticationError" in mailer_log.text
    assert "wrong-password-123" not in mailer_log.text
    assert "wrong-password-123" not in str(raised.value)


def test_no_login_on_a_server_that_requires_it(monkeypatch, app, smtp_auth_server):
    _configure(monkeypatch, app, smtp_auth_server.host, smtp_auth_server.port)
    with pytest.raises(MailError, match="requires a login"):
        send_mail("olena@example.com", "Subject", "Body")
    assert smtp_auth_server.messages == []


def test_starttls_on_a_server_without_it_is_a_mail_error(mail_to_server, monkeypatch, app):
    monkeypatch.setitem(app.config, "SMTP_SECURITY", "starttls")
    with pytest.raises(MailError, match="does not support"):
        send_mail("olena@example.com", "Subject", "Body")
    assert mail_to_server.messages == []


def test_an_unknown_security_mode_is_a_mail_error(mail_to_server, monkeypatch, app):
    monkeypatch.setitem(app.config, "SMTP_SECURITY", "tls-please")
    with pytest.raises(MailError, match="not configured correctly"):
        send_mail("olena@example.com", "Subject", "Body")


def test_ssl_to_a_plain_server_is_a_mail_error(mail_to_server, monkeypatch, app):
    monkeypatch.setitem(app.config, "SMTP_SECURITY", "ssl")
    with pytest.raises(MailError, match="secure connection"):
        send_mail("olena@example.com", "Subject", "Body")
    assert mail_to_server.messages == []
