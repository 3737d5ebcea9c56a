"""Platform consolidation: petition answer extension, restore and IP purge, trending-source alerts, bureau withdrawal

Revision ID: platform_0002
Revises: petitions_0001
Create Date: 2026-12-05 01:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import civic.db

revision: str = "platform_0002"
down_revision: str | None = "petitions_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state_before_hidden", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("restored_at", civic.db.AwareDateTime(), nullable=True))
        batch_op.add_column(sa.Column("ips_purged_at", civic.db.AwareDateTime(), nullable=True))
        batch_op.add_column(sa.Column("response_extension_reason", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("response_extension_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("response_extended_at", civic.db.AwareDateTime(), nullable=True))
        batch_op.add_column(sa.Column("response_extended_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_petitions_response_extended_by_id_users"),
            "users",
            ["response_extended_by_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_table(
        "petition_source_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("source_count", sa.Integer(), nullable=False),
        sa.Column("recent_count", sa.Integer(), nullable=False),
        sa.Column("window_start", civic.db.AwareDateTime(), nullable=False),
        sa.Column("created_at", civic.db.AwareDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_petition_source_alerts_petition_id_petitions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_source_alerts")),
    )
    with op.batch_alter_table("petition_source_alerts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_petition_source_alerts_lookup", ["petition_id", "kind", "source", "created_at"], unique=False
        )

    with op.batch_alter_table("bureau_referrals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", civic.db.AwareDateTime(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("withdrawal_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_bureau_referrals_withdrawn_by_id_users"),
            "users",
            ["withdrawn_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("bureau_referrals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_bureau_referrals_withdrawn_by_id_users"), type_="foreignkey")
        batch_op.drop_column("withdrawal_reason")
        batch_op.drop_column("withdrawn_by_id")
        batch_op.drop_column("withdrawn_at")

    with op.batch_alter_table("petition_source_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_petition_source_alerts_lookup")
    op.drop_table("petition_source_alerts")

    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_petitions_response_extended_by_id_users"), type_="foreignkey")
        batch_op.drop_column("response_extended_by_id")
        batch_op.drop_column("response_extended_at")
        batch_op.drop_column("response_extension_note")
        batch_op.drop_column("response_extension_reason")
        batch_op.drop_column("ips_purged_at")
        batch_op.drop_column("restored_at")
        batch_op.drop_column("state_before_hidden")
