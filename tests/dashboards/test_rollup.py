"""Roll-up correctness, checked by hand: rows placed in a rural district, its district, the oblast's city and a
district of Almaty; every territory's figure must be the sum (or median) of what lies inside it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from civic import db
from civic.dashboards import models, refresh
from civic.dashboards.measures import all_measures
from tests.dashboards.conftest import NOW, case, days, petition, referral, run_refresh


def at(y, m, d, h=10):
    return datetime(y, m, d, h, tzinfo=UTC)


def figure(directory, key, territory=None, kind="all", start=None, part="", body=None):
    F = models.Figure
    conditions = [F.measure_key == key, F.period_kind == kind, F.part == part]
    conditions.append(F.body_id == directory.bodies[body] if body else F.body_id.is_(None))
    if territory:
        conditions.append(F.territory_id == directory.territories[territory])
    conditions.append(F.period_start == start if start else F.period_start.is_(None))
    values = db.session.scalars(select(F.value).where(*conditions)).all()
    assert len(values) <= 1, values
    return values[0] if values else None


@pytest.fixture
def scene(app, directory):
    with app.app_context():
        petition(directory, "KZ-VOS-GLU-BOB", at(2026, 12, 1))
        petition(directory, "KZ-VOS-GLU-BOB", at(2026, 12, 1, 18), category="education")
        petition(directory, "KZ-VOS-GLU", at(2026, 11, 20))
        petition(directory, "KZ-VOS-OSK", at(2026, 9, 15))
        petition(directory, "KZ-ALA-BOS", at(2026, 12, 2, 9))
        petition(directory, "KZ-ALA-BOS", at(2020, 1, 1))  # before the window: not counted
        # answered petitions (threshold reached -> answer): 10, 20, 40 days in East Kazakhstan, 5 in Almaty
        for code, length in (("KZ-VOS-GLU-BOB", 10), ("KZ-VOS-GLU", 20), ("KZ-VOS-OSK", 40), ("KZ-ALA-BOS", 5)):
            petition(
                directory,
                code,
                None,
                response_threshold_reached_at=at(2026, 10, 1),
                responded_at=at(2026, 10, 1) + days(length),
                response_due_at=at(2026, 10, 1) + days(30),
            )
        # one answer overdue in the rural district, owed by the district's akimat; one due later in Oskemen
        petition(directory, "KZ-VOS-GLU-BOB", None, body="KZ-VOS-GLU.AKIMAT", response_due_at=NOW - days(1))
        petition(directory, "KZ-VOS-OSK", None, response_due_at=NOW + days(3))
        for _ in range(3):
            case(directory, "KZ-VOS-GLU-BOB", at(2026, 11, 3), "housing")
        case(directory, "KZ-VOS-GLU-BOB", at(2026, 11, 4), "debts")
        for _ in range(2):
            case(directory, "KZ-ALA-BOS", at(2026, 11, 5), "housing")
        first = case(directory, "KZ-VOS-GLU-TAR", at(2026, 11, 10))
        referral(directory, first, "KZ-VOS.ENERGY", at(2026, 11, 10), state="sent", due_at=NOW - days(1))
        referral(
            directory,
            first,
            "KZ-VOS.ENERGY",
            at(2026, 11, 10),
            state="accepted",
            due_at=at(2026, 11, 20),
            answered_at=at(2026, 11, 13),
            answered_late=False,
        )
        db.session.commit()
    assert run_refresh(app) == ""


def test_sums_roll_up_the_territory_tree(app, directory, scene):
    with app.app_context():
        expected = {
            "KZ-VOS-GLU-BOB": 2,
            "KZ-VOS-GLU": 3,
            "KZ-VOS-OSK": 1,
            "KZ-VOS": 4,
            "KZ-ALA-BOS": 1,
            "KZ-ALA": 1,
            "KZ": 5,
        }
        for code, value in expected.items():
            assert figure(directory, "petitions.opened", code) == value, code
        assert figure(directory, "petitions.opened", "KZ-VOS-GLU-TAR") is None  # nothing there: no row


def test_periods_week_month_quarter(app, directory, scene):
    with app.app_context():
        assert figure(directory, "petitions.opened", "KZ-VOS", "month", date(2026, 12, 1)) == 2
        assert figure(directory, "petitions.opened", "KZ-VOS", "month", date(2026, 11, 1)) == 1
        assert figure(directory, "petitions.opened", "KZ", "month", date(2026, 12, 1)) == 3
        assert figure(directory, "petitions.opened", "KZ-VOS", "quarter", date(2026, 10, 1)) == 3
        assert figure(directory, "petitions.opened", "KZ-VOS", "quarter", date(2026, 7, 1)) == 1
        assert figure(directory, "petitions.opened", "KZ-VOS-GLU", "week", date(2026, 11, 30)) == 2
        assert figure(directory, "petitions.opened", "KZ-VOS-GLU", "week", date(2026, 11, 16)) == 1


def test_medians_are_taken_over_each_subtree(app, directory, scene):
    with app.app_context():
        assert figure(directory, "petitions.answer_days", "KZ-VOS-GLU-BOB") == pytest.approx(10)
        assert figure(directory, "petitions.answer_days", "KZ-VOS-GLU") == pytest.approx(15)  # 10, 20
        assert figure(directory, "petitions.answer_days", "KZ-VOS") == pytest.approx(20)  # 10, 20, 40
        assert figure(directory, "petitions.answer_days", "KZ") == pytest.approx(15)  # 5, 10, 20, 40
        on_time = figure(directory, "petitions.answered_on_time", "KZ")
        late = figure(directory, "petitions.answered_late", "KZ")
        assert (on_time, late) == (3, 1)  # 5, 10, 20 days within 30; 40 days late


def test_states_per_territory_and_per_body(app, directory, scene):
    with app.app_context():
        assert figure(directory, "petitions.answers_overdue", "KZ-VOS-GLU-BOB", "now") == 1
        assert figure(directory, "petitions.answers_overdue", "KZ", "now") == 1
        assert figure(directory, "petitions.answers_overdue", kind="now", body="KZ-VOS-GLU.AKIMAT") == 1
        assert figure(directory, "petitions.answers_due", "KZ-VOS", "now") == 1
        assert figure(directory, "petitions.answers_due", "KZ-VOS-GLU", "now") is None
        assert figure(directory, "bureau.referrals_overdue", "KZ-VOS", "now") == 1
        assert figure(directory, "bureau.referrals_overdue", kind="now", body="KZ-VOS.ENERGY") == 1
        assert figure(directory, "bureau.referrals_on_time", body="KZ-VOS.ENERGY") == 1
        assert figure(directory, "bureau.answer_days", "KZ-VOS-GLU-TAR") == pytest.approx(3)


def test_breakdowns_by_category(app, directory, scene):
    with app.app_context():
        housing, debts = (str(directory.categories[c]) for c in ("housing", "debts"))
        assert figure(directory, "bureau.cases", "KZ-VOS-GLU-BOB", part=housing) == 3
        assert figure(directory, "bureau.cases", "KZ-VOS", part=debts) == 1
        assert figure(directory, "bureau.cases", "KZ", part=housing) == 6  # 3 in Bobrovka, 1 in Tarkhanka, 2 in Almaty
        assert figure(directory, "bureau.cases", "KZ") == 7


def test_refresh_replaces_figures_and_logs(app, directory, scene):
    with app.app_context():
        before = db.session.scalar(select(models.Refresh.figures).order_by(models.Refresh.id.desc()).limit(1))
    assert run_refresh(app) == ""
    with app.app_context():
        logs = db.session.scalars(select(models.Refresh).order_by(models.Refresh.id)).all()
        assert len(logs) == 2
        assert logs[1].figures == before
        assert figure(directory, "petitions.opened", "KZ") == 5


def test_every_measure_follows_the_contract_and_runs(app, directory):
    with app.app_context():
        measures = all_measures()
        modules = {m.module for m in measures}
        assert {"petitions", "bureau", "delphi", "contests"} <= modules
        for m in measures:  # each query is one valid SELECT on this database, with the agreed columns
            names = set(m.query(refresh.window_start(NOW), NOW).selected_columns.keys())
            assert {"territory_id", "body_id", "day", "value"} <= names, m.key
            assert ("part" in names) == (m.breakdown is not None), m.key
    assert run_refresh(app) == ""
