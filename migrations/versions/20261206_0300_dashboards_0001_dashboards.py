"""Dashboards: refreshed figures, refresh log, weekly digest memory and opt-outs

Revision ID: dashboards_0001
Revises: initiatives_0001
Create Date: 2026-12-06 03:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import civic.db

revision: str = "dashboards_0001"
down_revision: str | None = "initiatives_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dashboard_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_key", sa.String(length=80), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=True),
        sa.Column("body_id", sa.Integer(), nullable=True),
        sa.Column("part", sa.String(length=40), nullable=False),
        sa.Column("period_kind", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("refreshed_at", civic.db.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_figures")),
    )
    op.create_index(
        "ix_dashboard_figures_territory", "dashboard_figures", ["territory_id", "period_kind", "measure_key"]
    )
    op.create_index("ix_dashboard_figures_body", "dashboard_figures", ["body_id", "period_kind"])
    op.create_table(
        "dashboard_refreshes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", civic.db.AwareDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", civic.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("figures", sa.Integer(), nullable=False),
        sa.Column("failed", sa.String(length=2000), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_refreshes")),
    )
    op.create_table(
        "dashboard_digest_optouts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", civic.db.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_dashboard_digest_optouts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_dashboard_digest_optouts")),
    )
    op.create_table(
        "dashboard_digest_values",
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("measure_key", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("sent_at", civic.db.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["state_bodies.id"],
            name=op.f("fk_dashboard_digest_values_body_id_state_bodies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("body_id", "measure_key", name=op.f("pk_dashboard_digest_values")),
    )
    op.create_table(
        "dashboard_staging",
        sa.Column("measure_key", sa.String(length=80), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=True),
        sa.Column("part", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
    )
    op.create_table(
        "dashboard_ancestors",
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("ancestor_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("territory_id", "ancestor_id", name=op.f("pk_dashboard_ancestors")),
    )
    op.create_table(
        "dashboard_calendar",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("quarter", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_dashboard_calendar")),
    )


def downgrade() -> None:
    op.drop_table("dashboard_calendar")
    op.drop_table("dashboard_ancestors")
    op.drop_table("dashboard_staging")
    op.drop_table("dashboard_digest_values")
    op.drop_table("dashboard_digest_optouts")
    op.drop_table("dashboard_refreshes")
    op.drop_index("ix_dashboard_figures_body", table_name="dashboard_figures")
    op.drop_index("ix_dashboard_figures_territory", table_name="dashboard_figures")
    op.drop_table("dashboard_figures")
