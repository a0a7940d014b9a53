"""The product and price catalogue: products, volume tiers and segment prices."""

from flask import Blueprint

bp = Blueprint("products", __name__, url_prefix="/products")

from crm.blueprints.products import routes  # noqa: E402, F401
