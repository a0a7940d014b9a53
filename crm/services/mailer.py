"""Outgoing e-mail over SMTP: commercial proposals with their PDF attachments.

Settings (crm.config): SMTP_HOST, SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD, SMTP_SECURITY
("starttls", "ssl" or "none"), MAIL_FROM (else SMTP_USERNAME) and SMTP_TIMEOUT. One attempt
per message, no retries: a failure becomes a MailError whose message is for the user, while
the technical detail goes to the log (never the password).
"""

import logging
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l

from crm.services.errors import DomainError

logger = logging.getLogger(__name__)

SECURITY_MODES = ("starttls", "ssl", "none")
# Text parts go out quoted-printable or base64, never raw 8-bit: any server takes them.
_POLICY = policy.default.clone(cte_type="7bit")


class MailError(DomainError):
    """The message could not be sent; the message of the error is for the user."""


@dataclass(frozen=True)
class Attachment:
    """A file attached to a message: a commercial proposal is a PDF."""

    filename: str
    content: bytes
    mime_type: str = "application/pdf"


def mail_configured() -> bool:
    """Whether the app can send e-mail: an SMTP host and a sender address are set."""
    config = current_app.config
    return bool(config.get("SMTP_HOST")) and _sender_address(config) is not None


def send_mail(
    to: str,
    subject: str,
    body: str,
    attachments: Iterable[Attachment] = (),
    reply_to: str | None = None,
) -> str:
    """Send a plain-text message to one recipient; returns its Message-ID ("<...>").

    Raises MailError when e-mail is not configured, an address is not valid, or the
    server cannot be reached or refuses the message.
    """
    config = current_app.config
    if not mail_configured():
        logger.error("Cannot send e-mail: SMTP_HOST or MAIL_FROM (SMTP_USERNAME) is not set")
        raise MailError(_l("E-mail is not configured."))
    security = str(config.get("SMTP_SECURITY") or "starttls").lower()
    if security not in SECURITY_MODES:
        logger.error(
            "Cannot send e-mail: SMTP_SECURITY=%r, expected one of %s", security, SECURITY_MODES
        )
        raise MailError(_l("E-mail is not configured correctly."))

    recipient = _valid_address(to, _l("The recipient's e-mail address is not valid."))
    reply_address = (
        _valid_address(reply_to, _l("The reply-to e-mail address is not valid."))
        if reply_to
        else None
    )
    sender_header = config.get("MAIL_FROM") or config.get("SMTP_USERNAME")
    sender = _sender_address(config)

    message = EmailMessage(policy=_POLICY)
    message["From"] = sender_header
    message["To"] = recipient
    if reply_address:
        message["Reply-To"] = reply_address
    message["Subject"] = _one_line(str(subject))
    message["Date"] = format_datetime(datetime.now(UTC))
    message_id = make_msgid(domain=_ascii_domain(sender))
    message["Message-ID"] = message_id
    message.set_content(str(body))
    for attachment in attachments:
        maintype, _sep, subtype = attachment.mime_type.partition("/")
        # A non-ASCII filename goes out RFC 2231-encoded (filename*=utf-8''...).
        message.add_attachment(
            attachment.content,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=_one_line(str(attachment.filename)),
        )

    host, port = config["SMTP_HOST"], int(config.get("SMTP_PORT") or 587)
    try:
        _deliver(message, sender, recipient, config, security)
    except smtplib.SMTPAuthenticationError as exc:
        _log_failure(host, port, recipient, exc)
        raise MailError(
            _l("The mail server did not accept the login. Check the SMTP user name and password.")
        ) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        _log_failure(host, port, recipient, exc)
        raise MailError(
            _l("The mail server refused the recipient address %(address)s.", address=recipient)
        ) from exc
    except smtplib.SMTPSenderRefused as exc:
        _log_failure(host, port, recipient, exc)
        if exc.smtp_code == 530:  # "authentication required"
            raise MailError(
                _l("The mail server requires a login: set the SMTP user name and password.")
            ) from exc
        raise MailError(_l("The mail server refused the sender address.")) from exc
    except smtplib.SMTPNotSupportedError as exc:
        _log_failure(host, port, recipient, exc)
        raise MailError(
            _l(
                "The mail server does not support what this message needs"
                " (encryption, login or the address)."
            )
        ) from exc
    except (TimeoutError, smtplib.SMTPServerDisconnected) as exc:
        _log_failure(host, port, recipient, exc)
        # smtplib reports a reply that timed out as "server disconnected".
        if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
            raise MailError(
                _l("The mail server did not respond in time. Try again later.")
            ) from exc
        raise MailError(
            _l("The mail server closed the connection unexpectedly. Try again later.")
        ) from exc
    except ssl.SSLError as exc:
        _log_failure(host, port, recipient, exc)
        raise MailError(
            _l("A secure connection to the mail server could not be established.")
        ) from exc
    except smtplib.SMTPException as exc:
        _log_failure(host, port, recipient, exc)
        raise MailError(_l("The mail server refused the message.")) from exc
    except OSError as exc:  # connection refused, unknown host, network unreachable
        _log_failure(host, port, recipient, exc)
        raise MailError(
            _l("Could not connect to the mail server. Try again later or check the settings.")
        ) from exc
    logger.info("Sent e-mail %s to %s via %s:%s", message_id, recipient, host, port)
    return message_id


def _deliver(
    message: EmailMessage, sender: str, recipient: str, config: Mapping[str, Any], security: str
) -> None:
    host, port = config["SMTP_HOST"], int(config.get("SMTP_PORT") or 587)
    timeout = float(config.get("SMTP_TIMEOUT") or 15)
    context = ssl.create_default_context()
    if security == "ssl":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if security == "starttls":
            smtp.starttls(context=context)
        if config.get("SMTP_USERNAME"):
            smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
        # The envelope names the one recipient: nothing in the headers adds others.
        smtp.send_message(message, from_addr=sender, to_addrs=[recipient])


def _valid_address(value: str | None, error: Any) -> str:
    """One bare address (no name, no list, no line breaks), or MailError."""
    value = (value or "").strip()
    if not value or any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise MailError(error)
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise MailError(error) from exc
    # An internationalised domain goes out in its ASCII (IDNA) form when the address allows.
    return result.ascii_email or result.normalized


def _sender_address(config: Mapping[str, Any]) -> str | None:
    """The bare address of MAIL_FROM (which may carry a display name), else SMTP_USERNAME."""
    address = parseaddr(config.get("MAIL_FROM") or config.get("SMTP_USERNAME") or "")[1]
    return address if "@" in address else None


def _ascii_domain(address: str) -> str:
    domain = address.rpartition("@")[2]
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return "localhost"


def _one_line(text: str) -> str:
    """Header text on one line: line breaks would start a header of their own."""
    return " ".join(text.split())


def _log_failure(host: str, port: int, recipient: str, exc: BaseException) -> None:
    # smtplib's errors carry the server's reply, never the password we sent.
    logger.warning(
        "Sending e-mail to %s via %s:%s failed: %s: %s",
        recipient,
        host,
        port,
        type(exc).__name__,
        exc,
    )
