"""Repeating tasks count their turns from the series' first date (no drift at month ends)

Open repeating tasks start their series on their own due date.

Revision ID: d81f3b6a2e57
Revises: c4a7e2d91f03
Create Date: 2026-11-23 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d81f3b6a2e57"
down_revision = "c4a7e2d91f03"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.add_column(sa.Column("repeat_start", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("repeat_turn", sa.Integer(), nullable=False, server_default="0")
        )
    op.execute("UPDATE tasks SET repeat_start = due_date WHERE repeat_unit IS NOT NULL")


def downgrade():
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.drop_column("repeat_turn")
        batch_op.drop_column("repeat_start")
