"""The catalogue service: validation, permissions, uniqueness, the picker, optimistic locking."""

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from crm.extensions import db
from crm.models import AuditEntry, Product, SegmentPrice, Tag, VolumeTier
from crm.services import catalogue, price_rules
from crm.services.catalogue import ProductData, ProductFilter
from crm.services.errors import (
    EditConflictError,
    FieldError,
    NotFoundError,
    PermissionDeniedError,
)


def data(**changes) -> ProductData:  # noqa: ANN003
    base = ProductData(
        name="Office chair «Ergon»",
        sku="KRS-ERG",
        unit="pcs",
        category="Office furniture",
        list_price=Decimal("9800.00"),
        vat_rate=Decimal(20),
        revenue_type="one_off",
    )
    return replace(base, **changes)


def make_product(actor, **changes) -> Product:  # noqa: ANN001, ANN003
    product = catalogue.create_product(actor, data(**changes))
    db.session.commit()
    return product


def make_tag(name: str) -> Tag:
    tag = Tag(name=name)
    db.session.add(tag)
    db.session.commit()
    return tag


def count(model) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count()).select_from(model))


def entries(entity: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
    return list(db.session.scalars(query))


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "  "}, "name", "Give the product a name."),
        ({"name": "x" * 201}, "name", "At most 200 characters."),
        ({"sku": "S" * 61}, "sku", "At most 60 characters."),
        ({"unit": "u" * 31}, "unit", "At most 30 characters."),
        ({"list_price": None}, "list_price", "Enter an amount."),
        ({"list_price": Decimal("-0.01")}, "list_price", "It cannot be negative."),
        ({"list_price": Decimal("10.555")}, "list_price", "At most 2 decimal places."),
        ({"list_price": Decimal("1e12")}, "list_price", "That is too large."),
        ({"list_price": "ten"}, "list_price", "Enter a number, for example 1250.50."),
        ({"list_price": Decimal("NaN")}, "list_price", "Enter a number, for example 1250.50."),
        ({"vat_rate": Decimal("100.01")}, "vat_rate", "A percentage is at most 100."),
        ({"vat_rate": Decimal(-1)}, "vat_rate", "It cannot be negative."),
        ({"revenue_type": "weekly"}, "revenue_type", "Pick one of the revenue types."),
    ],
)
def test_invalid_product_values_are_refused_with_a_message_for_their_field(
    admin, changes, field, message
):
    with pytest.raises(FieldError) as refused:
        catalogue.create_product(admin, data(**changes))

    assert refused.value.field == field
    assert str(refused.value) == message
    db.session.rollback()
    assert count(Product) == 0


@pytest.mark.parametrize(
    ("changes", "stored"),
    [
        ({"list_price": Decimal(0)}, {"list_price": Decimal("0.00")}),
        ({"list_price": Decimal("12.5")}, {"list_price": Decimal("12.50")}),
        ({"vat_rate": Decimal(0)}, {"vat_rate": Decimal(0)}),
        ({"vat_rate": Decimal(100)}, {"vat_rate": Decimal(100)}),
        ({"sku": "  "}, {"sku": None}),
        ({"name": "  Sofa  ", "sku": " DIV-1 "}, {"name": "Sofa", "sku": "DIV-1"}),
        ({"revenue_type": "yearly"}, {"revenue_type": "yearly"}),
    ],
)
def test_valid_values_are_stored_cleaned(admin, changes, stored):
    product = make_product(admin, **changes)

    db.session.expire_all()
    product = db.session.get(Product, product.id)
    for name, value in stored.items():
        assert getattr(product, name) == value
    assert product.active


def test_a_sku_is_unique_whatever_its_case_and_the_message_names_the_holder(admin):
    make_product(admin, name="Chair", sku="KRS-ERG")

    with pytest.raises(FieldError) as refused:
        catalogue.create_product(admin, data(name="Other chair", sku="krs-erg"))

    assert refused.value.field == "sku"
    assert str(refused.value) == "The SKU krs-erg is already used by “Chair”."
    db.session.rollback()
    assert count(Product) == 1


def test_products_without_sku_do_not_collide_and_a_product_keeps_its_own_sku(admin):
    first = make_product(admin, name="A", sku=None)
    make_product(admin, name="B", sku="")
    chair = make_product(admin, name="Chair", sku="KRS")

    catalogue.update_product(admin, chair, data(name="Chair II", sku="KRS"), chair.version)
    db.session.commit()

    assert first.sku is None and chair.name == "Chair II" and count(Product) == 3


