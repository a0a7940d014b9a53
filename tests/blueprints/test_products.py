"""The catalogue over HTTP: list and search fragment, product form, tiers, segment prices."""

import re
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Product, SegmentPrice, Tag, VolumeTier
from crm.services import catalogue, price_rules
from crm.services.catalogue import ProductData
from tests.blueprints.test_statement_budget import HTMX, counted_get, explain, within_budget


def make_product(actor, name: str = "Office chair «Ergon»", **fields) -> Product:  # noqa: ANN001
    values = {"sku": None, "list_price": Decimal("9800.00"), "category": "Office", **fields}
    product = catalogue.create_product(actor, ProductData(name=name, **values))
    db.session.commit()
    return product


def make_tag(name: str) -> Tag:
    tag = Tag(name=name)
    db.session.add(tag)
    db.session.commit()
    return tag


def count(model) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count()).select_from(model))


def error_of(html: str, field_id: str) -> str:
    """The message shown next to a field (the macro's <p id="<field>-error">)."""
    found = re.search(rf'<p id="{re.escape(field_id)}-error" class="error"[^>]*>([^<]*)</p>', html)
    assert found, f"no error next to {field_id}"
    return unescape(found.group(1))


def product_form(**changes) -> dict:  # noqa: ANN003
    return {
        "name": "Sofa «Comfort»",
        "sku": "DIV-KOM-3",
        "category": "Upholstered",
        "unit": "pcs",
        "list_price": "54,900.50",
        "vat_rate": "20",
        "revenue_type": "one_off",
        "description": "Three seats",
        **changes,
    }


# --- list and search -------------------------------------------------------------------------


def test_the_list_is_a_full_page_and_a_search_fragment_at_the_same_url(client, admin, viewer):
    make_product(admin, "Office chair", sku="KRS-ERG", list_price=Decimal("9800"))
    make_product(admin, "Диван «Комфорт»", sku="DIV-1", category="Мягкая мебель")
    client.login(viewer.email)

    page = client.get("/products?q=erg")
    fragment = client.get("/products?q=erg", headers=HTMX)

    assert page.status_code == fragment.status_code == 200
    assert "HX-Request" in page.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]
    html = page.get_data(as_text=True)
    assert "<html" in html and 'name="q"' in html and 'hx-push-url="true"' in html
    assert "Office chair" in html and "9,800.00" in html and "Диван" not in html
    part = fragment.get_data(as_text=True)
    assert "<html" not in part and "Office chair" in part and "Диван" not in part
    assert 'href="/products"' in html  # the Catalogue link in the top bar, for a viewer too


def test_inactive_products_are_listed_only_when_asked_for(client, admin, manager):
    make_product(admin, "Current sofa")
    old = make_product(admin, "Old kitchen")
    catalogue.set_active(admin, old, False)
    db.session.commit()
    client.login(manager.email)

    offered = client.get("/products", headers=HTMX).get_data(as_text=True)
    retired = client.get("/products?status=inactive", headers=HTMX).get_data(as_text=True)

    assert "Current sofa" in offered and "Old kitchen" not in offered
    assert "Old kitchen" in retired and "No longer offered" in retired
    assert "Current sofa" not in retired


def test_the_next_page_link_works_with_and_without_htmx(client, admin, app):
    for i in range(app.config["PAGE_SIZE"] + 2):
        make_product(admin, f"Product {i:02}")
    client.login(admin.email)

    first = client.get("/products").get_data(as_text=True)
    link = re.search(r'href="(/products\?[^"]*after=[^"]*)"', first)
    assert link, "no next-page link"
    url = unescape(link.group(1))

    assert "Product 24" in first and "Product 25" not in first
    assert "Product 26" in client.get(url, headers=HTMX).get_data(as_text=True)
    assert "<html" in client.get(url).get_data(as_text=True)


# --- the product form ------------------------------------------------------------------------


def test_an_admin_adds_a_product_and_lands_on_its_page(client, admin):
    client.login(admin.email)

    response = client.send("/products/new", product_form())

    product = db.session.scalar(select(Product))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/products/{product.id}"
    assert product.list_price == Decimal("54900.50") and product.sku == "DIV-KOM-3"
    page = client.get(f"/products/{product.id}").get_data(as_text=True)
    assert "Sofa «Comfort»" in unescape(page) and "54,900.50" in page


