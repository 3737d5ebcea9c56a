"""Refresh on change (civic/dashboards/onchange.py): a committed write in a module refreshes that module's measures
after the commit, off the request path and debounced; a rollback marks nothing; two refreshes never overlap."""

from __future__ import annotations

import csv
import io
import threading
import time
import uuid

import pytest
import sqlalchemy as sa

from civic import db
from civic.core import changes
from civic.dashboards import models, onchange, refresh
from civic.dashboards.measures import by_key, normalise
from civic.db import utc_now
from civic.identity.models import User
from civic.petitions import services as petition_services
from civic.petitions import signing
from civic.petitions.models import Petition
from tests.dashboards.conftest import days, petition, run_refresh

REDIS_URL = "redis://127.0.0.1:6379/13"  # the jobs tests' database; keys and queue carry a name of their own


@pytest.fixture
def tracker(app):
    tracker = app.extensions[onchange.EXTENSION]
    yield tracker
    tracker.forget()
    assert tracker.wait_idle(30), "an on-change refresh was still running"


@pytest.fixture
def on_change(app, monkeypatch, tracker):
    """Refresh on change in this process (no queue), with a short debounce."""
    monkeypatch.setitem(app.config, "DASHBOARDS_REFRESH_ON_CHANGE", True)
    monkeypatch.setitem(app.config, "DASHBOARDS_REFRESH_DEBOUNCE", 0.3)
    return tracker


@pytest.fixture
def answerable(app, directory, make_user):
    """A petition over its threshold, routed to the Glubokoe district akimat and not answered yet; its official; and
    the figures of a complete refresh (before on-change refreshing is switched on)."""
    now = utc_now()
    with app.app_context():
        p = petition(
            directory,
            "KZ-VOS-GLU",
            now - days(5),
            body="KZ-VOS-GLU.AKIMAT",
            response_threshold_reached_at=now - days(3),
            response_due_at=now + days(20),
        )
        db.session.commit()
        petition_id = p.id
    official = make_user(roles=[("official", None, "KZ-VOS-GLU.AKIMAT")])
    assert run_refresh(app, now) == ""
    return petition_id, official.id


def _value(app, directory, key, territory="KZ-VOS"):
    with app.app_context():
        F = models.Figure
        return db.session.scalar(
            sa.select(F.value).where(
                F.measure_key == key,
                F.territory_id == directory.territories[territory],
                F.body_id.is_(None),
                F.period_kind == models.ALL,
                F.part == "",
            )
        )


def _partial_refreshes(app) -> list[models.Refresh]:
    with app.app_context():
        R = models.Refresh
        return db.session.scalars(sa.select(R).where(R.measures != "").order_by(R.id)).all()


def _answer(app, petition_id, official_id):
    with app.app_context():
        petition_services.publish_response(
            db.session.get(Petition, petition_id),
            db.session.get(User, official_id),
            "The akimat will repair the road in the spring.",
        )
        db.session.commit()


def test_an_answer_refreshes_the_petition_figures_after_the_commit(app, client, directory, answerable, on_change):
    petition_id, official_id = answerable
    assert not _value(app, directory, "petitions.answered_on_time")
    _answer(app, petition_id, official_id)
    assert on_change.wait_idle(30)
    assert _value(app, directory, "petitions.answered_on_time") == 1
    (partial,) = _partial_refreshes(app)
    refreshed = set(partial.measures.split())
    assert {"petitions.answered_on_time", "petitions.answers_due", "petitions.answer_days"} <= refreshed
    assert not any(key.startswith(("bureau.", "contests.")) for key in refreshed)  # only the module written to
    assert partial.failed == ""
    # the public page shows the new figure, and says how fresh the figures are
    text = client.get("/dashboards/accountability.csv?t=KZ-VOS&table=petitions-territories").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][rows[0].index("Answered on time")] == "1"
    assert rows[-1][1] >= partial.started_at.isoformat(timespec="minutes")[:16]
    page = client.get("/dashboards/accountability?t=KZ-VOS").get_data(as_text=True)
    assert "or later: every figure is recomputed every 15 minutes" in page
    assert "next refresh" in page


