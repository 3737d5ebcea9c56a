"""A partial index of verified signers, so a petition page counts them without reading every signature.

Revision ID: platform_0007
Revises: platform_0005
Create Date: 2026-12-06 05:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "platform_0007"
down_revision: str | None = "platform_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONDITION = "signer_level >= 3 AND invalidated_at IS NULL"


def upgrade() -> None:
    op.create_index(
        "ix_petition_signatures_verified",
        "petition_signatures",
        ["petition_id", "signer_level"],
        sqlite_where=sa.text(CONDITION),
        postgresql_where=sa.text(CONDITION),
    )


def downgrade() -> None:
    op.drop_index("ix_petition_signatures_verified", table_name="petition_signatures")
