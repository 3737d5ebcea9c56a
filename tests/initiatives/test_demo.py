"""The demo: six of the seed's cases running in Almaty and East Kazakhstan with values at every level."""

from __future__ import annotations

import random

import numpy as np
from sqlalchemy import func, select

from civic import db
from civic.demo import DemoContext
from civic.initiatives import values
from civic.initiatives.models import Initiative, Rollup, Template, Value, WeakSpot
from civic.modules import submodule
from civic.stakeholders.models import MapEntry
from tests.initiatives.conftest import territory


def test_demo_runs_six_cases_with_values_at_all_levels(app, directory, client):
    lines = []
    with app.app_context():
        context = DemoContext(rng=random.Random(3), np_rng=np.random.default_rng(3), echo=lines.append)
        for module in ("identity", "initiatives", "stakeholders"):
            submodule(module, "demo").seed_demo(context)
        db.session.commit()
    with app.app_context():
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert count(Template) == 45
        initiatives = db.session.scalars(select(Initiative).order_by(Initiative.id)).all()
        assert sorted(i.template.case_no for i in initiatives) == [1, 5, 12, 17, 18, 21]
        assert {i.territory.code for i in initiatives} == {"KZ-ALA", "KZ-VOS"}
        assert initiatives[0].finished
        assert initiatives[0].report_text
        assert count(Value) > 1000
        assert count(WeakSpot) == 2
        # rural district → district → oblast → republic for East Kazakhstan's large families
        large = next(i for i in initiatives if i.template.case_no == 1)
        indicator = values.indicators_of(large)[0]
        levels = {
            t.level
            for t in db.session.scalars(
                select(territory("KZ").__class__)
                .join(Rollup, Rollup.territory_id == territory("KZ").__class__.id)
                .where(Rollup.indicator_id == indicator.id)
            )
        }
        assert levels == {"rural_district", "district", "oblast", "republic"}
        assert len(values.periods(indicator, large.territory)) == 36
        moved = db.session.scalars(select(MapEntry).where(MapEntry.previous_group == 3, MapEntry.group == 2)).all()
        assert moved
    assert any("rolled up" in line for line in lines)
    assert client.get(f"/initiatives/{large.id}").status_code == 200
    assert client.get(f"/initiatives/{large.id}/indicators/{indicator.id}").status_code == 200
    assert client.get(f"/stakeholders/initiative/{large.id}").status_code == 200