def test_the_refresh_runs_after_the_commit_not_before(app, directory, answerable, on_change):
    petition_id, official_id = answerable
    with app.app_context():
        petition_services.publish_response(
            db.session.get(Petition, petition_id), db.session.get(User, official_id), "An answer long enough to keep."
        )
        db.session.flush()
        assert on_change.pending() == set()  # flushed, not committed: nothing scheduled yet
        with db.session.begin_nested():  # a savepoint's commit is no commit either
            petition(directory, "KZ-VOS-GLU", utc_now())
        assert on_change.pending() == set()
        db.session.commit()
        assert "petitions.answered_on_time" in on_change.pending()
    assert on_change.wait_idle(30)
    assert _value(app, directory, "petitions.answered_on_time") == 1
    assert _value(app, directory, "petitions.opened") == 2


def test_a_rolled_back_write_marks_nothing(app, directory, answerable, on_change):
    petition_id, official_id = answerable
    with app.app_context():
        petition_services.publish_response(
            db.session.get(Petition, petition_id), db.session.get(User, official_id), "An answer never committed."
        )
        db.session.flush()
        written = db.session.connection().info  # the engine-level tracker notes writes on the connection
        assert "petitions" in written.get(changes._WRITTEN, set())  # noted while the transaction is open...
        db.session.rollback()
        assert changes._WRITTEN not in written  # ...and forgotten with it
        db.session.commit()  # a later empty commit finds nothing to refresh
    assert on_change.pending() == set()
    assert on_change.wait_idle(5)
    assert _partial_refreshes(app) == []
    assert not _value(app, directory, "petitions.answered_on_time")


def test_a_write_outside_the_orm_session_refreshes_too(app, directory, answerable, on_change, make_user):
    """The signing and voting INSERTs run on a connection of their own (``db.statement_transaction``), which the
    ORM session never sees: the engine-level tracker does."""
    signer = make_user(home="KZ-VOS-GLU")
    with app.app_context():
        open_petition = petition(directory, "KZ-VOS-GLU", utc_now() - days(1), closes_at=utc_now() + days(30))
        db.session.commit()
        assert on_change.wait_idle(30)  # the refresh the new petition scheduled
        with db.statement_transaction() as connection:
            signature_id, _ = signing.insert_signature(
                open_petition.id, signer.id, signer.session_version, ip=None, notify_me=False, connection=connection
            )
            assert signature_id is not None
            assert on_change.pending() == set()  # written, not committed yet
    assert "petitions.opened" in on_change.pending()
    assert on_change.wait_idle(30)
    assert len(_partial_refreshes(app)) == 2
    assert _value(app, directory, "petitions.opened") == 2


def test_a_write_no_measure_reads_schedules_nothing(app, make_user, on_change):
    make_user()  # identity's tables feed no measure
    assert on_change.pending() == set()
    assert _partial_refreshes(app) == []


def test_off_by_default_without_a_queue(app, directory, answerable, tracker):
    assert onchange.enabled(app) is False  # the tests run without REDIS_URL
    petition_id, official_id = answerable
    _answer(app, petition_id, official_id)
    assert tracker.pending() == set()
    assert _partial_refreshes(app) == []


def test_two_changes_within_the_debounce_give_one_refresh(app, directory, answerable, on_change, monkeypatch):
    monkeypatch.setitem(app.config, "DASHBOARDS_REFRESH_DEBOUNCE", 2.5)
    petition_id, official_id = answerable
    runs = on_change.runs
    _answer(app, petition_id, official_id)
    time.sleep(0.8)  # long enough for a refresh that did not wait to have run
    with app.app_context():  # a second petition, opened within the window
        petition(directory, "KZ-VOS-GLU", utc_now())
        db.session.commit()
    assert on_change.wait_idle(30)
    assert len(_partial_refreshes(app)) == 1
    assert on_change.runs == runs + 1
    assert _value(app, directory, "petitions.answered_on_time") == 1
    assert _value(app, directory, "petitions.opened") == 2
    # a change after that refresh gets one of its own
    with app.app_context():
        petition(directory, "KZ-VOS-GLU", utc_now())
        db.session.commit()
    assert on_change.wait_idle(30)
    assert len(_partial_refreshes(app)) == 2
    assert _value(app, directory, "petitions.opened") == 3


