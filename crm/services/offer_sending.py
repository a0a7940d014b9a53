"""Sending a proposal by e-mail: mark it sent (which freezes its PDF), then mail that PDF.

The order matters: `mark_sent` checks that the offer may go out and stores the PDF first, so
the client receives exactly the frozen file. If the mail then fails, MailError propagates and
the caller rolls the transaction back: the offer stays a draft, nothing is recorded.
"""

from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm.models import InteractionType, Offer, User
from crm.services import offer_flow
from crm.services.company import company_profile
from crm.services.mailer import Attachment, send_mail
from crm.services.offer_pdf import frozen_pdf, pdf_filename


def send_offer(
    actor: User,
    offer: Offer,
    expected_version: int,
    *,
    to: str,
    subject: str,
    message: str,
    pdf: bytes | None = None,
) -> None:
    """E-mail the offer with its PDF and record it as sent; the caller commits or rolls back."""
    to = to.strip()
    offer_flow.mark_sent(
        actor,
        offer,
        expected_version,
        InteractionType.EMAIL,
        summary=str(
            _l("Offer %(number)s sent to %(email)s", number=offer.display_number, email=to)
        ),
        contact_email=to,
        pdf=pdf,
    )
    frozen = frozen_pdf(offer)
    send_mail(
        to,
        subject,
        message,
        attachments=[Attachment(pdf_filename(offer), frozen.content, "application/pdf")],
        reply_to=_reply_address(offer.owner),
    )


def default_mail(offer: Offer) -> tuple[str, str, str]:
    """Recipient, subject and a short polite body in the offer's language, signed by its owner."""
    company = company_profile()
    contact = offer.contact
    with force_locale(offer.language):
        if company.company_name:
            subject = _(
                "Commercial proposal %(number)s from %(company)s",
                number=offer.display_number,
                company=company.company_name,
            )
        else:
            subject = _("Commercial proposal %(number)s", number=offer.display_number)
        greeting = _("Good day, %(name)s!", name=contact.name) if contact else _("Good day!")
        text = _(
            "Please find attached our commercial proposal %(number)s. It is valid until %(date)s.",
            number=offer.display_number,
            date=format_date(offer.valid_until, format="long"),
        )
        closing = _("I will be glad to answer any questions.")
        signature = [_("Kind regards,"), offer.owner.name]
        signature += [line for line in (company.company_name, company.company_phone) if line]
    body = "\n\n".join([greeting, text, closing, "\n".join(signature)]) + "\n"
    return recipient(offer), subject, body


def recipient(offer: Offer) -> str:
    """The contact's first e-mail address, else the party's; empty if neither has one."""
    for emails in (offer.contact.email_list if offer.contact else [], offer.party.email_list):
        if emails:
            return emails[0].strip()
    return ""


def _reply_address(owner: User) -> str | None:
    """Replies go to the manager, if their login is an address a mail server accepts."""
    try:
        validate_email(owner.email, check_deliverability=False)
    except EmailNotValidError:
        return None
    return owner.email
