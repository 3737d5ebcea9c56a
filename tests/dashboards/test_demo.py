"""The demo data fills the dashboards: the dashboards' demo runs last and refreshes, and every measure has a
figure at the republic level (a few contest figures wait for a contest with published results in the demo)."""

from __future__ import annotations

import random

import numpy as np
from sqlalchemy import select

from civic import db
from civic.dashboards import models
from civic.dashboards.measures import all_measures
from civic.demo import DemoContext
from civic.identity.models import StateBody, Territory
from civic.modules import MODULES, submodule

#: The demo's one idea contest stands in its jury phase: no winners or implementation yet.
NOT_IN_THE_DEMO = {"contests.winners", "contests.implementation"}


def test_dashboards_come_last_and_the_demo_fills_every_figure(app):
    assert MODULES[-1] == "dashboards"
    with app.app_context():
        context = DemoContext(rng=random.Random(3), np_rng=np.random.default_rng(3), echo=lambda _line: None)
        for module in MODULES:
            demo = submodule(module, "demo")
            if demo is not None:
                demo.seed_demo(context)
        db.session.commit()
        republic = db.session.scalar(select(Territory.id).where(Territory.level == "republic"))
        filled = set(
            db.session.scalars(
                select(models.Figure.measure_key).where(models.Figure.territory_id == republic, models.Figure.value > 0)
            )
        )
        empty = {m.key for m in all_measures()} - filled
        assert empty <= NOT_IN_THE_DEMO, sorted(empty)
        assert db.session.scalar(select(models.Refresh.failed)) == ""
        assert db.session.scalar(select(StateBody.id).where(StateBody.head_user_id.is_not(None))) is not None
