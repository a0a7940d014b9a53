"""E-mailing a proposal: the client gets the frozen PDF, or nothing is recorded at all."""

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Interaction, InteractionType, OfferEvent, OfferPdf, OfferStatus, Product
from crm.services.company import save_company_profile
from crm.services.errors import DomainError
from crm.services.mailer import MailError
from crm.services.offer_lines import add_product_line
from crm.services.offer_pdf import pdf_filename
from crm.services.offer_sending import default_mail, send_offer
from crm.services.offers import create_offer, default_header
from tests.factories import make_contact, make_party
from tests.smtp_server import free_port


def configure_mail(monkeypatch, app, host: str, port: int) -> None:
    for key, value in {
        "SMTP_HOST": host,
        "SMTP_PORT": port,
        "SMTP_USERNAME": None,
        "SMTP_PASSWORD": None,
        "SMTP_SECURITY": "none",
        "MAIL_FROM": "Меблевий салон <sales@example.com>",
        "SMTP_TIMEOUT": 5,
    }.items():
        monkeypatch.setitem(app.config, key, value)


@pytest.fixture
def mailbox(monkeypatch, app, smtp_server):
    configure_mail(monkeypatch, app, smtp_server.host, smtp_server.port)
    return smtp_server


def make_offer(manager, language: str = "uk", with_line: bool = True):
    party = make_party(manager, 'ТОВ "Ґудзик і Єнот"', emails="office@gudzyk.ua")
    contact = make_contact(party, "Петро Іваненко", emails="petro@gudzyk.ua\npetro2@gudzyk.ua")
    header = replace(default_header(party), language=language, contact_id=contact.id)
    offer = create_offer(manager, party.id, header)
    db.session.commit()
    if with_line:
        product = Product(name="Шафа-купе", unit="шт", list_price=Decimal(5000), vat_rate=20)
        db.session.add(product)
        db.session.commit()
        add_product_line(manager, offer, product.id, Decimal(2), offer.version)
        db.session.commit()
    return offer


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_client_receives_the_frozen_pdf_and_the_offer_is_sent(mailbox, admin, manager):
    offer = make_offer(manager)
    to, subject, body = default_mail(offer)

    send_offer(admin, offer, offer.version, to=to, subject=subject, message=body)
    db.session.commit()

    assert len(mailbox.messages) == 1
    message = mailbox.messages[0]
    assert mailbox.envelopes[0][1] == ["petro@gudzyk.ua"]
    assert offer.display_number in str(message["Subject"])
    assert str(message["Reply-To"]) == "olena@example.com"  # replies reach the owner
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == pdf_filename(offer) == f"{offer.display_number}.pdf"
    assert attachment.get_content() == db.session.get(OfferPdf, offer.id).content

    db.session.expire_all()
    assert offer.status == OfferStatus.SENT
    interaction = db.session.scalars(select(Interaction)).one()
    assert interaction.type == InteractionType.EMAIL
    assert interaction.party_id == offer.party_id
    assert interaction.contact_id == offer.contact_id
    assert offer.display_number in interaction.summary and "petro@gudzyk.ua" in interaction.summary
    event = db.session.scalars(select(OfferEvent).where(OfferEvent.kind == "sent")).one()
    assert event.comment == "petro@gudzyk.ua"


def test_when_the_mail_server_is_down_nothing_is_recorded(monkeypatch, app, admin, manager):
    configure_mail(monkeypatch, app, "127.0.0.1", free_port())  # nobody listens there
    offer = make_offer(manager)

    with pytest.raises(MailError):
        send_offer(admin, offer, offer.version, to="petro@gudzyk.ua", subject="КП", message="…")
    db.session.rollback()

    assert offer.status == OfferStatus.DRAFT
    assert offer.sent_at is None
    assert count(OfferPdf) == 0
    assert count(Interaction) == 0
    assert db.session.scalars(select(OfferEvent).where(OfferEvent.kind == "sent")).all() == []


def test_an_empty_offer_is_not_sent(mailbox, admin, manager):
    offer = make_offer(manager, with_line=False)

    with pytest.raises(DomainError):
        send_offer(admin, offer, offer.version, to="petro@gudzyk.ua", subject="КП", message="…")
    db.session.rollback()

    assert mailbox.messages == []
    assert offer.status == OfferStatus.DRAFT
    assert count(OfferPdf) == 0


def test_the_default_mail_goes_to_the_contact_in_the_offers_language(admin, manager):
    save_company_profile(admin, {"company_name": "Меблевий салон «Ярослав»"})
    db.session.commit()
    offer = make_offer(manager, language="en")

    to, subject, body = default_mail(offer)

    assert to == "petro@gudzyk.ua"
    assert subject == f"Commercial proposal {offer.display_number} from Меблевий салон «Ярослав»"
    assert body.startswith("Good day, Петро Іваненко!")
    assert offer.display_number in body
    assert body.rstrip().endswith("Олена Коваль\nМеблевий салон «Ярослав»")


def test_without_a_contact_the_default_mail_goes_to_the_party(manager):
    offer = make_offer(manager)
    offer.contact_id = None
    db.session.commit()

    assert default_mail(offer)[0] == "office@gudzyk.ua"
