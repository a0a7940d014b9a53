"""Products: a folded search text (name and SKU), so that search ignores case and ё/е

SQLite's LIKE folds ASCII only; the service stores the name and SKU folded (as parties'
search text is) and searches that. Existing products are filled in here.

Revision ID: c4a7e2d91f03
Revises: 96064200af25
Create Date: 2026-11-23 07:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c4a7e2d91f03"
down_revision = "96064200af25"
branch_labels = None
depends_on = None

# A frozen copy of crm.services.text.fold as of this revision.
_FOLD = str.maketrans({"ё": "е", "ї": "і", "ґ": "г", "’": "'", "ʼ": "'", "`": "'", "‘": "'"})


def _fold(text: str) -> str:
    return " ".join(text.casefold().translate(_FOLD).split())


def upgrade():
    with op.batch_alter_table("products") as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    products = sa.table(
        "products",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("sku", sa.String),
        sa.column("search_text", sa.Text),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(products.c.id, products.c.name, products.c.sku)).all()
    for product_id, name, sku in rows:
        bind.execute(
            products.update()
            .where(products.c.id == product_id)
            .values(search_text=f"{_fold(name or '')} | {_fold(sku or '')}")
        )


def downgrade():
    with op.batch_alter_table("products") as batch_op:
        batch_op.drop_column("search_text")
