"""Audit entries by entity: recent exports, the ladder's changes, a product's edits

Without it each of these read the whole audit table (300,000 rows at 100,000 parties).

Revision ID: f3a9d5e6b1c8
Revises: e5b0c7a41d92
Create Date: 2026-11-23 08:25:00
"""

from alembic import op

revision = "f3a9d5e6b1c8"
down_revision = "e5b0c7a41d92"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_audit_entity", "audit_entries", ["entity", "entity_id", "id"])


def downgrade():
    op.drop_index("ix_audit_entity", table_name="audit_entries")
