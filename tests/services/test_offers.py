"""Offers: numbers, defaults, lines and totals, validation, visibility, the offer's life."""

import threading
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import (
    Offer,
    OfferEvent,
    OfferLine,
    OfferStatus,
    PriceSource,
    RuleKind,
    Sale,
    SegmentPrice,
    Tag,
    User,
)
from crm.services import offer_flow, offer_lines, offers, settings
from crm.services.errors import (
    DomainError,
    EditConflictError,
    FieldError,
    NotFoundError,
    PermissionDeniedError,
)
from crm.services.offer_numbers import next_number
from tests.factories import make_contact, make_party, make_user
from tests.services.offer_helpers import add_tier, make_product


def _add(actor, offer, product, quantity="1"):
    line = offer_lines.add_product_line(actor, offer, product.id, D(quantity), offer.version)
    db.session.commit()
    return line


def test_numbers_are_sequential_per_year_with_the_prefix(manager, party):
    first = offers.create_offer(manager, party.id)
    second = offers.create_offer(manager, party.id)
    year = first.offer_date.year
    assert (first.number, second.number) == (f"КП-{year}-0001", f"КП-{year}-0002")
    assert next_number(year + 1, "X-") == f"X-{year + 1}-0001"


def test_two_users_creating_offers_at_once_get_different_numbers(app, manager, party):
    party_id, user_ids = party.id, [manager.id, make_user("b@example.com").id]
    db.session.commit()  # the test's own session must not hold SQLite's write lock
    numbers, errors = [], []
    barrier = threading.Barrier(2)

    def create(user_id: int) -> None:
        try:
            with app.app_context():
                barrier.wait(5)
                offer = offers.create_offer(db.session.get(User, user_id), party_id)
                numbers.append(offer.number)
                db.session.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(uid,)) for uid in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert len(set(numbers)) == 2
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Offer)) == 2


def test_a_new_offer_takes_the_company_defaults_and_the_party_language(admin, manager):
    settings.set_setting("default_document_language", "ru")
    english = make_party(manager, "Acme Ltd", language="en")
    db.session.commit()
    offer = offers.create_offer(manager, english.id)
    assert (offer.language, offer.currency, offer.status) == ("en", "UAH", OfferStatus.DRAFT)
    assert offer.valid_until - offer.offer_date == timedelta(days=14)
    assert offers.create_offer(manager, make_party(manager, "Б").id).language == "ru"


def test_catalogue_lines_take_tiers_and_segments_and_totals_follow(manager, offer, party):
    licence = make_product(price="100.00")
    add_tier(licence, "10", RuleKind.PERCENT, "5")
    line = _add(manager, offer, licence, "2")
    assert (line.unit_price, line.price_source, offer.total) == (
        D("100.00"),
        PriceSource.LIST,
        D("240.00"),
    )
    offer_lines.change_line(manager, offer, line.id, offer.version, quantity=D(10))
    assert (line.unit_price, line.price_source, line.price_note) == (
        D("95.00"),
        PriceSource.TIER,
        "≥ 10: −5%",
    )
    assert (offer.net_total, offer.vat_total, offer.total) == (
        D("950.00"),
        D("190.00"),
        D("1140.00"),
    )
    wholesale = Tag(name="Опт")
    db.session.add(wholesale)
    db.session.flush()
    party.tags.append(wholesale)
    db.session.add(SegmentPrice(tag_id=wholesale.id, kind=RuleKind.PERCENT, value=D(10)))
    db.session.commit()
    offer_lines.change_line(manager, offer, line.id, offer.version, discount_percent=D("2.5"))
    assert (line.unit_price, line.price_source) == (D("90.00"), PriceSource.SEGMENT)
    # 10 × 90 = 900, −2.5 % = 22.50 → 877.50 net, 175.50 VAT
    assert (offer.subtotal, offer.discount_total, offer.total) == (
        D("900.00"),
        D("22.50"),
        D("1053.00"),
    )


def test_a_typed_price_overrides_the_rules_and_stays(manager, offer):
    product = make_product()
    add_tier(product, "5", RuleKind.PRICE, "80")
    line = _add(manager, offer, product)
    offer_lines.change_line(manager, offer, line.id, offer.version, price=D("77.777"))
    offer_lines.change_line(manager, offer, line.id, offer.version, quantity=D(6))
    assert (line.unit_price, line.price_source) == (D("77.78"), PriceSource.MANUAL)


