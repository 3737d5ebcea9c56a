"""Contest results are published by a job: the request's state on the competition and who was told

Revision ID: contests_0004
Revises: platform_0007
Create Date: 2026-12-06 07:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import civic.db

revision: str = "contests_0004"
down_revision: str | None = "platform_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contest_competitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("results_state", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("results_requested_at", civic.db.AwareDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("results_requested_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("results_error", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_contest_competitions_results_requested_by_id_users"),
            "users",
            ["results_requested_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # Results published before this revision were published (and their authors told) in the request.
    op.execute("UPDATE contest_competitions SET results_state = 'published' WHERE results_published_at IS NOT NULL")
    op.create_table(
        "contest_result_notices",
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("won", sa.Boolean(), nullable=False),
        sa.Column("notified_at", civic.db.AwareDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["contest_competitions.id"],
            name=op.f("fk_contest_result_notices_competition_id_contest_competitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_contest_result_notices_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("competition_id", "user_id", name=op.f("pk_contest_result_notices")),
    )


def downgrade() -> None:
    op.drop_table("contest_result_notices")
    with op.batch_alter_table("contest_competitions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_contest_competitions_results_requested_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("results_error")
        batch_op.drop_column("results_requested_by_id")
        batch_op.drop_column("results_requested_at")
        batch_op.drop_column("results_state")
