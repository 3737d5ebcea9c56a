"""The dashboards' measures of initiatives, run as the dashboards run them (contract /tmp/contracts/indicators.md)."""

from __future__ import annotations

from datetime import timedelta

from civic import db
from civic.db import utc_now
from civic.initiatives import services
from civic.initiatives.indicators import MEASURES
from tests.initiatives.conftest import territory, user


def test_measures_count_what_happened(app, cast, initiatives):
    initiatives.make(step=3)
    initiatives.make(public=False)
    with app.app_context():
        services.send_weak_spots(user(cast.district), territory("KZ-VOS-GLU"), "Queues", "")
        db.session.commit()
        now = utc_now()
        since = now - timedelta(days=1000)
        rows = {m["key"]: db.session.execute(m["query"](since, now)).all() for m in MEASURES}
        vos = territory("KZ-VOS").id
        assert [(r.territory_id, r.value) for r in rows["initiatives.started"]] == [(vos, 1)]
        assert sum(r.value for r in rows["initiatives.steps_passed"]) == 2
        assert [(r.part, r.value) for r in rows["initiatives.running_by_step"]] == [("3", 1)]
        assert [(r.territory_id, r.value) for r in rows["initiatives.weak_spots_waiting"]] == [(vos, 1)]
        assert all(str(r.day) == str(now.date()) for r in rows["initiatives.started"])
