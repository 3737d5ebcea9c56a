"""Contests: drop UNIQUE(competition_id, entry_id, voter_id) on contest_votes; UNIQUE(entry_id, voter_iin_hmac) holds it

A vote is only stored for an account with an IIN (the INSERT requires it), an account's IIN is set once
(``identity.services.add_iin``: changing it is a front-office matter, not implemented) and kept on the vote, so one
vote per idea and person already means one per idea and account. Every vote wrote this index's b-tree for nothing
(docs/performance.md, 2026-12-07); lookups by account use ``ix_contest_votes_voter_id``.

Revision ID: contests_0006
Revises: contests_0005
Create Date: 2026-12-07 06:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "contests_0006"
down_revision: str | None = "contests_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTRAINT = "uq_contest_votes_competition_id_entry_id_voter_id"


def upgrade() -> None:
    with op.batch_alter_table("contest_votes") as batch:
        batch.drop_constraint(CONSTRAINT, type_="unique")


def downgrade() -> None:
    with op.batch_alter_table("contest_votes") as batch:
        batch.create_unique_constraint(CONSTRAINT, ["competition_id", "entry_id", "voter_id"])
