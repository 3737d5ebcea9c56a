"""Security findings: one person once per petition, server-side sessions, login throttle, per-round Delphi
pseudonyms, the assurance level that counts toward a petition's thresholds

Revision ID: platform_0003
Revises: contests_0002
Create Date: 2026-12-06 03:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import civic.db

revision: str = "platform_0003"
down_revision: str | None = "contests_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            civic.db.AwareDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("last_seen_at", civic.db.AwareDateTime(timezone=True), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=True),
        sa.Column("revoked_at", civic.db.AwareDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"], unique=False)
    op.create_table(
        "login_throttles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=45), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", civic.db.AwareDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", civic.db.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_login_throttles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_throttles")),
        sa.UniqueConstraint("user_id", "address", name=op.f("uq_login_throttles_user_id_address")),
    )

    # One person, one signature / one support per petition: the IIN fingerprint, copied from the live accounts.
    # (Rows of accounts erased before this revision have lost it: their users.iin_hmac is already NULL.)
    with op.batch_alter_table("petition_signatures") as batch:
        batch.add_column(sa.Column("signer_iin_hmac", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("signer_level", sa.Integer(), server_default=sa.text("2"), nullable=False))
    op.execute(
        "UPDATE petition_signatures SET "
        "signer_iin_hmac = (SELECT users.iin_hmac FROM users WHERE users.id = petition_signatures.user_id), "
        "signer_level = COALESCE((SELECT CASE WHEN users.assurance_level < 2 THEN 2 ELSE users.assurance_level END "
        "FROM users WHERE users.id = petition_signatures.user_id), 2)"
    )
    with op.batch_alter_table("petition_signatures") as batch:
        batch.create_unique_constraint(
            op.f("uq_petition_signatures_petition_id_signer_iin_hmac"), ["petition_id", "signer_iin_hmac"]
        )
    with op.batch_alter_table("petition_supporters") as batch:
        batch.add_column(sa.Column("iin_hmac", sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE petition_supporters SET "
        "iin_hmac = (SELECT users.iin_hmac FROM users WHERE users.id = petition_supporters.user_id)"
    )
    with op.batch_alter_table("petition_supporters") as batch:
        batch.create_unique_constraint(op.f("uq_petition_supporters_petition_id_iin_hmac"), ["petition_id", "iin_hmac"])
    with op.batch_alter_table("petitions") as batch:
        batch.add_column(sa.Column("threshold_level", sa.Integer(), server_default=sa.text("2"), nullable=False))

    # Delphi: rounds opened from now on use a fresh pseudonym per round; existing rounds keep the per-study one
    # until `flask delphi repseudonymise` (it needs the app's key, which migrations do not have).
    with op.batch_alter_table("delphi_rounds") as batch:
        batch.add_column(sa.Column("pseudonym_scheme", sa.Integer(), server_default=sa.text("2"), nullable=False))
    op.execute("UPDATE delphi_rounds SET pseudonym_scheme = 1")


def downgrade() -> None:
    with op.batch_alter_table("delphi_rounds") as batch:
        batch.drop_column("pseudonym_scheme")
    with op.batch_alter_table("petitions") as batch:
        batch.drop_column("threshold_level")
    with op.batch_alter_table("petition_supporters") as batch:
        batch.drop_constraint(op.f("uq_petition_supporters_petition_id_iin_hmac"), type_="unique")
        batch.drop_column("iin_hmac")
    with op.batch_alter_table("petition_signatures") as batch:
        batch.drop_constraint(op.f("uq_petition_signatures_petition_id_signer_iin_hmac"), type_="unique")
        batch.drop_column("signer_level")
        batch.drop_column("signer_iin_hmac")
    op.drop_table("login_throttles")
    op.drop_index(op.f("ix_user_sessions_user_id"), table_name="user_sessions")
    op.drop_table("user_sessions")