def test_free_lines_reorder_and_remove(manager, offer):
    for name in ("A", "B", "C"):
        offer_lines.add_free_line(
            manager,
            offer,
            name=name,
            unit="год",
            quantity=D(1),
            price=D(10),
            vat_rate=D(0),
            revenue_type="monthly",
            expected_version=offer.version,
        )
    c = offer.lines[2]
    offer_lines.move_line(manager, offer, c.id, -1, offer.version)
    assert [line.name for line in offer.lines] == ["A", "C", "B"]
    offer_lines.remove_line(manager, offer, offer.lines[0].id, offer.version)
    db.session.commit()
    stored = db.session.scalars(select(OfferLine).order_by(OfferLine.position)).all()
    assert [(line.name, line.position) for line in stored] == [("C", 1), ("B", 2)]
    assert (offer.monthly_total, offer.one_off_total) == (D("20.00"), D("0.00"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": D(-1)}, "quantity"),
        ({"quantity": D(0)}, "quantity"),
        ({"quantity": D("0.0001")}, "quantity"),
        ({"price": D("-0.01")}, "price"),
        ({"discount_percent": D("100.01")}, "discount_percent"),
        ({"discount_percent": D(-5)}, "discount_percent"),
        ({"quantity": D("NaN")}, "quantity"),
    ],
)
def test_bad_line_values_are_refused_and_change_nothing(manager, offer, change, field):
    line = _add(manager, offer, make_product())
    version, total = offer.version, offer.total
    with pytest.raises(FieldError) as refused:
        offer_lines.change_line(manager, offer, line.id, offer.version, **change)
    assert refused.value.field == field
    db.session.rollback()
    assert (offer.version, offer.total, line.quantity) == (version, total, D(1))


def test_inactive_products_cannot_be_added(manager, offer):
    old = make_product(active=False)
    with pytest.raises(FieldError):
        offer_lines.add_product_line(manager, offer, old.id, D(1), offer.version)


def test_a_stale_version_is_a_conflict(manager, offer):
    product = make_product()
    stale = offer.version
    _add(manager, offer, product)
    with pytest.raises(EditConflictError):
        offer_lines.add_product_line(manager, offer, product.id, D(1), stale)


def test_viewers_and_strangers_cannot_touch_offers(manager, viewer, offer):
    with pytest.raises(PermissionDeniedError):
        offer_lines.add_product_line(viewer, offer, make_product().id, D(1), offer.version)
    settings.set_setting("manager_visibility", "own")
    other = make_user("other@example.com")
    with pytest.raises(NotFoundError):
        offers.get_offer(other, offer.id)


def test_header_validation(manager, offer, party):
    header = offers.OfferHeader(
        contact_id=None,
        currency="UAH",
        exchange_rate=D(1),
        language="uk",
        offer_date=date(2026, 5, 10),
        valid_until=date(2026, 5, 1),
    )
    with pytest.raises(FieldError) as refused:
        offers.update_header(manager, offer, header, offer.version)
    assert refused.value.field == "valid_until"
    stranger = make_contact(make_party(manager, "Інша фірма"))
    header.valid_until, header.contact_id = date(2026, 6, 1), stranger.id
    with pytest.raises(FieldError) as refused:
        offers.update_header(manager, offer, header, offer.version)
    assert refused.value.field == "contact_id"


def _send(actor, offer):
    offer_flow.mark_sent(actor, offer, offer.version)
    db.session.commit()


def test_an_empty_offer_cannot_be_sent(manager, offer):
    with pytest.raises(DomainError, match="at least one line"):
        offer_flow.mark_sent(manager, offer, offer.version)
    db.session.rollback()
    assert offer.status == OfferStatus.DRAFT


