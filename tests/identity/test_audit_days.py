"""The audit log's date filter reads days in Almaty time, like every date the pages show."""

from __future__ import annotations

from datetime import UTC, datetime

from civic import db
from civic.identity.models import AuditEvent


def test_the_audit_filter_days_are_almaty_days(app, client, auth, make_user):
    admin = make_user(roles=["admin"])
    with app.app_context():
        for action, at in (
            ("test.before", datetime(2026, 1, 30, 18, 59, tzinfo=UTC)),  # 30 Jan, 23:59 in Almaty
            ("test.early", datetime(2026, 1, 30, 19, 0, tzinfo=UTC)),  # 31 Jan, 00:00 in Almaty
            ("test.late", datetime(2026, 1, 31, 18, 59, tzinfo=UTC)),  # 31 Jan, 23:59 in Almaty
            ("test.after", datetime(2026, 1, 31, 19, 0, tzinfo=UTC)),  # 1 Feb, 00:00 in Almaty
        ):
            db.session.add(AuditEvent(action=action, object_type="test", object_id="1", at=at))
        db.session.commit()
    auth.login(admin)
    page = client.get("/admin/audit?action=test.&from=2026-01-31&to=2026-01-31").get_data(as_text=True)
    shown = {action for action in ("test.before", "test.early", "test.late", "test.after") if action in page}
    assert shown == {"test.early", "test.late"}
