"""The deadline sweep: marks due-soon and overdue referrals set-wise, notifies each level once, is idempotent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from civic import db
from civic.bureau.models import Case, CaseEvent, PendingNotice, Referral
from civic.bureau.services import cases as case_services
from civic.bureau.services import referrals, sweep
from civic.core import deadlines
from civic.identity.models import Notification
from tests.bureau.conftest import T0, at, referral_of, user

DUE = deadlines.compute_due(T0 + timedelta(minutes=4))  # the deadline of a case referred by cases.make("referred")


def _snapshot():
    referral_rows = db.session.execute(
        select(
            Referral.id,
            Referral.sla_state,
            Referral.notify_pending,
            Referral.due_soon_notified_at,
            Referral.overdue_notified_at,
        ).order_by(Referral.id)
    ).all()
    return (
        referral_rows,
        db.session.scalar(select(func.count()).select_from(Notification)),
        db.session.scalar(select(func.count()).select_from(CaseEvent)),
    )


def _run(app, now, full=False):
    with app.test_request_context():
        result = sweep.sweep_full(db.transaction, now=now, chunk_size=1) if full else sweep.sweep_now(now)
        db.session.commit()
        return result


def _notes(user_id: int, kind: str) -> list[Notification]:
    return list(
        db.session.scalars(select(Notification).where(Notification.user_id == user_id, Notification.kind == kind))
    )


def test_sweep_marks_due_soon_then_overdue_and_notifies_each_level_once(app, cast, cases):
    case_id = cases.make("referred")
    first = _run(app, DUE - timedelta(days=2))
    assert (first.changed, first.due_soon, first.overdue) == (1, 1, 0)
    with app.app_context():
        assert referral_of(case_id).sla_state == "due_soon"
        assert len(_notes(cast.official.id, "bureau.due_soon")) == 1
        assert len(_notes(cast.head.id, "bureau.due_soon")) == 1
    second = _run(app, DUE + timedelta(hours=1))
    assert (second.changed, second.overdue) == (1, 1)
    with app.app_context():
        referral = referral_of(case_id)
        assert referral.sla_state == "overdue"
        assert referral.notify_pending == 0
        assert referral.overdue_notified_at == DUE + timedelta(hours=1)
        for person in (cast.official, cast.head):
            assert len(_notes(person.id, "bureau.overdue")) == 1
        assert _notes(cast.housing_official.id, "bureau.overdue") == []
        assert _notes(cast.consultant.id, "bureau.overdue") == []  # consultants see it in their queue
        overdue_events = db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "overdue")).all()
        assert [(e.case_id, e.referral_id, e.visibility) for e in overdue_events] == [(case_id, referral.id, "body")]


def test_a_second_run_changes_nothing(app, cast, cases):
    for _ in range(3):
        cases.make("referred")
    cases.make("referred", when=T0 + timedelta(days=10))
    now = DUE + timedelta(hours=2)
    _run(app, now)
    with app.app_context():
        before = _snapshot()
    again = _run(app, now)
    assert (again.changed, again.due_soon, again.overdue, again.notifications) == (0, 0, 0, 0)
    with app.app_context():
        assert _snapshot() == before


def test_a_referral_skipping_due_soon_gets_only_the_overdue_notice(app, cast, cases):
    cases.make("referred")
    _run(app, DUE + timedelta(days=1))
    with app.app_context():
        assert _notes(cast.official.id, "bureau.due_soon") == []
        assert len(_notes(cast.official.id, "bureau.overdue")) == 1


def test_one_notification_per_person_counts_all_their_referrals(app, cast, cases):
    for _ in range(3):
        cases.make("referred")
    result = _run(app, DUE + timedelta(days=1))
    assert result.overdue == 3
    with app.app_context():
        notes = _notes(cast.official.id, "bureau.overdue")
        assert len(notes) == 1
        assert notes[0].title.startswith("3 ")


def test_paused_answered_and_closed_referrals_are_left_alone(app, cast, cases):
    paused = cases.make("awaiting_client", referred=True)
    answered = cases.make("referred")
    with at(app, T0 + timedelta(days=3)):
        referrals.answer(referral_of(answered), user(cast.official), "A substantive answer to the appeal here.")
    result = _run(app, DUE + timedelta(days=5))
    assert result.changed == 0
    with app.app_context():
        assert referral_of(paused).sla_state == "paused"
        assert referral_of(answered).sla_state == "answered"


def test_full_backlog_sweep_in_chunks_matches_the_incremental_result(app, cast, cases):
    ids = [cases.make("referred", when=T0 + timedelta(days=d)) for d in (0, 1, 2, 20)]
    with app.app_context():  # pretend the sweep never ran: every status stale
        db.session.execute(update(Referral).values(sla_state="on_time"))
        db.session.commit()
        dues = [referral_of(i).due_at for i in ids]
    now = DUE + timedelta(days=1, hours=1)
    expected = [str(deadlines.status_at(now, due)) for due in dues]
    assert expected == ["overdue", "overdue", "due_soon", "on_time"]
    result = _run(app, now, full=True)
    assert result.chunks == 4
    assert len(result.chunk_ms) == 5
    with app.app_context():
        assert [referral_of(i).sla_state for i in ids] == expected
    assert (result.changed, result.overdue, result.due_soon) == (3, 2, 1)
    again = _run(app, now, full=True)
    assert again.changed == 0
    assert again.notifications == 0


def test_a_status_found_by_a_service_is_announced_by_the_next_sweep(app, cast, cases):
    case_id = cases.make("referred")
    stop = DUE - timedelta(days=2)
    with at(app, stop):
        case_services.await_client(db.session.get(Case, case_id), user(cast.consultant), "Send the contract.")
    with at(app, stop + timedelta(hours=1)):
        case_services.resume(db.session.get(Case, case_id), user(cast.client))
    with app.app_context():
        referral = referral_of(case_id)
        assert referral.sla_state == "due_soon"
        assert referral.notify_pending == 1
        assert _notes(cast.official.id, "bureau.due_soon") == []
    result = _run(app, stop + timedelta(hours=2))
    assert (result.changed, result.due_soon) == (0, 1)
    with app.app_context():
        assert len(_notes(cast.official.id, "bureau.due_soon")) == 1
        assert referral_of(case_id).notify_pending == 0


def test_extension_resets_the_notices_so_the_new_deadline_is_announced_again(app, cast, cases):
    case_id = cases.make("referred")
    _run(app, DUE - timedelta(days=1))
    with at(app, DUE - timedelta(hours=20)):
        referrals.extend(referral_of(case_id), user(cast.official), "commission")
    with app.app_context():
        referral = referral_of(case_id)
        assert referral.sla_state == "on_time"
        assert referral.due_soon_notified_at is None
    _run(app, referral.due_at - timedelta(days=1))
    with app.app_context():
        assert len(_notes(cast.official.id, "bureau.due_soon")) == 2


def test_cli_sweep_is_idempotent(app, cast, cases, runner):
    cases.make("referred")
    now = (DUE + timedelta(hours=1)).isoformat()
    first = runner.invoke(args=["bureau", "sweep", "--now", now])
    second = runner.invoke(args=["bureau", "sweep", "--now", now])
    assert first.exit_code == 0, first.output
    assert "1 changed" in first.output
    assert "1 overdue" in first.output
    assert "0 changed, 0 due soon, 0 overdue, 0 notifications" in second.output
    full = runner.invoke(args=["bureau", "sweep", "--full", "--now", now])
    assert full.exit_code == 0
    assert "0 changed" in full.output
    assert "transactions" in full.output
    bad = runner.invoke(args=["bureau", "sweep", "--now", "2026-01-01T00:00:00"])
    assert bad.exit_code != 0
    assert "time zone" in bad.output


def test_batched_incremental_sweep_marks_everything_in_bounded_transactions(app, cast, cases):
    for _ in range(5):
        cases.make("referred")
    with app.test_request_context():
        result = sweep.sweep_batches(db.transaction, now=DUE + timedelta(hours=1), batch=2)
    assert result.overdue == 5
    assert result.chunks == 3
    assert len(result.chunk_ms) == 4
    with app.app_context():
        assert set(db.session.scalars(select(Referral.sla_state))) == {"overdue"}
        notes = _notes(cast.official.id, "bureau.overdue")
        assert len(notes) == 1
        assert notes[0].title.startswith("5 ")
        assert db.session.scalar(select(func.count()).select_from(PendingNotice)) == 0


def test_notices_recorded_before_a_crash_are_delivered_by_the_next_run_once(app, cast, cases):
    cases.make("referred")
    with app.test_request_context():  # marked and recorded, but the process died before delivering
        sweep.sweep(DUE + timedelta(hours=1))
        db.session.commit()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PendingNotice)) == 2  # official and head
        assert _notes(cast.official.id, "bureau.overdue") == []
    result = _run(app, DUE + timedelta(hours=2))
    assert (result.changed, result.notifications) == (0, 2)
    assert _run(app, DUE + timedelta(hours=3)).notifications == 0
    with app.app_context():
        assert len(_notes(cast.official.id, "bureau.overdue")) == 1