# --- permissions ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_only_admins_change_the_catalogue(request, admin, who):
    user = request.getfixturevalue(who)
    product = make_product(admin)
    tag = make_tag("опт")
    tier = price_rules.add_volume_tier(admin, product, min_quantity=10, kind="percent", value=5)
    rule = price_rules.add_segment_price(
        admin, tag_id=tag.id, product_id=None, kind="percent", value=7
    )
    db.session.commit()

    changes = [
        lambda: catalogue.create_product(user, data(sku="NEW")),
        lambda: catalogue.update_product(user, product, data(name="X"), product.version),
        lambda: catalogue.set_active(user, product, False),
        lambda: price_rules.add_volume_tier(
            user, product, min_quantity=50, kind="percent", value=9
        ),
        lambda: price_rules.remove_volume_tier(user, product, tier.id),
        lambda: price_rules.add_segment_price(
            user, tag_id=tag.id, product_id=product.id, kind="price", value=1
        ),
        lambda: price_rules.remove_segment_price(user, rule.id),
    ]
    for change in changes:
        with pytest.raises(PermissionDeniedError):
            change()
    db.session.rollback()
    assert (count(Product), count(VolumeTier), count(SegmentPrice)) == (1, 1, 1)
    # … and they read it.
    assert catalogue.get_product(product.id) == product
    assert catalogue.list_products(ProductFilter()).products == [product]


def test_an_unknown_product_is_not_found():
    with pytest.raises(NotFoundError):
        catalogue.get_product(404)


# --- audit ---------------------------------------------------------------------------------


def test_every_change_is_in_the_audit_trail_with_old_and_new_values(admin):
    product = make_product(admin, list_price=Decimal(100))
    catalogue.update_product(admin, product, data(list_price=Decimal(120)), product.version)
    catalogue.set_active(admin, product, False)
    db.session.commit()

    create, update, deactivate = entries("product")
    assert create.action == "create" and create.user_id == admin.id
    assert create.changes["name"] == [None, "Office chair «Ergon»"]
    assert update.changes == {"list_price": ["100.00", "120.00"]}
    assert update.version == 2
    assert deactivate.action == "deactivate" and deactivate.changes == {"active": [True, False]}


def test_a_save_that_changes_nothing_writes_no_history(admin):
    product = make_product(admin)
    catalogue.update_product(admin, product, data(), product.version)
    assert len(entries("product")) == 1 and product.version == 1


# --- optimistic locking --------------------------------------------------------------------


def test_a_stale_edit_is_refused_and_shows_what_the_other_admin_changed(admin):
    product = make_product(admin, list_price=Decimal(100))
    opened_at = product.version
    catalogue.update_product(admin, product, data(list_price=Decimal(110)), opened_at)
    db.session.commit()

    with pytest.raises(EditConflictError) as conflict:
        catalogue.update_product(admin, product, data(list_price=Decimal(90)), opened_at)

    assert [e.changes for e in conflict.value.changes] == [{"list_price": ["100.00", "110.00"]}]
    db.session.rollback()
    assert db.session.get(Product, product.id).list_price == Decimal(110)


def test_a_racing_save_is_caught_by_the_version_column(admin):
    product = make_product(admin, list_price=Decimal(100))
    # Another request saves the product between this one's read and its write.
    db.session.execute(
        update(Product)
        .where(Product.id == product.id)
        .values(list_price=Decimal(105), version=Product.version + 1)
        .execution_options(synchronize_session=False)
    )

    with pytest.raises(EditConflictError):
        catalogue.update_product(admin, product, data(list_price=Decimal(90)), product.version)
    db.session.rollback()


# --- segment prices ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on_product", "kind", "value", "field", "message"),
    [
        (
            False,
            "price",
            100,
            "kind",
            "A rule for the whole catalogue can only be a percentage off.",
        ),
        (True, "percent", Decimal("100.5"), "value", "A percentage is at most 100."),
        (True, "price", -1, "value", "It cannot be negative."),
        (True, "price", Decimal("1.005"), "value", "At most 2 decimal places."),
        (True, "gift", 1, "kind", "Pick a percentage off or a fixed price."),
    ],
)
def test_invalid_segment_prices_are_refused(admin, on_product, kind, value, field, message):
    product = make_product(admin)
    tag = make_tag("VIP")

    with pytest.raises(FieldError) as refused:
        price_rules.add_segment_price(
            admin,
            tag_id=tag.id,
            product_id=product.id if on_product else None,
            kind=kind,
            value=value,
        )

    assert (refused.value.field, str(refused.value)) == (field, message)
    db.session.rollback()
    assert count(SegmentPrice) == 0