@pytest.mark.parametrize(
    ("locale", "typed", "stored"),
    [
        ("en", "1250.5", Decimal("1250.50")),
        ("en", "1,250.50", Decimal("1250.50")),
        ("en", "1 250.50", Decimal("1250.50")),
        ("en", "1,250", Decimal("1250.00")),
        ("ru", "1 250,50", Decimal("1250.50")),
        ("ru", "1250,5", Decimal("1250.50")),
        ("ru", "1250.5", Decimal("1250.50")),
        ("uk", "1.250,50", Decimal("1250.50")),
    ],
)
def test_prices_are_read_the_way_people_type_them(client, admin, locale, typed, stored):
    admin.locale = locale
    db.session.commit()
    client.login(admin.email)

    response = client.send("/products/new", product_form(list_price=typed))

    assert response.status_code == 302
    assert db.session.scalar(select(Product.list_price)) == stored


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"list_price": "1,5"}, "list_price", "Enter a number, for example 1250.50."),
        ({"name": ""}, "name", "Give the product a name."),
        ({"list_price": "cheap"}, "list_price", "Enter a number, for example 1250.50."),
        ({"list_price": ""}, "list_price", "Enter the list price."),
        ({"list_price": "-1"}, "list_price", "Number must be at least 0."),
        ({"list_price": "10.555"}, "list_price", "At most 2 decimal places."),
        ({"vat_rate": "120"}, "vat_rate", "Number must be between 0 and 100."),
        ({"revenue_type": "weekly"}, "revenue_type", "Not a valid choice."),
    ],
)
def test_invalid_input_shows_the_message_next_to_the_field_and_saves_nothing(
    client, admin, changes, field, message
):
    client.login(admin.email)

    response = client.send("/products/new", product_form(**changes))

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_of(html, field) == message
    assert f'<label for="{field}">' in html  # every field keeps its label
    assert count(Product) == 0


def test_a_taken_sku_is_refused_next_to_the_sku_field(client, admin):
    make_product(admin, "Chair", sku="KRS-ERG")
    client.login(admin.email)

    response = client.send("/products/new", product_form(sku="krs-erg"))

    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), "sku") == (
        "The SKU krs-erg is already used by “Chair”."
    )
    assert count(Product) == 1


def test_editing_a_product_saves_the_changes(client, admin):
    product = make_product(admin, "Chair", sku="KRS")
    client.login(admin.email)
    form = client.get(f"/products/{product.id}/edit").get_data(as_text=True)
    assert 'name="version"' in form and 'value="9800.00"' in form

    response = client.send(
        f"/products/{product.id}/edit",
        product_form(name="Chair II", sku="KRS", list_price="9900", version=product.version),
    )

    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Product, product.id)
    assert (saved.name, saved.list_price, saved.version) == ("Chair II", Decimal("9900.00"), 2)


def test_a_stale_form_gets_409_with_the_other_change_and_keeps_the_input(client, admin):
    product = make_product(admin, "Chair", sku="KRS", list_price=Decimal(100))
    opened_at = product.version
    catalogue.update_product(
        admin, product, ProductData(name="Chair", sku="KRS", list_price=Decimal(110)), opened_at
    )
    db.session.commit()
    client.login(admin.email)

    response = client.send(
        f"/products/{product.id}/edit",
        product_form(name="My chair", sku="KRS", list_price="90", version=opened_at),
    )

    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 409
    assert "Someone else saved this product while you were editing" in html
    assert "List price: 100.00 → <strong>110.00</strong>" in html
    assert 'value="My chair"' in html and 'name="version" type="hidden" value="2"' in html
    db.session.expire_all()
    assert db.session.get(Product, product.id).list_price == Decimal(110)


def test_deactivating_takes_a_product_out_of_the_offer(client, admin):
    product = make_product(admin)
    client.login(admin.email)

    response = client.send(f"/products/{product.id}/deactivate")

    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(Product, product.id).active
    assert "no longer offered" in client.get(f"/products/{product.id}").get_data(as_text=True)
    client.send(f"/products/{product.id}/activate")
    db.session.expire_all()
    assert db.session.get(Product, product.id).active


