"""Petitions: petitions, supporters, signatures, tallies, settings

Revision ID: petitions_0001
Revises: bureau_0001
Create Date: 2026-11-22 03:53:43.556252+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import civic.db

revision: str = "petitions_0001"
down_revision: str | None = "bureau_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "petition_daily_counts",
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("petition_id", "day", name=op.f("pk_petition_daily_counts")),
    )
    op.create_table(
        "petition_level_rules",
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("response_threshold", sa.Integer(), nullable=False),
        sa.Column("hearing_threshold", sa.Integer(), nullable=False),
        sa.Column("signing_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("level", name=op.f("pk_petition_level_rules")),
    )
    op.create_table(
        "petition_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supporters_needed", sa.Integer(), nullable=False),
        sa.Column("residence_required", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_settings")),
    )
    op.create_table(
        "petition_territory_counts",
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("petition_id", "territory_id", name=op.f("pk_petition_territory_counts")),
    )
    op.create_table(
        "petitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("state_body_id", sa.Integer(), nullable=True),
        sa.Column("supporter_token", sa.String(length=48), nullable=False),
        sa.Column(
            "created_at",
            civic.db.AwareDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("updated_at", civic.db.AwareDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", civic.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("moderation_started_at", civic.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("moderated_at", civic.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("moderated_by_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", civic.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("closes_at", civic.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", civic.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", civic.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", civic.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("rejection_code", sa.String(length=32), nullable=True),
        sa.Column("rejection_details", sa.Text(), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("response_threshold", sa.Integer(), nullable=True),
        sa.Column("hearing_threshold", sa.Integer(), nullable=True),
        sa.Column("response_threshold_reached_at", civic.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("response_due_at", civic.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("hearing_threshold_reached_at", civic.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("signature_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("tallied_at", civic.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("response_text", sa.Text(), nullable=True),
        sa.Column("responded_at", civic.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("response_updated_at", civic.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("responder_id", sa.Integer(), nullable=True),
        sa.Column("response_body_id", sa.Integer(), nullable=True),
        sa.Column("response_notified_upto", sa.Integer(), server_default="0", nullable=False),
        sa.Column("response_notified_at", civic.db.AwareDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_petitions_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"], name=op.f("fk_petitions_category_id_categories")),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["petitions.id"],
            name=op.f("fk_petitions_duplicate_of_id_petitions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["moderated_by_id"], ["users.id"], name=op.f("fk_petitions_moderated_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["responder_id"], ["users.id"], name=op.f("fk_petitions_responder_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["response_body_id"], ["state_bodies.id"], name=op.f("fk_petitions_response_body_id_state_bodies")
        ),
        sa.ForeignKeyConstraint(
            ["state_body_id"], ["state_bodies.id"], name=op.f("fk_petitions_state_body_id_state_bodies")
        ),
        sa.ForeignKeyConstraint(
            ["territory_id"], ["territories.id"], name=op.f("fk_petitions_territory_id_territories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petitions")),
        sa.UniqueConstraint("supporter_token", name=op.f("uq_petitions_supporter_token")),
    )
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_petitions_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_petitions_category_id"), ["category_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_petitions_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_petitions_state_body_id"), ["state_body_id"], unique=False)
        batch_op.create_index("ix_petitions_state_closes_at", ["state", "closes_at"], unique=False)
        batch_op.create_index("ix_petitions_state_opened_at", ["state", "opened_at"], unique=False)
        batch_op.create_index("ix_petitions_state_signature_count", ["state", "signature_count"], unique=False)
        batch_op.create_index(batch_op.f("ix_petitions_territory_id"), ["territory_id"], unique=False)

    op.create_table(
        "petition_invalidations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("invalidated_count", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            civic.db.AwareDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_petition_invalidations_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_petition_invalidations_petition_id_petitions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_invalidations")),
    )
    with op.batch_alter_table("petition_invalidations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_petition_invalidations_petition_id"), ["petition_id"], unique=False)

    op.create_table(
        "petition_supporters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("notify", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at",
            civic.db.AwareDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_petition_supporters_petition_id_petitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_petition_supporters_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_supporters")),
        sa.UniqueConstraint("petition_id", "user_id", name=op.f("uq_petition_supporters_petition_id_user_id")),
    )
    with op.batch_alter_table("petition_supporters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_petition_supporters_user_id"), ["user_id"], unique=False)

    op.create_table(
        "petition_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("territory_id", sa.Integer(), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("email_domain", sa.String(length=255), nullable=True),
        sa.Column("notify", sa.Boolean(), nullable=False),
        sa.Column("created_at", civic.db.AwareDateTime(timezone=True), nullable=False),
        sa.Column("tallied_at", civic.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("invalidated_at", civic.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("invalidation_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["invalidation_id"],
            ["petition_invalidations.id"],
            name=op.f("fk_petition_signatures_invalidation_id_petition_invalidations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_petition_signatures_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_signatures")),
        sa.UniqueConstraint("petition_id", "user_id", name=op.f("uq_petition_signatures_petition_id_user_id")),
    )
    with op.batch_alter_table("petition_signatures", schema=None) as batch_op:
        batch_op.create_index("ix_petition_signatures_ip_created_at", ["ip", "created_at"], unique=False)
        batch_op.create_index(
            "ix_petition_signatures_petition_id_created_at", ["petition_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_petition_signatures_untallied",
            ["petition_id"],
            unique=False,
            sqlite_where=sa.text("tallied_at IS NULL"),
            postgresql_where=sa.text("tallied_at IS NULL"),
        )
        batch_op.create_index(batch_op.f("ix_petition_signatures_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("petition_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_petition_signatures_user_id"))
        batch_op.drop_index(
            "ix_petition_signatures_untallied",
            sqlite_where=sa.text("tallied_at IS NULL"),
            postgresql_where=sa.text("tallied_at IS NULL"),
        )
        batch_op.drop_index("ix_petition_signatures_petition_id_created_at")
        batch_op.drop_index("ix_petition_signatures_ip_created_at")

    op.drop_table("petition_signatures")
    with op.batch_alter_table("petition_supporters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_petition_supporters_user_id"))

    op.drop_table("petition_supporters")
    with op.batch_alter_table("petition_invalidations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_petition_invalidations_petition_id"))

    op.drop_table("petition_invalidations")
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_petitions_territory_id"))
        batch_op.drop_index("ix_petitions_state_signature_count")
        batch_op.drop_index("ix_petitions_state_opened_at")
        batch_op.drop_index("ix_petitions_state_closes_at")
        batch_op.drop_index(batch_op.f("ix_petitions_state_body_id"))
        batch_op.drop_index(batch_op.f("ix_petitions_state"))
        batch_op.drop_index(batch_op.f("ix_petitions_category_id"))
        batch_op.drop_index(batch_op.f("ix_petitions_author_id"))

    op.drop_table("petitions")
    op.drop_table("petition_territory_counts")
    op.drop_table("petition_settings")
    op.drop_table("petition_level_rules")
    op.drop_table("petition_daily_counts")