def test_two_refreshes_never_overlap(app, directory, answerable, monkeypatch):
    """A refresh waits for the one running (advisory lock on PostgreSQL, the write lock on SQLite)."""
    inside, release = threading.Event(), threading.Event()
    original = refresh._fill_ancestors

    def held_fill_ancestors():
        original()
        if threading.current_thread().name == "first":
            inside.set()
            assert release.wait(30)

    monkeypatch.setattr(refresh, "_fill_ancestors", held_fill_ancestors)
    petitions = [m for m in by_key().values() if m.module == "petitions"]
    errors = []

    def run(measures):
        try:
            with app.app_context():
                try:
                    with db.transaction():
                        refresh.refresh(measures=measures)
                finally:
                    db.session.remove()
        except Exception as exc:  # reported below
            errors.append(exc)

    first = threading.Thread(target=run, args=(None,), name="first")
    second = threading.Thread(target=run, args=(petitions,), name="second")
    first.start()
    assert inside.wait(30)
    second.start()
    time.sleep(1.0)
    assert second.is_alive()  # waiting for the first one's lock
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(models.Refresh)) == 1  # the fixture's
    release.set()
    first.join(30)
    second.join(30)
    assert errors == []
    with app.app_context():
        logs = db.session.scalars(sa.select(models.Refresh).order_by(models.Refresh.id)).all()
    complete, partial = logs[1], logs[2]
    assert complete.complete
    assert not partial.complete
    assert partial.started_at >= complete.finished_at  # the second started reading after the first committed


def test_measures_map_to_the_tables_of_their_module_or_their_declared_sources(app):
    with app.app_context():
        index = onchange.measures_by_table(by_key().values())
    assert "petitions.opened" in index["petitions"]
    assert all(key.startswith("petitions.") for key in index["petitions"])
    assert all(key.startswith("bureau.") for key in index["bureau_cases"])
    assert "users" not in index
    assert "dashboard_figures" not in index
    declared = normalise(
        {"key": "x.y", "label": "Y", "section": "X", "query": lambda s, n: None, "sources": ["petitions", "other"]}
    )
    assert onchange.measures_by_table([declared]) == {"petitions": {"x.y"}, "other": {"x.y"}}


# --- with a queue -------------------------------------------------------------------------------------------------


@pytest.fixture
def on_queue(app, monkeypatch, tracker):
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:
        pytest.skip("no Redis at 127.0.0.1:6379")
    from civic.core import jobs

    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "JOBS_QUEUE", f"civic-test-{uuid.uuid4().hex[:10]}")
    monkeypatch.setitem(app.config, "DASHBOARDS_REFRESH_DEBOUNCE", 60)
    with app.app_context():
        q = jobs.queue(app)
    yield q
    with app.app_context():
        for registry in (q.scheduled_job_registry, q.finished_job_registry, q.failed_job_registry):
            for job_id in registry.get_job_ids():
                registry.remove(job_id, delete_job=True)
        q.delete(delete_jobs=True)
        keys = q.connection.keys(f"civic:{app.config['JOBS_QUEUE']}:*")
        if keys:
            q.connection.delete(*keys)


def test_with_a_queue_changes_become_one_delayed_job(app, directory, answerable, on_queue, monkeypatch):
    from civic.core import jobs

    assert onchange.enabled(app)  # on by default with a queue
    petition_id, official_id = answerable
    _answer(app, petition_id, official_id)
    with app.app_context():
        petition(directory, "KZ-VOS-GLU", utc_now())
        db.session.commit()
    tracker = app.extensions[onchange.EXTENSION]
    tracker._queued_until.clear()  # as another web process would: it learns from Redis that the refresh is queued
    with app.app_context():
        petition(directory, "KZ-VOS-GLU", utc_now())
        db.session.commit()
    scheduled = on_queue.scheduled_job_registry.get_job_ids()
    assert len(scheduled) == 1  # the later changes rode along with the first one's job
    job = on_queue.fetch_job(scheduled[0])
    assert job.args[0] == onchange.JOB
    keys = job.args[1]
    assert "petitions.answered_on_time" in keys
    assert not any(k.startswith("bureau.") for k in keys)
    assert on_queue.scheduled_job_registry.get_scheduled_time(job) is not None
    # the worker runs it once it is due (a minute later: here the clock moves)
    clock = onchange._clock
    monkeypatch.setattr(onchange, "_clock", lambda: clock() + 61)
    with app.app_context():
        jobs.perform(*job.args)
    assert _value(app, directory, "petitions.answered_on_time") == 1
    assert _value(app, directory, "petitions.opened") == 3
    # its marks are gone: the next change schedules the next refresh
    with app.app_context():
        petition(directory, "KZ-VOS-GLU", utc_now())
        db.session.commit()
    assert len(on_queue.scheduled_job_registry.get_job_ids()) == 2
