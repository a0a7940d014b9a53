"""The catalogue: list, product page and form, volume tiers, segment prices. Thin routes."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm.blueprints.clients.forms import DeleteForm
from crm.blueprints.products import bp
from crm.blueprints.products.forms import (
    KIND_LABELS,
    REVENUE_LABELS,
    CatalogueRuleForm,
    ProductForm,
    SegmentPriceForm,
    TierForm,
)
from crm.extensions import db
from crm.models import AuditEntry, Product
from crm.services import catalogue, price_rules
from crm.services.catalogue import STATUSES, ProductFilter
from crm.services.errors import EditConflictError, FieldError
from crm.web import admin_required, render_page_or_fragment, wants_fragment


def _filters_from_request() -> ProductFilter:
    """The filters from the query string (unknown values fall back to the defaults)."""
    args = request.args
    status = args.get("status", "active")
    return ProductFilter(
        q=args.get("q", "")[:200],
        category=args.get("category", "")[:120],
        status=status if status in STATUSES else "active",
        after=args.get("after", "")[:500],
        before=args.get("before", "")[:500],
    )


def _labels() -> dict:
    return {"revenue_labels": REVENUE_LABELS, "kind_labels": KIND_LABELS}


@bp.get("")
@login_required
def index():
    """The catalogue: search, filter and page through it; the list updates in place."""
    filters = _filters_from_request()
    page = catalogue.list_products(filters, current_app.config["PAGE_SIZE"])
    context = {"page": page, "filters": filters, **_labels()}
    if not wants_fragment():
        context["categories"] = catalogue.categories()
    return render_page_or_fragment("products/index.html", "products/_results.html", **context)


# --- the product form ----------------------------------------------------------------------


def _render_form(form: ProductForm, product: Product | None, status: int = 200, **context):  # noqa: ANN003, ANN202
    context.setdefault("categories", catalogue.categories())
    return render_template("products/form.html", form=form, product=product, **context), status


def _field_error(form, exc: FieldError) -> None:  # noqa: ANN001
    """The service's message goes next to the field it is about."""
    db.session.rollback()
    target = form[exc.field]  # the service names only fields these forms have
    target.errors = [*target.errors, str(exc)]


@bp.get("/new")
@admin_required
def new():
    """An empty product form."""
    return _render_form(ProductForm(), None)


@bp.post("/new")
@admin_required
def create():
    """Add a product; errors come back next to their fields with 422, nothing saved."""
    form = ProductForm()
    if not form.validate_on_submit():
        return _render_form(form, None, 422)
    try:
        product = catalogue.create_product(current_user, form.product_data())
    except FieldError as exc:
        _field_error(form, exc)
        return _render_form(form, None, 422)
    db.session.commit()
    flash(_("“%(name)s” was added to the catalogue.", name=product.name), "success")
    return redirect(url_for("products.show", product_id=product.id))


@bp.get("/<int:product_id>/edit")
@admin_required
def edit(product_id: int):
    """The product form, filled in."""
    product = catalogue.get_product(product_id)
    form = ProductForm(obj=product)
    form.version.data = str(product.version)
    return _render_form(form, product)


def _conflict_rows(form: ProductForm, entries: list[AuditEntry]) -> list[dict]:
    """Who changed what meanwhile, in words."""

    def readable(name: str, value: object) -> str:
        if value is None or value == "":
            return "—"
        if name == "revenue_type":
            return str(REVENUE_LABELS.get(value, value))
        if name == "active":
            return _("active") if value else _("inactive")
        return str(value)

    rows = []
    for entry in entries:
        changes = [
            (
                form[name].label.text if name in form else name,
                readable(name, old),
                readable(name, new),
            )
            for name, (old, new) in entry.changes.items()
        ]
        author = entry.user.name if entry.user else "—"
        rows.append({"author": author, "at": entry.at, "changes": changes})
    return rows


@bp.post("/<int:product_id>/edit")
@admin_required
def update(product_id: int):
    """Save changes; a stale form (409) shows what others changed and keeps the input."""
    product = catalogue.get_product(product_id)
    form = ProductForm()
    if not form.validate_on_submit():
        return _render_form(form, product, 422)
    try:
        catalogue.update_product(current_user, product, form.product_data(), form.expected_version)
    except FieldError as exc:
        _field_error(form, exc)
        return _render_form(form, catalogue.get_product(product_id), 422)
    except EditConflictError as conflict:
        product = catalogue.get_product(product_id)
        form.version.data = str(product.version)
        rows = _conflict_rows(form, conflict.changes)
        return _render_form(form, product, 409, conflict=rows)
    db.session.commit()
    flash(_("Changes saved."), "success")
    return redirect(url_for("products.show", product_id=product.id))


@bp.post("/<int:product_id>/activate")
@admin_required
def activate(product_id: int):
    """Put a product back into the catalogue."""
    return _set_active(product_id, True)


@bp.post("/<int:product_id>/deactivate")
@admin_required
def deactivate(product_id: int):
    """Take a product out of the catalogue: no new offers get it; old ones keep it."""
    return _set_active(product_id, False)


def _set_active(product_id: int, active: bool):  # noqa: ANN202
    product = catalogue.get_product(product_id)
    if DeleteForm().validate_on_submit():
        catalogue.set_active(current_user, product, active)
        db.session.commit()
        if active:
            flash(_("“%(name)s” is in the catalogue again.", name=product.name), "success")
        else:
            flash(_("“%(name)s” is no longer offered.", name=product.name), "success")
    return redirect(url_for("products.show", product_id=product.id))


# --- the product page: tiers and the product's segment prices -------------------------------


