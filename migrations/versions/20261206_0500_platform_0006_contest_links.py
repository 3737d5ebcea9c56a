"""Contests link to another module's object (an initiative, a petition…) through the link registry

Revision ID: platform_0006
Revises: platform_0003
Create Date: 2026-12-06 05:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "platform_0006"
down_revision: str | None = "platform_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("linked_object_type", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("linked_object_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_contests_link", ["linked_object_type", "linked_object_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("contests", schema=None) as batch_op:
        batch_op.drop_index("ix_contests_link")
        batch_op.drop_column("linked_object_id")
        batch_op.drop_column("linked_object_type")
