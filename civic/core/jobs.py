"""Work off the request path: ``enqueue("civic.module.path:function", *args)``.

A job is a plain function named by its import path; its arguments must be JSON-like (ids, strings, numbers), never
ORM objects. Jobs are handed over **after the current transaction commits** (dropped if it rolls back), so a job
never sees — or acts on — changes that were not saved.

- With ``REDIS_URL`` set, jobs go to an RQ queue (``JOBS_QUEUE``, default ``civic``) and ``flask jobs worker`` runs
  them, committing once per job; a failing job is retried ``JOBS_RETRIES`` times (``JOBS_RETRY_INTERVALS`` seconds
  apart), then lands in the failed-jobs list administrators see at ``/admin/jobs`` (retry or delete).
- Without ``REDIS_URL`` (development, tests, a one-machine install) each job runs in-process right after the commit,
  as the platform always did: one attempt, a failure is logged and never undoes the committed action.

RQ was chosen over Dramatiq (docs/decisions.md): Redis is already the rate-limit store, RQ's failed-job registry is
the dead-letter list without extra middleware, and its ``SimpleWorker`` needs no fork (safe with SQLAlchemy pools).
"""

from __future__ import annotations

import importlib
import logging
import threading
from typing import Any

from flask import Flask, current_app, has_app_context

log = logging.getLogger(__name__)

PENDING_KEY = "pending_jobs"
SAVEPOINT_MARKS_KEY = "pending_jobs_at_savepoints"
#: Jobs are functions of these packages only (a queued name can never import arbitrary code).
ALLOWED_PREFIXES: tuple[str, ...] = ("civic.",)
_hooks_installed = False


def enqueue(func_path: str, *args: Any) -> None:
    """Run ``func_path(*args)`` once the current transaction commits (in a worker when Redis is configured)."""
    from civic import db

    resolve(func_path)  # fail now, in the caller, on a wrong path
    db.session.info.setdefault(PENDING_KEY, []).append((func_path, args))


def enqueue_now(func_path: str, *args: Any) -> None:
    """Hand a job over at once (no transaction to wait for: CLI commands, the failed-jobs screen)."""
    resolve(func_path)
    _dispatch(current_app._get_current_object(), [(func_path, args)])


def runs_on_queue() -> bool:
    """True when jobs go to a worker (Redis configured), False when they run in-process."""
    return bool(current_app.config.get("REDIS_URL"))


def resolve(func_path: str):
    module_name, _, name = func_path.partition(":")
    if not module_name.startswith(ALLOWED_PREFIXES) or not name:
        raise ValueError(f"a job must be 'civic.<module>:<function>', not {func_path!r}")
    return getattr(importlib.import_module(module_name), name)


def perform(func_path: str, *args: Any) -> Any:
    """Run one job inside an app context and commit its work (the function adds/flushes, never commits)."""
    if has_app_context():
        return _perform(func_path, args)
    with worker_app().app_context():
        return _perform(func_path, args)


def _perform(func_path: str, args: tuple) -> Any:
    from civic import db

    func = resolve(func_path)
    try:
        result = func(*args)
        db.session.commit()
        return result
    except BaseException:
        db.session.rollback()
        raise
    finally:
        db.session.remove()


_worker_app: Flask | None = None


def worker_app() -> Flask:
    """The app a worker process runs jobs in (created once, from the environment, like ``wsgi.py``)."""
    global _worker_app
    if _worker_app is None:
        from civic import create_app

        _worker_app = create_app()
    return _worker_app


def redis_connection(app: Flask):
    from redis import Redis

    return Redis.from_url(app.config["REDIS_URL"])


def queue(app: Flask, *, is_async: bool | None = None):
    """The app's RQ queue (``None`` when Redis is not configured)."""
    if not app.config.get("REDIS_URL"):
        return None
    from rq import Queue

    if is_async is None:
        is_async = not app.config.get("JOBS_RUN_SYNC", False)
    return Queue(app.config.get("JOBS_QUEUE") or "civic", connection=redis_connection(app), is_async=is_async)


def _retry(app: Flask):
    from rq import Retry

    retries = int(app.config.get("JOBS_RETRIES", 3))
    if retries <= 0:
        return None
    raw = str(app.config.get("JOBS_RETRY_INTERVALS") or "0")
    intervals = [int(part) for part in raw.split(",") if part.strip()]
    return Retry(max=retries, interval=intervals if len(intervals) > 1 else intervals[0])


