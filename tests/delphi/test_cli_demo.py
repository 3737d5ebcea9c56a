"""The scheduled CLI jobs and the demo data."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from civic import db
from civic.db import utc_now
from civic.delphi.models import DelphiRound, DelphiStudy, DelphiStudyKey, RoundStatus, StudyStatus


def test_close_due_remind_and_shred_commands(app, runner, world):
    organiser, panel = world.organiser(), world.panel(5)
    study_id = world.study(organiser, panel=panel)
    world.open(study_id, organiser, days=1)
    result = runner.invoke(args=["delphi", "remind", "--hours-before", "48"])
    assert result.exit_code == 0
    assert "5 reminders sent" in result.output
    assert "0 rounds closed" in runner.invoke(args=["delphi", "close-due"]).output
    with app.app_context():
        rnd = db.session.scalar(select(DelphiRound))
        rnd.deadline = utc_now() - timedelta(minutes=1)
        db.session.commit()
    result = runner.invoke(args=["delphi", "close-due"])
    assert result.exit_code == 0
    assert "1 rounds closed" in result.output
    with app.app_context():
        assert db.session.scalar(select(DelphiRound.status)) == RoundStatus.CLOSED
        study = db.session.get(DelphiStudy, study_id)
        study.status, study.finished_at = StudyStatus.FINISHED, rnd.opened_at - timedelta(days=100)
        db.session.commit()
    assert "1 keys destroyed" in runner.invoke(args=["delphi", "shred-keys", "--retention-days", "90"]).output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DelphiStudyKey)) == 0


def test_reading_a_study_closes_its_due_round(app, client, auth, world):
    organiser, panel = world.organiser(), world.panel(5)
    study_id = world.study(organiser, panel=panel)
    world.open(study_id, organiser, days=1)
    with app.app_context():
        rnd = db.session.scalar(select(DelphiRound))
        rnd.deadline = utc_now() - timedelta(minutes=1)
        db.session.commit()
    auth.login(panel[0])
    assert client.get(f"/delphi/{study_id}").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(DelphiRound.status)) == RoundStatus.CLOSED


def test_seed_demo_builds_a_finished_and_a_running_study(app):
    """Identity's demo, then ours, as ``flask seed demo`` runs them (other modules' seeders are theirs to test)."""
    import random

    import numpy as np

    from civic.delphi.demo import seed_demo
    from civic.demo import DemoContext
    from civic.identity.demo import seed_demo as seed_identity

    printed = []
    with app.app_context():
        context = DemoContext(rng=random.Random(42), np_rng=np.random.default_rng(42), echo=printed.append)
        seed_identity(context)
        seed_demo(context)
        db.session.commit()
    assert any("delphi: finished study" in line for line in printed)
    with app.app_context():
        finished, running = db.session.scalars(select(DelphiStudy).order_by(DelphiStudy.id)).all()
        assert finished.status == StudyStatus.FINISHED
        assert finished.results_published
        assert [r.number for r in finished.voting_rounds] == [1, 2, 3]
        assert all(r.invited_count == 12 for r in finished.voting_rounds)
        assert finished.round(3).stopping["decision"].startswith("stop")
        assert running.status == StudyStatus.RUNNING
        assert running.open_round.number == 2
        first = finished.round(1).report["per_round"][0]["items"]
        last = finished.round(3).report["per_round"][2]["items"]
        assert last["Q3"]["cv"] < first["Q3"]["cv"]  # the numeric estimate converged