def _product_context(product: Product, **forms) -> dict:  # noqa: ANN003
    context = {
        "product": product,
        "rules": price_rules.segment_prices(product),
        "tier_form": forms.get("tier_form") or TierForm(formdata=None, prefix="tier"),
        "rule_form": forms.get("rule_form") or SegmentPriceForm(formdata=None, prefix="rule"),
        **_labels(),
    }
    if current_user.is_admin:
        context["rule_form"].tag_id.choices = _tag_choices()
    return context


def _tag_choices() -> list[tuple[int, str]]:
    return [(0, _("— pick a tag —")), *[(t.id, t.name) for t in price_rules.tags()]]


@bp.get("/<int:product_id>")
@login_required
def show(product_id: int):
    """A product: its prices, volume tiers and the segment prices that apply to it."""
    product = catalogue.get_product(product_id)
    return render_template("products/show.html", **_product_context(product))


def _product_block(product_id: int, block: str, status: int = 200, **forms):  # noqa: ANN003, ANN202
    """The changed block for htmx; without JavaScript, back to the page (or it with errors)."""
    if status == 200 and not wants_fragment():
        return redirect(url_for("products.show", product_id=product_id))
    db.session.expire_all()
    context = _product_context(catalogue.get_product(product_id), **forms)
    template = f"products/_{block}.html" if wants_fragment() else "products/show.html"
    return render_template(template, **context), status


@bp.post("/<int:product_id>/tiers")
@admin_required
def add_tier(product_id: int):
    """Add a volume tier (htmx: the tiers block comes back)."""
    product = catalogue.get_product(product_id)
    form = TierForm(prefix="tier")
    if not form.validate_on_submit():
        return _product_block(product_id, "tiers", 422, tier_form=form)
    try:
        price_rules.add_volume_tier(
            current_user,
            product,
            min_quantity=form.min_quantity.data,
            kind=form.kind.data,
            value=form.value.data,
        )
    except FieldError as exc:
        _field_error(form, exc)
        return _product_block(product_id, "tiers", 422, tier_form=form)
    db.session.commit()
    return _product_block(product_id, "tiers")


@bp.post("/<int:product_id>/tiers/<int:tier_id>/delete")
@admin_required
def remove_tier(product_id: int, tier_id: int):
    """Remove a volume tier."""
    product = catalogue.get_product(product_id)
    if DeleteForm().validate_on_submit():
        price_rules.remove_volume_tier(current_user, product, tier_id)
        db.session.commit()
    return _product_block(product_id, "tiers")


@bp.post("/<int:product_id>/segments")
@admin_required
def add_product_rule(product_id: int):
    """Add a segment price for this product (htmx: the block comes back)."""
    product = catalogue.get_product(product_id)
    form = SegmentPriceForm(prefix="rule")
    form.tag_id.choices = _tag_choices()
    if not form.validate_on_submit():
        return _product_block(product_id, "product_rules", 422, rule_form=form)
    try:
        price_rules.add_segment_price(
            current_user,
            tag_id=form.tag_id.data,
            product_id=product.id,
            kind=form.kind.data,
            value=form.value.data,
        )
    except FieldError as exc:
        _field_error(form, exc)
        return _product_block(product_id, "product_rules", 422, rule_form=form)
    db.session.commit()
    return _product_block(product_id, "product_rules")


@bp.post("/<int:product_id>/segments/<int:rule_id>/delete")
@admin_required
def remove_product_rule(product_id: int, rule_id: int):
    """Remove one of the product's segment prices."""
    catalogue.get_product(product_id)
    if DeleteForm().validate_on_submit():
        price_rules.remove_segment_price(current_user, rule_id, product_id=product_id)
        db.session.commit()
    return _product_block(product_id, "product_rules")


# --- segment prices across the catalogue -----------------------------------------------------


def _segments_page(form: CatalogueRuleForm | None = None, status: int = 200):  # noqa: ANN202
    if form is None:
        form = CatalogueRuleForm(formdata=None)
    if current_user.is_admin:
        form.tag_id.choices = _tag_choices()
    context = {
        "rules": price_rules.segment_prices(),
        "form": form,
        **_labels(),
    }
    return render_page_or_fragment(
        "products/segments.html", "products/_segment_rules.html", status, **context
    )


@bp.get("/segments")
@login_required
def segments():
    """Segment prices: catalogue-wide percentages and prices for single products, by tag."""
    return _segments_page()


@bp.post("/segments")
@admin_required
def add_rule():
    """Add a segment price for the whole catalogue or for the product with a SKU."""
    form = CatalogueRuleForm()
    form.tag_id.choices = _tag_choices()
    if not form.validate_on_submit():
        return _segments_page(form, 422)
    product = catalogue.find_by_sku(form.product_sku.data) if form.product_sku.data else None
    if form.product_sku.data and product is None:
        message = _("No product has the SKU %(sku)s.", sku=form.product_sku.data)
        form.product_sku.errors = [message]
        return _segments_page(form, 422)
    try:
        price_rules.add_segment_price(
            current_user,
            tag_id=form.tag_id.data,
            product_id=product.id if product else None,
            kind=form.kind.data,
            value=form.value.data,
        )
    except FieldError as exc:
        _field_error(form, exc)
        return _segments_page(form, 422)
    db.session.commit()
    if not wants_fragment():
        flash(_("The price rule was added."), "success")
        return redirect(url_for("products.segments"))
    return _segments_page()


@bp.post("/segments/<int:rule_id>/delete")
@admin_required
def remove_rule(rule_id: int):
    """Remove a segment price."""
    if DeleteForm().validate_on_submit():
        price_rules.remove_segment_price(current_user, rule_id)
        db.session.commit()
    if not wants_fragment():
        return redirect(url_for("products.segments"))
    return _segments_page()