def test_one_rule_per_tag_and_product_and_one_catalogue_wide_rule_per_tag(admin):
    product = make_product(admin)
    tag = make_tag("опт")
    add = price_rules.add_segment_price
    add(admin, tag_id=tag.id, product_id=None, kind="percent", value=7)
    add(admin, tag_id=tag.id, product_id=product.id, kind="price", value=Decimal("8900"))
    db.session.commit()

    with pytest.raises(FieldError) as wide:
        add(admin, tag_id=tag.id, product_id=None, kind="percent", value=5)
    with pytest.raises(FieldError) as own:
        add(admin, tag_id=tag.id, product_id=product.id, kind="percent", value=5)

    assert str(wide.value) == "“опт” already has a catalogue-wide rule."
    assert str(own.value) == "“опт” already has a rule for this product."
    db.session.rollback()
    assert count(SegmentPrice) == 2


def test_a_rule_needs_an_existing_tag(admin):
    with pytest.raises(FieldError) as refused:
        price_rules.add_segment_price(admin, tag_id=0, product_id=None, kind="percent", value=5)
    assert refused.value.field == "tag_id"


def test_the_rules_of_a_product_are_its_own_and_the_catalogue_wide_ones(admin):
    chair = make_product(admin, name="Chair", sku="C")
    sofa = make_product(admin, name="Sofa", sku="S")
    vip, wholesale = make_tag("VIP"), make_tag("wholesale")
    add = price_rules.add_segment_price
    wide = add(admin, tag_id=wholesale.id, product_id=None, kind="percent", value=7)
    own = add(admin, tag_id=vip.id, product_id=chair.id, kind="price", value=100)
    add(admin, tag_id=vip.id, product_id=sofa.id, kind="percent", value=3)
    db.session.commit()

    assert price_rules.segment_prices(chair) == [wide, own]
    assert len(price_rules.segment_prices()) == 3


def test_removing_a_rule_is_audited_and_a_product_removes_only_its_own(admin):
    product = make_product(admin)
    tag = make_tag("VIP")
    rule = price_rules.add_segment_price(
        admin, tag_id=tag.id, product_id=None, kind="percent", value=7
    )
    db.session.commit()

    with pytest.raises(NotFoundError):
        price_rules.remove_segment_price(admin, rule.id, product_id=product.id)
    price_rules.remove_segment_price(admin, rule.id)
    db.session.commit()

    assert count(SegmentPrice) == 0
    assert [e.action for e in entries("segment_price")] == ["create", "delete"]
    assert entries("segment_price")[1].changes["value"] == ["7.00", None]


# --- volume tiers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "kind", "value", "field", "message"),
    [
        (0, "percent", 5, "min_quantity", "The quantity must be more than 0."),
        (-1, "percent", 5, "min_quantity", "It cannot be negative."),
        (Decimal("1.0005"), "percent", 5, "min_quantity", "At most 3 decimal places."),
        (10, "percent", 101, "value", "A percentage is at most 100."),
        (10, "price", -5, "value", "It cannot be negative."),
        (10, "price", None, "value", "Enter an amount."),
    ],
)
def test_invalid_tiers_are_refused(admin, quantity, kind, value, field, message):
    product = make_product(admin)

    with pytest.raises(FieldError) as refused:
        price_rules.add_volume_tier(admin, product, min_quantity=quantity, kind=kind, value=value)

    assert (refused.value.field, str(refused.value)) == (field, message)
    db.session.rollback()
    assert count(VolumeTier) == 0


def test_tiers_are_unique_per_product_and_ordered_by_quantity(admin):
    chair = make_product(admin, name="Chair", sku="C")
    sofa = make_product(admin, name="Sofa", sku="S")
    price_rules.add_volume_tier(admin, chair, min_quantity=50, kind="percent", value=10)
    price_rules.add_volume_tier(admin, chair, min_quantity=10, kind="percent", value=5)
    price_rules.add_volume_tier(admin, sofa, min_quantity=10, kind="price", value=Decimal("900"))
    db.session.commit()

    with pytest.raises(FieldError) as refused:
        price_rules.add_volume_tier(
            admin, chair, min_quantity=Decimal("10.000"), kind="percent", value=6
        )

    assert str(refused.value) == "This product already has a tier from that quantity."
    db.session.rollback()
    db.session.expire_all()
    assert [t.min_quantity for t in catalogue.get_product(chair.id).tiers] == [10, 50]


def test_removing_a_tier_takes_only_that_products_tier(admin):
    chair = make_product(admin, name="Chair", sku="C")
    sofa = make_product(admin, name="Sofa", sku="S")
    tier = price_rules.add_volume_tier(admin, sofa, min_quantity=10, kind="percent", value=5)
    db.session.commit()

    with pytest.raises(NotFoundError):
        price_rules.remove_volume_tier(admin, chair, tier.id)
    price_rules.remove_volume_tier(admin, sofa, tier.id)
    db.session.commit()

    assert count(VolumeTier) == 0
    assert [e.action for e in entries("volume_tier")] == ["create", "delete"]


