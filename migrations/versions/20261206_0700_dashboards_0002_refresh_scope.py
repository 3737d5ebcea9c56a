"""Dashboards: the refresh log names the measures an on-change refresh recomputed

Revision ID: dashboards_0002
Revises: contests_0004
Create Date: 2026-12-06 07:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "dashboards_0002"
down_revision: str | None = "contests_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dashboard_refreshes") as batch:
        batch.add_column(sa.Column("measures", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("dashboard_refreshes") as batch:
        batch.drop_column("measures")
