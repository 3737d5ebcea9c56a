"""Contests: drop the index on contest_votes.entry_id (the unique (entry_id, voter_iin_hmac) index leads with it)

Every vote writes each of the table's b-trees; this one served no lookup the unique index does not (by idea, the
cascade from contest_entries). Measured with bench/vote.py, docs/performance.md (2026-12-07).

Revision ID: contests_0005
Revises: dashboards_0002
Create Date: 2026-12-07 04:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "contests_0005"
down_revision: str | None = "dashboards_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contest_votes") as batch:
        batch.drop_index("ix_contest_votes_entry_id")


def downgrade() -> None:
    with op.batch_alter_table("contest_votes") as batch:
        batch.create_index("ix_contest_votes_entry_id", ["entry_id"], unique=False)