# --- the list and the picker ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ProductFilter(), ["Диван «Комфорт»", "Office chair", "Parta"]),
        (ProductFilter(status="inactive"), ["Old kitchen"]),
        (ProductFilter(status="all"), ["Диван «Комфорт»", "Office chair", "Old kitchen", "Parta"]),
        (ProductFilter(q="диван"), ["Диван «Комфорт»"]),
        (ProductFilter(q="ДИВАН"), ["Диван «Комфорт»"]),
        (ProductFilter(q="комФорт"), ["Диван «Комфорт»"]),  # any case, mid-name too
        (ProductFilter(q="erg"), ["Office chair"]),  # the SKU
        (ProductFilter(q="school"), ["Parta"]),  # the category
        (ProductFilter(q="100%"), []),  # wildcards match literally
        (ProductFilter(category="Office"), ["Office chair"]),
    ],
)
def test_the_list_filters_by_text_category_and_status(admin, filters, expected):
    make_product(admin, name="Office chair", sku="KRS-ERG", category="Office")
    make_product(admin, name="Диван «Комфорт»", sku="DIV-1", category="Мягкая мебель")
    make_product(admin, name="Parta", sku="PRT", category="School")
    old = make_product(admin, name="Old kitchen", sku="KUH", category="Kitchens")
    catalogue.set_active(admin, old, False)
    db.session.commit()

    page = catalogue.list_products(filters)

    assert sorted(p.name for p in page.products) == sorted(expected)
    assert page.count == len(expected)


def test_the_list_pages_by_name_forwards_and_back(admin):
    for i in range(7):
        make_product(admin, name=f"Product {i}", sku=f"P{i}")

    first = catalogue.list_products(ProductFilter(), page_size=3)
    second = catalogue.list_products(ProductFilter(after=first.next_cursor), page_size=3)
    last = catalogue.list_products(ProductFilter(after=second.next_cursor), page_size=3)
    back = catalogue.list_products(ProductFilter(before=last.prev_cursor), page_size=3)

    assert [p.name for p in first.products] == ["Product 0", "Product 1", "Product 2"]
    assert [p.name for p in second.products] == ["Product 3", "Product 4", "Product 5"]
    assert [p.name for p in last.products] == ["Product 6"] and last.next_cursor is None
    assert back.products == second.products
    assert first.count == 7 and first.prev_cursor is None
    assert catalogue.list_products(ProductFilter(after="garbage")).count == 7


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("ёлка", "Ёлка «Норд»"),
        ("ЕЛКА", "Ёлка «Норд»"),
        ("ёЛКА «нОРД»", "Ёлка «Норд»"),
        ("ґудзик", "Гудзик м’який"),
        ("гудзик М'ЯКИЙ", "Гудзик м’який"),
        ("ЇЖАК", "Іжак-2"),
        ("gd-і", "Гудзик м’який"),  # the SKU "GD-Ї", folded too
        ("евростиль", "Шафа «ЕвроСтиль»"),  # a capital inside a word
    ],
)
def test_search_ignores_case_and_the_letters_people_use_interchangeably(admin, typed, found):
    make_product(admin, name="Ёлка «Норд»", sku="EL-1")
    make_product(admin, name="Гудзик м’який", sku="GD-Ї")
    make_product(admin, name="Іжак-2", sku="IZ")
    make_product(admin, name="Шафа «ЕвроСтиль»", sku="ES-1")
    db.session.commit()

    assert [p.name for p in catalogue.active_products_for_picker(typed)] == [found]
    assert [p.name for p in catalogue.list_products(ProductFilter(q=typed)).products] == [found]


def test_a_renamed_product_is_found_by_its_new_name_only(admin):
    product = make_product(admin, name="Стіл «Лофт»", sku="ST-1")
    catalogue.update_product(admin, product, data(name="Шафа «Бриз»", sku="SH-1"), 1)
    db.session.commit()

    assert catalogue.active_products_for_picker("шафа") == [product]
    assert catalogue.active_products_for_picker("sh-1") == [product]
    assert catalogue.active_products_for_picker("стіл") == []
    assert catalogue.active_products_for_picker("st-1") == []


def test_the_picker_offers_only_active_products_matching_name_or_sku(admin):
    chair = make_product(admin, name="Office chair «Ergon»", sku="KRS-ERG")
    stool = make_product(admin, name="Bar stool", sku="KRS-BAR")
    old = make_product(admin, name="Office chair «Classic»", sku="KRS-OLD")
    catalogue.set_active(admin, old, False)
    make_product(admin, name="Sofa", sku="DIV", category="chairs and more")
    db.session.commit()

    assert catalogue.active_products_for_picker("chair") == [chair]  # not by category
    assert catalogue.active_products_for_picker("krs") == [stool, chair]
    assert catalogue.active_products_for_picker("classic") == []
    assert len(catalogue.active_products_for_picker("")) == 3
    assert len(catalogue.active_products_for_picker("", limit=2)) == 2
