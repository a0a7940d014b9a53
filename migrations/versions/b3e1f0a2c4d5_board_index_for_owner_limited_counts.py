"""board index for owner-limited counts, and a manager's clients by last contact

A manager who sees only their own clients (or filters the board by owner) counts the
parties per stage of one owner: this index answers that without touching the table.

Revision ID: b3e1f0a2c4d5
Revises: 98968367882f
Create Date: 2026-11-23 02:45:00
"""

from alembic import op

revision = "b3e1f0a2c4d5"
down_revision = "98968367882f"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_parties_owner_board",
        "parties",
        ["owner_id", "deleted_at", "stage_id", "last_contact_at"],
        unique=False,
    )
    op.create_index(
        "ix_parties_owner_contact", "parties", ["owner_id", "last_contact_at", "id"], unique=False
    )


def downgrade():
    op.drop_index("ix_parties_owner_contact", table_name="parties")
    op.drop_index("ix_parties_owner_board", table_name="parties")