# --- who may do what -------------------------------------------------------------------------


@pytest.fixture
def stocked(admin):
    """A product with a tier and a segment price of its own, and a catalogue-wide rule."""
    product = make_product(admin, "Chair", sku="KRS")
    vip, wholesale = make_tag("VIP"), make_tag("wholesale")
    tier = price_rules.add_volume_tier(admin, product, min_quantity=10, kind="percent", value=5)
    own = price_rules.add_segment_price(
        admin, tag_id=vip.id, product_id=product.id, kind="price", value=Decimal("8900")
    )
    wide = price_rules.add_segment_price(
        admin, tag_id=wholesale.id, product_id=None, kind="percent", value=7
    )
    db.session.commit()
    return {"product": product.id, "tier": tier.id, "own": own.id, "wide": wide.id, "tag": vip.id}


def change_requests(ids: dict) -> list[tuple[str, dict]]:
    p = ids["product"]
    return [
        ("/products/new", product_form()),
        (f"/products/{p}/edit", product_form(version=1)),
        (f"/products/{p}/deactivate", {}),
        (f"/products/{p}/activate", {}),
        (
            f"/products/{p}/tiers",
            {"tier-min_quantity": "50", "tier-kind": "percent", "tier-value": "9"},
        ),
        (f"/products/{p}/tiers/{ids['tier']}/delete", {}),
        (
            f"/products/{p}/segments",
            {"rule-tag_id": ids["tag"], "rule-kind": "percent", "rule-value": "1"},
        ),
        (f"/products/{p}/segments/{ids['own']}/delete", {}),
        ("/products/segments", {"tag_id": ids["tag"], "kind": "percent", "value": "3"}),
        (f"/products/segments/{ids['wide']}/delete", {}),
    ]


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_managers_and_viewers_read_the_catalogue_but_get_403_on_every_change(
    request, client, stocked, who
):
    user = request.getfixturevalue(who)
    client.login(user.email)
    before = (count(Product), count(VolumeTier), count(SegmentPrice))

    for url, data in change_requests(stocked):
        assert client.send(url, data).status_code == 403, url
    for url in ("/products/new", f"/products/{stocked['product']}/edit"):
        assert client.get(url).status_code == 403, url

    assert (count(Product), count(VolumeTier), count(SegmentPrice)) == before
    page = client.get(f"/products/{stocked['product']}").get_data(as_text=True)
    assert "8,900.00" in page and "5% off" in page and "wholesale" in page
    assert "Add tier" not in page and "Remove" not in page and ">Edit<" not in page
    segments = client.get("/products/segments").get_data(as_text=True)
    assert "Whole catalogue" in segments and "Add rule" not in segments


def test_a_change_without_the_csrf_token_is_refused(client, admin, stocked):
    client.login(admin.email)

    for url, data in change_requests(stocked):
        assert client.post(url, data=data).status_code == 400, url

    assert count(Product) == count(VolumeTier) == 1 and count(SegmentPrice) == 2


def test_unknown_ids_are_404(client, admin, stocked):
    client.login(admin.email)

    for url in ("/products/999", "/products/999/edit"):
        assert client.get(url).status_code == 404, url
    p = stocked["product"]
    for url in (
        "/products/999/tiers",
        f"/products/{p}/tiers/999/delete",
        f"/products/{p}/segments/{stocked['wide']}/delete",  # not this product's own rule
        "/products/segments/999/delete",
    ):
        assert (
            client.send(url, {"tier-min_quantity": "5", "tier-kind": "percent"}).status_code == 404
        )


# --- tiers and segment prices ---------------------------------------------------------------


def test_a_tier_added_with_htmx_comes_back_as_the_tiers_block(client, admin, stocked):
    client.login(admin.email)
    url = f"/products/{stocked['product']}/tiers"

    added = client.send(
        url, {"tier-min_quantity": "50", "tier-kind": "percent", "tier-value": "10"}, htmx=True
    )
    refused = client.send(
        url, {"tier-min_quantity": "10", "tier-kind": "percent", "tier-value": "3"}, htmx=True
    )

    html = added.get_data(as_text=True)
    assert added.status_code == 200 and "<html" not in html and "10% off" in html
    assert refused.status_code == 422
    message = error_of(refused.get_data(as_text=True), "tier-min_quantity")
    assert message == "This product already has a tier from that quantity."
    assert count(VolumeTier) == 2