def test_a_discount_over_the_limit_needs_approval_before_sending(admin, manager, offer):
    line = _add(manager, offer, make_product())
    offer_lines.change_line(manager, offer, line.id, offer.version, discount_percent=D(15))
    db.session.commit()
    with pytest.raises(DomainError, match="15% is above your limit of 10%"):
        offer_flow.check_sendable(manager, offer)
    offer_flow.request_approval(manager, offer, offer.version)
    with pytest.raises(PermissionDeniedError):
        offer_flow.approve(manager, offer, offer.version)
    with pytest.raises(DomainError):
        offer_flow.reject_approval(admin, offer, offer.version, "  ")
    offer_flow.reject_approval(admin, offer, offer.version, "Max 12 %")
    assert (offer.status, offer.approved_discount) == (OfferStatus.DRAFT, None)
    offer_flow.request_approval(manager, offer, offer.version)
    offer_flow.approve(admin, offer, offer.version, "OK")
    db.session.commit()
    offer_flow.check_sendable(manager, offer)  # now allowed
    kinds = db.session.scalars(select(OfferEvent.kind).order_by(OfferEvent.id)).all()
    assert kinds[-4:] == [
        "approval_requested",
        "approval_rejected",
        "approval_requested",
        "approved",
    ]
    # A bigger discount than the approved one needs a new approval.
    offer_lines.change_line(manager, offer, line.id, offer.version, discount_percent=D(20))
    assert offer.approved_discount is None


def test_accepting_records_a_sale_in_the_base_currency(admin, offer):
    offer.currency, offer.exchange_rate = "EUR", D("45.123456")
    _add(admin, offer, make_product(price="4512.35"))  # UAH: 100.00 EUR at the offer's rate
    _send(admin, offer)
    sale = offer_flow.accept(admin, offer, offer.version)
    db.session.commit()
    assert offer.status == OfferStatus.ACCEPTED
    # 120.00 EUR × 45.123456 = 5414.81472 → 5414.81 UAH
    assert (sale.currency, sale.amount) == ("UAH", D("5414.81"))


def test_an_expired_offer_cannot_be_accepted(admin, offer):
    _add(admin, offer, make_product())
    _send(admin, offer)
    later = offer.valid_until + timedelta(days=1)
    assert offer_flow.effective_status(offer, later) == OfferStatus.EXPIRED
    with pytest.raises(DomainError, match="expired"):
        offer_flow.accept(admin, offer, offer.version, today=later)
    db.session.rollback()
    assert offer.status == OfferStatus.SENT
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 0
    assert offer_flow.expire_due(later) == 1


def test_a_revision_keeps_the_number_and_links_the_versions(admin, offer):
    _add(admin, offer, make_product())
    _send(admin, offer)
    revision = offer_flow.revise(admin, offer)
    db.session.commit()
    assert (revision.number, revision.revision, revision.previous_id) == (
        offer.number,
        2,
        offer.id,
    )
    assert revision.display_number == f"{offer.number}-v2"
    # The client still holds the sent one until the revision goes out.
    assert (offer.status, revision.status) == (OfferStatus.SENT, OfferStatus.DRAFT)
    assert [line.name for line in revision.lines] == [line.name for line in offer.lines]
    assert revision.total == offer.total
    with pytest.raises(DomainError):
        offer_flow.revise(admin, revision)
    _send(admin, revision)
    assert (offer.status, revision.status) == (OfferStatus.SUPERSEDED, OfferStatus.SENT)


def test_the_daily_command_writes_down_expiries(app, admin, offer):
    _add(admin, offer, make_product())
    _send(admin, offer)
    offer.valid_until = offer.offer_date - timedelta(days=1)
    offer.offer_date = offer.valid_until - timedelta(days=10)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["crm", "expire-offers"])
    assert "1 offer(s) expired." in result.output
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).status == OfferStatus.EXPIRED


def test_a_typed_price_below_the_catalogue_counts_as_a_discount(manager, offer):
    line = _add(manager, offer, make_product(price="1000.00"))
    offer_lines.change_line(manager, offer, line.id, offer.version, price=D("1"))
    assert offer.max_discount == D("99.90")
    assert offer_flow.needs_approval(manager, offer)


def test_an_approval_covers_the_lines_it_saw(admin, manager, offer):
    first = _add(manager, offer, make_product("A"))
    _add(manager, offer, make_product("B"))
    offer_lines.change_line(manager, offer, first.id, offer.version, discount_percent=D(25))
    offer_flow.request_approval(manager, offer, offer.version)
    offer_flow.approve(admin, offer, offer.version)
    offer_lines.move_line(manager, offer, first.id, +1, offer.version)
    assert offer.approved_discount == D(25)  # reordering changes nothing the admin judged
    offer_lines.change_line(manager, offer, first.id, offer.version, quantity=D(1000))
    assert offer.approved_discount is None
    assert offer_flow.needs_approval(manager, offer)


