"""Performance: the council tracker's indexes carry the status columns; covering indexes for the dashboards' grouped
reads of bureau cases and referrals (docs/performance.md)

Revision ID: platform_0005
Revises: platform_0006
Create Date: 2026-12-06 04:20:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "platform_0005"
down_revision: str | None = "platform_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECS = "council_recommendations"
TRACKER_NEW = {
    "ix_council_recs_body_sent": ["body_id", "sent_at", "id", "state", "answered_late", "due_at"],
    "ix_council_recs_council_sent": ["council_id", "sent_at", "id", "state", "answered_late", "due_at"],
    "ix_council_recs_state_sent": ["state", "sent_at", "id", "answered_late", "due_at"],
}
TRACKER_OLD = {
    "ix_council_recs_body_sent": ["body_id", "sent_at"],
    "ix_council_recs_council_sent": ["council_id", "sent_at"],
    "ix_council_recs_state_sent": ["state", "sent_at"],
}
TIMELINESS_NEW = ("ix_council_recs_state_body", ["state", "body_id", "answered_late", "due_at"])
TIMELINESS_OLD = ("ix_council_recs_body_status", ["body_id", "state", "answered_late", "due_at", "council_id"])
CASES_COVER = ("ix_bureau_cases_created_cover", ["created_at", "territory_id", "category_id"])


def upgrade() -> None:
    for name, columns in TRACKER_NEW.items():
        op.drop_index(name, table_name=RECS)
        op.create_index(name, RECS, columns, unique=False)
    op.drop_index(TIMELINESS_OLD[0], table_name=RECS)
    op.create_index(TIMELINESS_NEW[0], RECS, TIMELINESS_NEW[1], unique=False)
    op.create_index(CASES_COVER[0], "bureau_cases", CASES_COVER[1], unique=False)


def downgrade() -> None:
    op.drop_index(CASES_COVER[0], table_name="bureau_cases")
    op.drop_index(TIMELINESS_NEW[0], table_name=RECS)
    op.create_index(TIMELINESS_OLD[0], RECS, TIMELINESS_OLD[1], unique=False)
    for name, columns in TRACKER_OLD.items():
        op.drop_index(name, table_name=RECS)
        op.create_index(name, RECS, columns, unique=False)