def _dispatch(app: Flask, jobs: list[tuple[str, tuple]]) -> None:
    rq_queue = queue(app)
    for func_path, args in jobs:
        if rq_queue is not None:
            try:
                rq_queue.enqueue(
                    perform,
                    func_path,
                    *args,
                    retry=_retry(app),
                    description=func_path,
                    failure_ttl=30 * 24 * 3600,
                    result_ttl=3600,
                )
                continue
            except Exception:  # Redis unreachable: do the work here rather than lose it (mail, notifications)
                log.exception("could not queue job %s; running it in-process", func_path)
        try:
            perform(func_path, *args)
        except Exception:  # in-process: one attempt; a failure must not undo the committed action
            log.exception("job %s failed", func_path, extra={"job": {"func": func_path}})


def _dispatch_in_thread(app: Flask, jobs: list[tuple[str, tuple]]) -> None:
    """Run the hand-over in a fresh thread (own app context, own database session) and wait for it.

    ``after_commit`` may not use the committing session, and an in-process job needs one; a thread gets its own
    scoped session. Waiting keeps today's behaviour: the job is done when the request answers."""
    failure: list[BaseException] = []

    def run():
        with app.app_context():
            try:
                _dispatch(app, jobs)
            except BaseException as exc:  # Redis down: reported to the caller's log below
                failure.append(exc)

    thread = threading.Thread(target=run, name="civic-jobs-dispatch")
    thread.start()
    thread.join()
    if failure:
        log.error("could not hand %d jobs over: %r", len(jobs), failure[0])


def install_session_hooks(session_factory) -> None:
    global _hooks_installed
    if _hooks_installed:
        return
    from sqlalchemy import event

    # SQLAlchemy fires after_commit/after_rollback for savepoints too: a savepoint's commit is not the commit a job
    # waits for, and a savepoint's rollback drops only the jobs queued inside it.
    @event.listens_for(session_factory, "after_transaction_create")
    def _mark_savepoint(sess, transaction):
        if transaction.nested:
            sess.info.setdefault(SAVEPOINT_MARKS_KEY, {})[transaction] = len(sess.info.get(PENDING_KEY, ()))

    @event.listens_for(session_factory, "after_commit")
    def _hand_over(sess):
        if sess.in_nested_transaction():
            return
        sess.info.pop(SAVEPOINT_MARKS_KEY, None)
        jobs = sess.info.pop(PENDING_KEY, [])
        if jobs:
            app = current_app._get_current_object() if has_app_context() else worker_app()
            _dispatch_in_thread(app, jobs)

    @event.listens_for(session_factory, "after_soft_rollback")
    def _discard(sess, previous_transaction):
        marks = sess.info.get(SAVEPOINT_MARKS_KEY, {})
        if previous_transaction.nested:
            mark = marks.pop(previous_transaction, None)
            if mark is not None and PENDING_KEY in sess.info:
                del sess.info[PENDING_KEY][mark:]
            return
        sess.info.pop(SAVEPOINT_MARKS_KEY, None)
        sess.info.pop(PENDING_KEY, None)

    _hooks_installed = True


# --- the failed-jobs (dead-letter) list ---------------------------------------------------------------------------
def failed_jobs(app: Flask, limit: int = 200) -> list:
    rq_queue = queue(app)
    if rq_queue is None:
        return []
    registry = rq_queue.failed_job_registry
    ids = registry.get_job_ids(0, limit - 1)
    from rq.job import Job

    return [job for job in Job.fetch_many(ids, connection=rq_queue.connection) if job is not None]


def retry_failed(app: Flask, job_id: str) -> bool:
    rq_queue = queue(app)
    if rq_queue is None or job_id not in rq_queue.failed_job_registry.get_job_ids():
        return False
    rq_queue.failed_job_registry.requeue(job_id)
    return True


def delete_failed(app: Flask, job_id: str) -> bool:
    rq_queue = queue(app)
    if rq_queue is None or job_id not in rq_queue.failed_job_registry.get_job_ids():
        return False
    rq_queue.failed_job_registry.remove(job_id, delete_job=True)
    return True


def run_worker(app: Flask, *, burst: bool = False, with_scheduler: bool = True) -> None:
    """Run jobs until stopped (``burst``: until the queue is empty). One process; run several for more throughput."""
    from rq import SimpleWorker

    global _worker_app
    _worker_app = app
    rq_queue = queue(app)
    if rq_queue is None:
        raise RuntimeError("REDIS_URL is not set: jobs run in-process and need no worker")
    worker = SimpleWorker([rq_queue], connection=rq_queue.connection)
    worker.work(burst=burst, with_scheduler=with_scheduler)
