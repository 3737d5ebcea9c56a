"""Telling signers about a response is a chain of jobs on the queue (civic.core.jobs), one batch per job."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from civic import db
from civic.core import jobs
from civic.identity.models import Notification, User
from civic.petitions import services
from civic.petitions.models import Petition


def _told(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.kind == "petitions.response")
        )


@pytest.fixture
def on_redis(app, monkeypatch):
    import redis

    url = "redis://127.0.0.1:6379/13"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    monkeypatch.setitem(app.config, "JOBS_QUEUE", f"civic-test-{uuid.uuid4().hex[:10]}")
    yield
    with app.app_context():
        jobs.queue(app).delete(delete_jobs=True)


def _respond(app, world, pid):
    official = world.official_for(pid)
    with app.app_context():
        petition = db.session.get(Petition, pid)
        services.publish_response(petition, db.session.get(User, official.id), "We will build the crossing by May.")
        jobs.enqueue("civic.petitions.services:notify_signers_job", pid, 2)
        db.session.commit()


def test_on_the_queue_batches_chain_until_every_signer_is_told(app, world, residents, on_redis):
    pid = world.petition("open")
    for signer in residents(5):
        world.sign(pid, signer, notify=True)
    _respond(app, world, pid)
    assert _told(app) == 1  # the author, in the request; no signer before the worker runs
    with app.app_context():
        jobs.run_worker(app, burst=True, with_scheduler=False)
    assert _told(app) == 6
    with app.app_context():
        assert db.session.get(Petition, pid).response_notified_at is not None


def test_in_process_one_batch_runs_and_the_cron_tells_the_rest(app, world, residents, runner):
    pid = world.petition("open")
    for signer in residents(5):
        world.sign(pid, signer, notify=True)
    _respond(app, world, pid)
    assert _told(app) == 1 + 2  # the author and the first batch
    runner.invoke(args=["petitions", "update-counts"])
    assert _told(app) == 6
