"""board index for owner-limited counts, and a manager's clients by last contact

A manager who sees only their own clients (or filters the board by owner) counts the
parties per stage of one owner, the team page counts per owner and stage, and the lead
pool looks for live parties without an owner: this index answers all three from the index.

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
        ["deleted_at", "owner_id", "stage_id", "last_contact_at"],
        unique=False,
    )
    op.create_index(
        "ix_parties_owner_contact", "parties", ["owner_id", "last_contact_at", "id"], unique=False
    )


def downgrade():
    op.drop_index("ix_parties_owner_contact", table_name="parties")
    op.drop_index("ix_parties_owner_board", table_name="parties")