def test_amounts_beyond_the_columns_are_refused(manager, offer):
    line = _add(manager, offer, make_product())
    with pytest.raises(DomainError, match="too large"):
        offer_lines.change_line(
            manager, offer, line.id, offer.version, quantity=D(1000), price=D("999999999999")
        )


@pytest.mark.parametrize(
    ("currency", "rate", "refused"),
    [
        ("UAH", "1", False),
        ("UAH", "40", True),
        ("EUR", "1", True),
        ("EUR", "45.5", False),
        ("EUR", "123456789012", True),
        ("EUR", "1.0000001", True),
    ],
)
def test_exchange_rates(manager, offer, currency, rate, refused):
    header = offers.OfferHeader(
        contact_id=None,
        currency=currency,
        exchange_rate=D(rate),
        language="uk",
        offer_date=offer.offer_date,
        valid_until=offer.valid_until,
    )
    if refused:
        with pytest.raises(FieldError):
            offers.update_header(manager, offer, header, offer.version)
    else:
        offers.update_header(manager, offer, header, offer.version)
        assert offer.exchange_rate == D(rate)


def test_only_the_latest_revision_is_revised(admin, offer):
    _add(admin, offer, make_product())
    _send(admin, offer)
    offer_flow.reject(admin, offer, offer.version, "Дорого")
    stale = offer.version
    offer_flow.revise(admin, offer, stale)
    db.session.commit()
    with pytest.raises(DomainError, match="newer revision"):
        offer_flow.revise(admin, offer)
    with pytest.raises(EditConflictError):
        offer_flow.revise(admin, offer, stale)


def test_catalogue_prices_follow_the_offer_currency(manager, offer):
    product = make_product(price="100.00")
    add_tier(product, "10", RuleKind.PRICE, "80.00")
    line = _add(manager, offer, product, "10")
    assert line.unit_price == D("80.00")
    header = offers.OfferHeader(
        contact_id=None,
        currency="EUR",
        exchange_rate=D("40"),
        language="en",
        offer_date=offer.offer_date,
        valid_until=offer.valid_until,
    )
    offers.update_header(manager, offer, header, offer.version)
    # 80 UAH at 40 UAH per euro; the list price, 100 UAH, is 2.50 EUR
    assert (line.unit_price, line.list_price, line.price_source) == (
        D("2.00"),
        D("2.50"),
        PriceSource.TIER,
    )
    assert offer.total == D("24.00")


def test_two_people_accepting_at_once_record_one_sale(app, admin, offer):
    _add(admin, offer, make_product())
    _send(admin, offer)
    offer_id, version, user_id = offer.id, offer.version, admin.id
    db.session.commit()
    outcomes, barrier = [], threading.Barrier(2)

    def accept() -> None:
        with app.app_context():
            barrier.wait(5)
            try:
                offer_flow.accept(
                    db.session.get(User, user_id), db.session.get(Offer, offer_id), version
                )
                db.session.commit()
                outcomes.append("accepted")
            except EditConflictError:
                db.session.rollback()
                outcomes.append("conflict")

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(outcomes) == ["accepted", "conflict"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 1


def _same_header(offer, **changes):
    values = {name: getattr(offer, name) for name in offers.HEADER_FIELDS}
    values["exchange_rate"] = D(f"{offer.exchange_rate.normalize():f}")  # as a form reads it
    return offers.OfferHeader(**{**values, **changes})


def test_saving_unchanged_details_keeps_an_approval(admin, manager, offer):
    line = _add(manager, offer, make_product())
    offer_lines.change_line(manager, offer, line.id, offer.version, discount_percent=D(25))
    offer_flow.request_approval(manager, offer, offer.version)
    offer_flow.approve(admin, offer, offer.version)
    offers.update_header(manager, offer, _same_header(offer), offer.version)
    offers.update_header(manager, offer, _same_header(offer, terms="50/50"), offer.version)
    assert offer.approved_discount == D(25)


def test_typed_prices_keep_their_value_when_the_currency_changes(manager, offer):
    line = offer_lines.add_free_line(
        manager,
        offer,
        name="Монтаж",
        unit="",
        quantity=D(1),
        price=D("4000"),
        vat_rate=D(20),
        revenue_type="one_off",
        expected_version=offer.version,
    )
    offers.update_header(
        manager, offer, _same_header(offer, currency="EUR", exchange_rate=D(40)), offer.version
    )
    assert line.unit_price == D("100.00")