def test_without_javascript_a_tier_redirects_back_and_an_error_is_the_whole_page(
    client, admin, stocked
):
    client.login(admin.email)
    url = f"/products/{stocked['product']}/tiers"

    added = client.send(
        url, {"tier-min_quantity": "20", "tier-kind": "price", "tier-value": "9000"}
    )
    refused = client.send(
        url, {"tier-min_quantity": "0", "tier-kind": "percent", "tier-value": "3"}
    )

    assert added.status_code == 302
    assert refused.status_code == 422 and "<html" in refused.get_data(as_text=True)
    assert error_of(refused.get_data(as_text=True), "tier-min_quantity") == (
        "The quantity must be more than 0."
    )


def test_a_product_rule_is_added_and_removed_on_the_product_page(client, admin, stocked):
    tag = make_tag("опт")
    client.login(admin.email)
    base = f"/products/{stocked['product']}/segments"

    added = client.send(
        base, {"rule-tag_id": tag.id, "rule-kind": "percent", "rule-value": "12.5"}, htmx=True
    )
    removed = client.send(f"{base}/{stocked['own']}/delete", htmx=True)

    assert added.status_code == 200 and "12.5% off" in added.get_data(as_text=True)
    assert removed.status_code == 200 and "8,900.00" not in removed.get_data(as_text=True)
    assert {r.tag.name for r in db.session.scalars(select(SegmentPrice))} == {"опт", "wholesale"}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"product_sku": "", "kind": "price", "value": "10"}, "kind",
         "A rule for the whole catalogue can only be a percentage off."),
        ({"product_sku": "NOPE", "kind": "percent", "value": "10"}, "product_sku",
         "No product has the SKU NOPE."),
        ({"product_sku": "", "kind": "percent", "value": "7"}, "tag_id",
         "“wholesale” already has a catalogue-wide rule."),
        ({"product_sku": "", "kind": "percent", "value": "101"}, "value",
         "A percentage is at most 100."),
    ],
)  # fmt: skip
def test_the_segments_page_refuses_wrong_rules_next_to_the_field(
    client, admin, stocked, data, field, message
):
    wholesale = db.session.scalar(select(Tag).where(Tag.name == "wholesale"))
    client.login(admin.email)

    response = client.send("/products/segments", {"tag_id": wholesale.id, **data}, htmx=True)

    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), field) == message
    assert count(SegmentPrice) == 2


def test_the_segments_page_adds_a_rule_for_a_product_by_its_sku(client, admin, stocked):
    tag = make_tag("опт")
    client.login(admin.email)
    page = client.get("/products/segments").get_data(as_text=True)
    assert f'<option value="{tag.id}">опт</option>' in page  # the tag picker

    response = client.send(
        "/products/segments",
        {"tag_id": tag.id, "product_sku": "krs", "kind": "price", "value": "9000"},
    )

    assert response.status_code == 302
    rule = db.session.scalar(select(SegmentPrice).where(SegmentPrice.tag_id == tag.id))
    assert rule.product_id == stocked["product"] and rule.value == Decimal("9000.00")


# --- statement budget ------------------------------------------------------------------------


def test_catalogue_pages_stay_within_the_statement_budget(client, admin, stocked):
    for i in range(30):
        product = make_product(admin, f"Product {i:02}", sku=f"P-{i:02}", category=f"Cat {i % 4}")
        price_rules.add_volume_tier(admin, product, min_quantity=10, kind="percent", value=5)
    for i in range(5):
        price_rules.add_segment_price(
            admin, tag_id=make_tag(f"tag {i}").id, product_id=product.id, kind="percent", value=i
        )
    db.session.commit()
    client.login(admin.email)

    for url, headers in [
        ("/products", {}),
        ("/products?q=product&status=all", HTMX),
        ("/products?category=Cat+1", {}),
        (f"/products/{product.id}", {}),
        ("/products/segments", {}),
        ("/products/new", {}),
        (f"/products/{product.id}/edit", {}),
    ]:
        _, statements = counted_get(client, url, headers)
        assert within_budget(statements), f"{url}: {explain(statements)}"
