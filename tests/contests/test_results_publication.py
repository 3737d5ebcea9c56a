"""Publishing results off the request path: the organiser's POST records the decision and queues
``results.publish_job``; the job freezes the breakdown, publishes and queues the authors' notifications
(``results.notify_job``), which never tell anyone twice. A failed job leaves a state the organiser can retry."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from flask import has_request_context
from sqlalchemy import func, select

from civic import db
from civic.contests import results
from civic.contests.models import Contest, Entry, PublishState, ResultNotice
from civic.core import jobs
from civic.db import utc_now
from civic.identity.models import AuditEvent, Notification
from tests.contests.test_jury_results import _scored_contest


@pytest.fixture
def held(monkeypatch):
    """The results jobs handed over after a commit are kept here instead of running (as if waiting for a worker);
    other jobs (mail) run in-process as usual."""
    queued: list[tuple[str, tuple]] = []
    original = jobs._dispatch_in_thread

    def hold(app, pending):
        queued.extend(job for job in pending if job[0].startswith("civic.contests.results:"))
        rest = [job for job in pending if not job[0].startswith("civic.contests.results:")]
        if rest:
            original(app, rest)

    monkeypatch.setattr(jobs, "_dispatch_in_thread", hold)
    return queued


def _competition(app, cid):
    with app.app_context():
        competition = db.session.get(Contest, cid).competition
        return {
            "state": competition.results_state,
            "published_at": competition.results_published_at,
            "error": competition.results_error,
            "requested_by": competition.results_requested_by_id,
        }


def _notes(app, kinds=("contests.winner", "contests.results")) -> list[int]:
    with app.app_context():
        return sorted(db.session.scalars(select(Notification.user_id).where(Notification.kind.in_(kinds))))


def _run(app, queued):
    """Run the held jobs as a worker would (each in its own transaction), including the ones they queue."""
    while queued:
        func_path, args = queued.pop(0)
        with app.app_context():
            jobs.perform(func_path, *args)


def test_publishing_is_queued_and_the_public_sees_nothing_until_the_job_is_done(
    app, client, auth, cast, contests, held
):
    cid, (e1, e2, e3) = _scored_contest(app, cast, contests)
    auth.login(cast.organiser)
    response = client.post(f"/contests/{cid}/results/publish")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/contests/{cid}/manage")
    assert held == [("civic.contests.results:publish_job", (_competition_id(app, cid),))]
    state = _competition(app, cid)
    assert state["state"] == PublishState.PUBLISHING
    assert state["published_at"] is None
    assert state["requested_by"] == cast.organiser.id
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "contests.request_results"))
    page = html.unescape(client.get(f"/contests/{cid}/manage").get_data(as_text=True))
    assert "The results are being published" in page
    assert "Ranking (preview, not published)" not in page  # no scoring on every view while the job runs
    auth.logout()
    assert client.get(f"/contests/{cid}/results").status_code == 404
    assert client.get(f"/contests/{cid}/results.csv").status_code == 404

    _run(app, held)
    state = _competition(app, cid)
    assert state["state"] == PublishState.PUBLISHED
    assert state["published_at"] is not None
    assert client.get(f"/contests/{cid}/results").status_code == 200
    with app.app_context():
        winners = db.session.get(Contest, cid).competition.results["winners"]
        authors = set(db.session.scalars(select(ResultNotice.user_id)))
        told_winners = set(
            db.session.scalars(select(Notification.user_id).where(Notification.kind == "contests.winner"))
        )
        assert told_winners == set(db.session.get(Entry, winners[0]).author_ids())
        assert db.session.scalar(select(func.count(ResultNotice.notified_at))) == len(authors)
        organiser_told = db.session.scalar(
            select(Notification.user_id).where(Notification.kind == "contests.results_published")
        )
        assert organiser_told == cast.organiser.id
    assert _notes(app) == sorted(authors)  # everyone once
    auth.login(cast.organiser)
    page = html.unescape(client.get(f"/contests/{cid}/manage").get_data(as_text=True))
    assert f"Authors told: {len(authors)} of {len(authors)}." in page
    assert 'id="resume-notices"' not in page


def _competition_id(app, cid) -> int:
    with app.app_context():
        return db.session.get(Contest, cid).competition_id


def test_in_process_the_job_runs_after_the_commit_and_everyone_is_told(app, client, auth, cast, contests):
    cid, _entries = _scored_contest(app, cast, contests)
    auth.login(cast.organiser)
    response = client.post(f"/contests/{cid}/results/publish", follow_redirects=True)
    assert "The results are published and the authors are being told." in html.unescape(response.get_data(as_text=True))
    assert _competition(app, cid)["state"] == PublishState.PUBLISHED
    with app.app_context():
        authors = sorted(db.session.scalars(select(ResultNotice.user_id)))
    assert authors
    assert _notes(app) == authors


def test_a_double_click_publishes_once(app, client, auth, cast, contests, held):
    cid, _entries = _scored_contest(app, cast, contests)
    auth.login(cast.organiser)
    assert client.post(f"/contests/{cid}/results/publish").status_code == 303
    again = client.post(f"/contests/{cid}/results/publish")
    assert again.status_code == 409
    assert "already being published" in again.get_data(as_text=True)
    assert [path for path, _args in held] == ["civic.contests.results:publish_job"]
    _run(app, held)
    # A second job for the same request (a retried worker job) does nothing once the results are out.
    with app.app_context():
        assert jobs.perform("civic.contests.results:publish_job", _competition_id(app, cid)) == 0
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "contests.publish_results")
            )
            == 1
        )
        authors = sorted(db.session.scalars(select(ResultNotice.user_id)))
    assert _notes(app) == authors
    late = client.post(f"/contests/{cid}/results/publish")
    assert late.status_code == 409
    assert "already published" in late.get_data(as_text=True)


def test_running_the_notification_job_twice_tells_no_one_twice(app, client, auth, cast, contests, held, outbox):
    cid, _entries = _scored_contest(app, cast, contests)
    comp_id = _competition_id(app, cid)
    auth.login(cast.organiser)
    client.post(f"/contests/{cid}/results/publish")
    held.clear()
    with app.app_context():
        jobs.perform("civic.contests.results:publish_job", comp_id)
    assert [path for path, _args in held] == ["civic.contests.results:notify_job"]
    held.clear()
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(ResultNotice))
    assert total >= 3
    # One author per batch: the first batch tells the first winner and queues the next batch.
    with app.app_context():
        assert jobs.perform("civic.contests.results:notify_job", comp_id, 1) == 1
    assert held == [("civic.contests.results:notify_job", (comp_id, 1))]
    held.clear()
    with app.app_context():
        assert jobs.perform("civic.contests.results:notify_job", comp_id, 0) == total - 1
        assert jobs.perform("civic.contests.results:notify_job", comp_id, 0) == 0  # the same job again
        assert jobs.perform("civic.contests.results:notify_job", comp_id, 1) == 0
    told = _notes(app)
    assert len(told) == total == len(set(told))
    with app.app_context():
        first_winner = db.session.scalar(select(ResultNotice.user_id).where(ResultNotice.won.is_(True)))
    assert first_winner in told
    subjects = [m["Subject"] for m in outbox() if "are published" in m["Subject"] or "won in" in m["Subject"]]
    recipients = [m["To"] for m in outbox() if "are published" in m["Subject"] or "won in" in m["Subject"]]
    assert len(subjects) == total + 1  # every author once, and the organiser's "published" notice
    assert len(recipients) == len(set(recipients))


def test_a_failed_notification_batch_is_resumed_from_the_organisers_page(
    app, client, auth, cast, contests, held, monkeypatch
):
    cid, _entries = _scored_contest(app, cast, contests)
    comp_id = _competition_id(app, cid)
    auth.login(cast.organiser)
    client.post(f"/contests/{cid}/results/publish")
    held.clear()
    with app.app_context():
        jobs.perform("civic.contests.results:publish_job", comp_id)
        jobs.perform("civic.contests.results:notify_job", comp_id, 1)
    held.clear()
    calls = {"n": 0}
    real_notify = results.notify

    def flaky(user, kind, *args, **kwargs):
        calls["n"] += 1
        if kind != "contests.results_published" and calls["n"] == 2:
            raise RuntimeError("SMTP relay down")
        return real_notify(user, kind, *args, **kwargs)

    monkeypatch.setattr(results, "notify", flaky)
    with app.app_context(), pytest.raises(RuntimeError):
        jobs.perform("civic.contests.results:notify_job", comp_id, 0)
    assert len(_notes(app)) == 1  # the failed batch was rolled back whole: nobody half-told
    page = html.unescape(client.get(f"/contests/{cid}/manage").get_data(as_text=True))
    assert "Authors told: 1 of" in page
    assert 'id="resume-notices"' in page
    response = client.post(f"/contests/{cid}/results/notify")
    assert response.status_code == 303
    _run(app, held)
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(ResultNotice))
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "contests.resume_result_notices"))
    told = _notes(app)
    assert len(told) == total == len(set(told))
    done = client.post(f"/contests/{cid}/results/notify")
    assert done.status_code == 409
    assert "Every author has been told already." in html.unescape(done.get_data(as_text=True))


def test_a_failing_publication_job_leaves_a_state_the_organiser_can_retry(
    app, client, auth, cast, contests, monkeypatch
):
    cid, _entries = _scored_contest(app, cast, contests)
    real_build = results.build

    def broken(*args, **kwargs):  # fails in the job (no request), not in the organiser page's preview
        if has_request_context():
            return real_build(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(results, "build", broken)
    auth.login(cast.organiser)
    assert client.post(f"/contests/{cid}/results/publish").status_code == 303  # in-process: the job ran and failed
    state = _competition(app, cid)
    assert state["state"] == PublishState.FAILED
    assert state["published_at"] is None
    assert "RuntimeError" in state["error"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ResultNotice)) == 0
        failed_note = db.session.scalar(
            select(Notification.user_id).where(Notification.kind == "contests.results_failed")
        )
        assert failed_note == cast.organiser.id
    assert _notes(app) == []
    page = html.unescape(client.get(f"/contests/{cid}/manage").get_data(as_text=True))
    assert "Publishing the results failed" in page
    assert "Try publishing the results again" in page
    auth.logout()
    assert client.get(f"/contests/{cid}/results").status_code == 404

    monkeypatch.setattr(results, "build", real_build)
    auth.login(cast.organiser)
    assert client.post(f"/contests/{cid}/results/publish").status_code == 303
    state = _competition(app, cid)
    assert state["state"] == PublishState.PUBLISHED
    assert state["error"] is None
    with app.app_context():
        assert db.session.scalar(
            select(AuditEvent.after)
            .where(AuditEvent.action == "contests.request_results")
            .order_by(AuditEvent.id.desc())
        ) == {"retry": True}
    auth.logout()
    assert client.get(f"/contests/{cid}/results").status_code == 200


def test_a_request_stuck_in_publishing_can_be_asked_again(app, client, auth, cast, contests, held):
    cid, _entries = _scored_contest(app, cast, contests)
    auth.login(cast.organiser)
    client.post(f"/contests/{cid}/results/publish")
    assert client.post(f"/contests/{cid}/results/publish").status_code == 409
    with app.app_context():  # the worker died with the job: nothing moved for longer than STALE_AFTER
        competition = db.session.get(Contest, cid).competition
        competition.results_requested_at = utc_now() - results.STALE_AFTER - timedelta(minutes=1)
        db.session.commit()
    page = html.unescape(client.get(f"/contests/{cid}/manage").get_data(as_text=True))
    assert "taking unusually long" in page
    assert client.post(f"/contests/{cid}/results/publish").status_code == 303
    assert [path for path, _args in held] == ["civic.contests.results:publish_job"] * 2
    _run(app, held)  # both jobs run: the second finds the results out and does nothing
    with app.app_context():
        authors = sorted(db.session.scalars(select(ResultNotice.user_id)))
    assert _notes(app) == authors


@pytest.fixture
def on_redis(app, monkeypatch):
    import uuid

    import redis

    url = "redis://127.0.0.1:6379/13"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    monkeypatch.setitem(app.config, "JOBS_QUEUE", f"civic-test-{uuid.uuid4().hex[:10]}")
    monkeypatch.setitem(app.config, "JOBS_RETRIES", 0)
    yield
    with app.app_context():
        jobs.queue(app).delete(delete_jobs=True)


def _work(app):
    with app.app_context():
        jobs.run_worker(app, burst=True, with_scheduler=False)


def test_on_the_queue_the_request_returns_before_the_work_and_batches_chain(
    app, client, auth, cast, contests, on_redis, monkeypatch
):
    cid, _entries = _scored_contest(app, cast, contests)
    monkeypatch.setattr(results, "NOTIFY_BATCH", 1)
    auth.login(cast.organiser)
    response = client.post(f"/contests/{cid}/results/publish", follow_redirects=True)
    page = html.unescape(response.get_data(as_text=True))
    assert "The results are being published. You will be notified when they are out" in page
    assert 'id="results-publishing"' in page
    assert _competition(app, cid)["state"] == PublishState.PUBLISHING
    assert client.get(f"/contests/{cid}/results").status_code == 404
    _work(app)
    assert _competition(app, cid)["state"] == PublishState.PUBLISHED
    with app.app_context():
        authors = sorted(db.session.scalars(select(ResultNotice.user_id)))
        assert len(authors) >= 3  # one job per author here: the chain ran to the end
    assert _notes(app) == authors
    assert client.get(f"/contests/{cid}/results").status_code == 200


def test_on_the_queue_a_failed_job_is_listed_and_retried_from_the_failed_jobs_list(
    app, client, auth, cast, contests, on_redis, monkeypatch
):
    cid, _entries = _scored_contest(app, cast, contests)
    real_build = results.build

    def broken(*args, **kwargs):
        if has_request_context():
            return real_build(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(results, "build", broken)
    auth.login(cast.organiser)
    client.post(f"/contests/{cid}/results/publish")
    _work(app)
    assert _competition(app, cid)["state"] == PublishState.FAILED
    with app.app_context():
        (failed,) = jobs.failed_jobs(app)
    assert failed.args[0] == "civic.contests.results:publish_job"
    page = html.unescape(client.get(f"/contests/{cid}/manage").get_data(as_text=True))
    assert "Publishing the results failed" in page
    assert "/admin/jobs" in page
    monkeypatch.setattr(results, "build", real_build)
    with app.app_context():
        assert jobs.retry_failed(app, failed.id)
    _work(app)
    assert _competition(app, cid)["state"] == PublishState.PUBLISHED
    with app.app_context():
        authors = sorted(db.session.scalars(select(ResultNotice.user_id)))
    assert _notes(app) == authors
