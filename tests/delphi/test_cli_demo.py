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
    assert "0 rounds closed" in runner.invoke(args=["delphi", "close-due-rounds"]).output
    with app.app_context():
        rnd = db.session.scalar(select(DelphiRound))
        rnd.deadline = utc_now() - timedelta(minutes=1)
        db.session.commit()
    result = runner.invoke(args=["delphi", "close-due-rounds"])
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


def test_a_round_past_its_deadline_is_closing_until_the_job_closes_it(app, client, auth, runner, world):
    """Pages never close a round: they refuse answers after the deadline and show it as closing; the CLI closes it."""
    organiser, panel = world.organiser(), world.panel(5)
    study_id = world.study(organiser, panel=panel)
    world.open(study_id, organiser, days=1)
    with app.app_context():
        rnd = db.session.scalar(select(DelphiRound))
        rnd.deadline = utc_now() - timedelta(minutes=1)
        db.session.commit()
    auth.login(panel[0])
    page = client.get(f"/delphi/{study_id}")
    assert page.status_code == 200
    assert "The round is closing." in page.text
    assert f"/delphi/{study_id}/rounds/1/answer" not in page.text  # no answer button
    form = client.get(f"/delphi/{study_id}/rounds/1/answer")
    assert "answers can no longer be changed" in form.text
    assert 'value="submit"' not in form.text
    refused = client.post(f"/delphi/{study_id}/rounds/1/answer", data={"action": "submit"})
    assert refused.status_code == 409
    assert "The deadline of round 1 has passed: answers can no longer be changed." in refused.text
    with app.app_context():
        assert db.session.scalar(select(DelphiRound.status)) == RoundStatus.OPEN  # reading wrote nothing
    result = runner.invoke(args=["delphi", "close-due-rounds"])
    assert result.exit_code == 0, result.output
    assert "1 rounds closed" in result.output
    with app.app_context():
        assert db.session.scalar(select(DelphiRound.status)) == RoundStatus.CLOSED
    assert "The round is closing." not in client.get(f"/delphi/{study_id}").text


def test_the_old_name_of_close_due_rounds_still_runs(runner):
    result = runner.invoke(args=["delphi", "close-due"])
    assert result.exit_code == 0, result.output
    assert "0 rounds closed" in result.output


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
