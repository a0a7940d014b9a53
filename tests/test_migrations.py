"""The models and the migrations describe the same schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import text

from crm import create_app
from crm.config import TestConfig
from crm.database import include_object
from crm.extensions import db
from crm.services.catalogue import active_products_for_picker


def test_models_and_migrations_agree():
    with db.engine.connect() as connection:
        options = {"compare_type": True, "include_object": include_object}
        context = MigrationContext.configure(connection, opts=options)
        assert compare_metadata(context, db.metadata) == []


def test_products_saved_before_the_search_text_are_found_after_the_upgrade(tmp_path):
    """The migration that adds `products.search_text` fills it in for the existing catalogue."""
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    old = create_app({"SQLALCHEMY_DATABASE_URI": url}, config_class=TestConfig)
    with old.app_context():
        upgrade(revision="96064200af25")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO products (name, sku, unit, description, category, list_price,"
                    " vat_rate, revenue_type, active, created_at, updated_at, version)"
                    " VALUES ('Ёлка «Норд»', 'EL-1', '', '', '', 10, 20, 'one_off', 1,"
                    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
                )
            )
        upgrade()
        assert [p.name for p in active_products_for_picker("ЕЛКА")] == ["Ёлка «Норд»"]
        assert [p.name for p in active_products_for_picker("el-1")] == ["Ёлка «Норд»"]
        db.session.remove()
        db.engine.dispose()
