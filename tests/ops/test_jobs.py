"""The job queue: in-process after commit without Redis; RQ with retries and a failed-jobs screen with Redis."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from civic import db
from civic.core import jobs
from civic.identity.models import Notification

REDIS_URL = "redis://127.0.0.1:6379/13"  # a database of its own; each test uses a queue name of its own
CALLS: list = []


def record_call(value):
    """A job for the tests: remembers its argument."""
    CALLS.append(value)


def always_fails(value):
    CALLS.append(value)
    raise RuntimeError(f"boom {value}")


def add_notification(user_id):
    db.session.add(Notification(user_id=user_id, kind="test", title="from a job"))
    db.session.flush()


def _redis_or_skip():
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")


@pytest.fixture(autouse=True)
def _clear_calls(monkeypatch):
    monkeypatch.setattr(jobs, "ALLOWED_PREFIXES", ("civic.", "tests.ops."))
    CALLS.clear()


@pytest.fixture
def on_redis(app, monkeypatch):
    _redis_or_skip()
    name = f"civic-test-{uuid.uuid4().hex[:10]}"
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "JOBS_QUEUE", name)
    monkeypatch.setitem(app.config, "JOBS_RETRIES", 2)
    monkeypatch.setitem(app.config, "JOBS_RETRY_INTERVALS", "0")
    yield name
    with app.app_context():
        q = jobs.queue(app)
        for registry in (q.failed_job_registry, q.finished_job_registry, q.scheduled_job_registry):
            for job_id in registry.get_job_ids():
                registry.remove(job_id, delete_job=True)
        q.delete(delete_jobs=True)


def _work(app):
    with app.app_context():
        jobs.run_worker(app, burst=True, with_scheduler=False)


def test_without_redis_jobs_run_after_commit_only(app):
    with app.app_context():
        jobs.enqueue("tests.ops.test_jobs:record_call", 1)
        assert CALLS == []  # not before the commit
        db.session.commit()
        assert CALLS == [1]
        db.session.scalar(select(func.count()).select_from(Notification))  # a transaction is under way
        jobs.enqueue("tests.ops.test_jobs:record_call", 2)
        db.session.rollback()
        db.session.commit()
    assert CALLS == [1]  # dropped with the rollback


def test_a_savepoint_commit_is_not_the_commit_jobs_wait_for(app):
    with app.app_context():
        db.session.scalar(select(func.count()).select_from(Notification))
        with db.session.begin_nested():
            jobs.enqueue("tests.ops.test_jobs:record_call", "inside")
        assert CALLS == []  # the savepoint was released, the transaction is still open
        db.session.commit()
    assert CALLS == ["inside"]


def test_a_savepoint_rollback_drops_only_the_jobs_queued_inside_it(app):
    with app.app_context():
        jobs.enqueue("tests.ops.test_jobs:record_call", "before")
        savepoint = db.session.begin_nested()
        jobs.enqueue("tests.ops.test_jobs:record_call", "inside")
        savepoint.rollback()
        jobs.enqueue("tests.ops.test_jobs:record_call", "after")
        db.session.commit()
    assert CALLS == ["before", "after"]


def test_without_redis_a_job_writes_in_its_own_transaction(app, make_user):
    user = make_user()
    with app.app_context():
        jobs.enqueue("tests.ops.test_jobs:add_notification", user.id)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 1


def test_without_redis_a_failing_job_does_not_undo_the_commit(app, make_user):
    user = make_user()
    with app.app_context():
        db.session.add(Notification(user_id=user.id, kind="test", title="kept"))
        jobs.enqueue("tests.ops.test_jobs:always_fails", 7)
        db.session.commit()
        assert CALLS == [7]
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 1


def test_a_wrong_job_path_fails_in_the_caller(app):
    with app.app_context(), pytest.raises(ValueError, match="a job must be"):
        jobs.enqueue("os:system", "true")


def test_with_redis_jobs_wait_for_the_worker(app, on_redis, make_user):
    user = make_user()
    with app.app_context():
        jobs.enqueue("tests.ops.test_jobs:add_notification", user.id)
        db.session.commit()
        assert jobs.queue(app).count == 1
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    _work(app)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 1
        assert jobs.queue(app).count == 0


def test_with_redis_failures_are_retried_then_dead_lettered(app, on_redis):
    with app.app_context():
        jobs.enqueue("tests.ops.test_jobs:always_fails", 3)
        db.session.commit()
    _work(app)
    assert CALLS == [3, 3, 3]  # the first attempt and two retries
    failed = jobs.failed_jobs(app)
    assert [job.description for job in failed] == ["tests.ops.test_jobs:always_fails"]


def test_mail_goes_through_the_queue(app, on_redis, outbox):
    from civic.core.mail import queue_mail

    with app.app_context():
        queue_mail("resident@example.kz", "Subject", "Body")
        db.session.commit()
    assert outbox() == []
    _work(app)
    assert [m["To"] for m in outbox()] == ["resident@example.kz"]


def _failed_job(app):
    with app.app_context():
        jobs.enqueue("tests.ops.test_jobs:always_fails", 5)
        db.session.commit()
    _work(app)
    (job,) = jobs.failed_jobs(app)
    return job


def test_failed_jobs_screen_needs_the_permission(client, auth, make_user, on_redis, app):
    job = _failed_job(app)
    assert client.get("/admin/jobs/").status_code == 302  # to the login page
    auth.login(make_user())
    assert client.get("/admin/jobs/").status_code == 403
    assert client.post(f"/admin/jobs/{job.id}/delete").status_code == 403
    assert len(jobs.failed_jobs(app)) == 1


def test_administrators_retry_and_delete_failed_jobs(client, auth, make_user, on_redis, app):
    job = _failed_job(app)
    auth.login(make_user(roles=["admin"]))
    page = client.get("/admin/jobs/")
    assert page.status_code == 200
    assert b"tests.ops.test_jobs:always_fails" in page.data
    assert b"boom 5" in page.data
    assert b"/admin/jobs/" in client.get("/admin/users").data  # listed in the administration menu

    assert client.post(f"/admin/jobs/{job.id}/retry").status_code == 303
    assert jobs.failed_jobs(app) == []
    assert jobs.queue(app).count == 1
    CALLS.clear()
    _work(app)
    assert CALLS == [5]  # a retried dead letter gets one more attempt
    (again,) = jobs.failed_jobs(app)
    assert client.post(f"/admin/jobs/{again.id}/delete").status_code == 303
    assert jobs.failed_jobs(app) == []
    assert client.post(f"/admin/jobs/{again.id}/delete").status_code == 404


def test_failed_jobs_screen_without_a_queue(client, auth, make_user):
    auth.login(make_user(roles=["admin"]))
    page = client.get("/admin/jobs/")
    assert page.status_code == 200
    assert b"No job queue is configured" in page.data


def test_worker_command_needs_redis(runner):
    result = runner.invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code != 0
    assert "REDIS_URL is not set" in result.output


def test_when_redis_is_down_the_job_runs_in_process(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    with app.app_context():
        jobs.enqueue("tests.ops.test_jobs:record_call", 9)
        db.session.commit()
    assert CALLS == [9]
