"""The dashboards' measures of councils, run by hand (the contract in /tmp/contracts/indicators.md, issue 12)."""

from __future__ import annotations

from datetime import timedelta

from civic import db
from civic.councils.indicators import MEASURES
from civic.councils.models import Recommendation
from civic.db import utc_now


def _run(key: str, now):
    measure = next(m for m in MEASURES if m["key"] == key)
    return db.session.execute(measure["query"](now - timedelta(days=1000), now)).all()


def test_measures(app, cast, councils):
    council_id = councils.make()
    on_time = councils.adopted(council_id)
    overdue = councils.adopted(council_id)
    with app.app_context():
        from civic.councils import services
        from tests.councils.conftest import user

        rec = db.session.get(Recommendation, on_time)
        services.answer(rec, user(cast.official), "rejected", "No budget")
        late = db.session.get(Recommendation, overdue)
        late.due_at = utc_now() - timedelta(days=1)
        db.session.commit()
        now = utc_now()
        body = rec.body_id
        territory = rec.council.territory_id
        assert [(r.territory_id, r.body_id, r.value) for r in _run("councils.recommendations_sent", now)] == [
            (territory, body, 2)
        ]
        assert [(r.body_id, r.value) for r in _run("councils.recommendations_overdue", now)] == [(body, 1)]
        assert _run("councils.recommendations_awaiting", now) == []
        assert [r.value for r in _run("councils.recommendations_answered_on_time", now)] == [1]
        assert _run("councils.recommendations_answered_late", now) == []
        assert [r.value for r in _run("councils.meetings_held", now)] == [2]
        [median] = _run("councils.answer_days", now)
        assert 0 <= median.value < 1
        assert {m["key"].split(".")[0] for m in MEASURES} == {"councils"}
