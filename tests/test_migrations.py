"""The models and the migrations describe the same schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from crm.database import include_object
from crm.extensions import db


def test_models_and_migrations_agree():
    with db.engine.connect() as connection:
        options = {"compare_type": True, "include_object": include_object}
        context = MigrationContext.configure(connection, opts=options)
        assert compare_metadata(context, db.metadata) == []
