"""Refresh on change: a committed write to a module's tables recomputes that module's measures soon after.

The dashboards import no module. They listen to ``civic.core.signals.tables_committed``, which the engine-level
write tracker (``civic.core.changes``) sends with the tables a transaction wrote once it has committed: ORM flushes,
bulk statements, text SQL and the connection-level vote and signing INSERTs alike, savepoints and rolled-back
transactions not at all. The tables become measure keys: a measure's ``sources`` (table names) when it declares
them, else every table of its module's models (``civic.<module>.*``), so a write to a ``civic.petitions`` model
makes the ``petitions.*`` measures stale. The subscription is made when the dashboards' blueprint is registered, so
an app without the dashboards listens to nothing.

- The stale measures are refreshed by ``refresh_measures`` **off the request path and debounced**: at most one
  on-change refresh per measure per ``DASHBOARDS_REFRESH_DEBOUNCE`` seconds (default 60), trailing: the first change
  schedules the refresh that many seconds later, and the changes until it runs ride along.
  - With a queue (``REDIS_URL``): ``SET NX`` of one Redis key per measure (one pipelined round trip, and none while
    this process knows the measure's refresh is still ahead); the keys that were not pending yet go to one RQ job
    delayed by the debounce (``enqueue_in``; ``flask jobs worker`` runs its scheduler). The job deletes its keys
    before it reads, so a change committed later schedules the next one.
  - Without a queue: a per-process background thread keeps the due times and runs the refresh itself (its own app
    context and session). ``civic.core.jobs`` would run an in-process job inside the committing request, so this
    path does not use it. If Redis cannot be reached, the thread takes over.
- ``DASHBOARDS_REFRESH_ON_CHANGE``: unset, on with a queue and off without one (a one-process install or the tests
  opt in with ``True``; several web processes without Redis would each refresh); ``False``: off.

A refresh holds a lock (``civic.dashboards.refresh.lock``), so an on-change refresh and the periodic one never run at
the same time; each figure keeps the time its measure was computed (``refreshed_at``), which the pages show per
table, and the refresh log names the measures a partial refresh recomputed.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from flask import Flask, current_app

from civic import db
from civic.core import signals

log = logging.getLogger(__name__)

EXTENSION = "dashboards_onchange"
JOB = "civic.dashboards.onchange:refresh_changed_job"
DEFAULT_DEBOUNCE = 60.0
#: Seconds before a queued refresh is due from which a process asks Redis again (clocks of hosts differ a little).
CLOCK_MARGIN = 2.0
_clock = time.time  # the wall clock the due times are written in (tests move it)


def enabled(app: Flask) -> bool:
    setting = app.config.get("DASHBOARDS_REFRESH_ON_CHANGE")
    if setting is None or setting == "":
        return bool(app.config.get("REDIS_URL"))
    if isinstance(setting, str):
        return setting.strip().lower() in ("1", "true", "yes", "on")
    return bool(setting)


def debounce_seconds(app: Flask) -> float:
    return max(0.0, float(app.config.get("DASHBOARDS_REFRESH_DEBOUNCE", DEFAULT_DEBOUNCE)))


# --- which measures a table feeds --------------------------------------------------------------------------------


def table_modules() -> dict[str, str]:
    """Every mapped table and the platform module whose models define it (``petitions`` for ``civic.petitions.*``)."""
    found = {}
    for mapper in db.Base.registry.mappers:
        parts = mapper.class_.__module__.split(".")
        if len(parts) > 1 and parts[0] == "civic":
            for table in mapper.tables:
                found.setdefault(table.name, parts[1])
    return found


def measures_by_table(measures) -> dict[str, frozenset[str]]:
    """Table name -> the keys of the measures whose figures a write to it makes stale."""
    modules = table_modules()
    index: dict[str, set[str]] = {}
    for measure in measures:
        tables = measure.sources or [t for t, module in modules.items() if module == measure.module]
        for table in tables:
            index.setdefault(table, set()).add(measure.key)
    return {table: frozenset(keys) for table, keys in index.items()}


# --- the subscription -------------------------------------------------------------------------------------------


def _committed(app: Flask, tables: frozenset[str]) -> None:
    tracker = app.extensions.get(EXTENSION)
    if tracker is None or not tracker.enabled():
        return
    try:
        tracker.changed(tables)
    except Exception:  # never fail the committed action over the dashboards
        log.exception("dashboards: could not schedule the refresh of changed figures")


def install(app: Flask) -> None:
    """Called when the dashboards' blueprint is registered on ``app``."""
    app.extensions[EXTENSION] = Tracker(app)
    signals.tables_committed.connect(_committed, sender=app)


# --- scheduling -------------------------------------------------------------------------------------------------


class Tracker:
    """One app's on-change refreshes: which measures a table feeds, and where their refresh is scheduled."""

    def __init__(self, app: Flask):
        self.app = app
        self._index: dict[str, frozenset[str]] | None = None
        self._cond = threading.Condition()
        self._due: dict[str, float] = {}  # measure key -> monotonic time its refresh is due (in-process mode)
        self._thread: threading.Thread | None = None
        self._running = False
        self.runs = 0  # in-process refreshes run (for tests and logs)
        self._queued_until: dict[str, float] = {}  # measure key -> when its queued refresh is due (with a queue)

    def enabled(self) -> bool:
        return enabled(self.app)

    def keys_for(self, tables) -> set[str]:
        if self._index is None:
            from civic.dashboards.measures import all_measures

            self._index = measures_by_table(all_measures())
        index = self._index
        return {key for table in tables for key in index.get(table, ())}

    def changed(self, tables) -> None:
        keys = self.keys_for(tables)
        if not keys:
            return
        if self.app.config.get("REDIS_URL"):
            try:
                self._schedule_on_queue(keys)
                return
            except Exception:
                log.exception("dashboards: could not queue the refresh of %s; refreshing in this process", keys)
        self._schedule_here(keys)

    # with a queue
    def _pending_key(self, measure_key: str) -> str:
        return f"civic:{self.app.config.get('JOBS_QUEUE') or 'civic'}:dashboards:pending:{measure_key}"

    def _schedule_on_queue(self, keys) -> None:
        """One pipelined round trip: ``SET NX`` of each key not known pending (its value is the time its job is due),
        and ``GET`` to learn the due time of those another process set; the new ones go into one delayed job. A key
        is known pending until its job is due (a delayed job never runs early), so in a burst of changes a process
        asks Redis about a measure about once per debounce, not once per commit."""
        from civic.core import jobs

        now = _clock()
        todo = sorted(key for key in keys if self._queued_until.get(key, 0.0) <= now + CLOCK_MARGIN)
        if not todo:
            return
        rq_queue = jobs.queue(self.app)
        delay = debounce_seconds(self.app)
        due = now + delay
        pipe = rq_queue.connection.pipeline(transaction=False)
        for key in todo:  # expires by itself should the job be lost; the periodic refresh covers the gap
            pipe.set(self._pending_key(key), repr(due), nx=True, ex=int(delay) + 900)
            pipe.get(self._pending_key(key))
        results = pipe.execute()
        fresh = []
        for index, key in enumerate(todo):
            created, value = results[2 * index], results[2 * index + 1]
            if created:
                fresh.append(key)
            try:
                self._queued_until[key] = due if created else float(value)
            except (TypeError, ValueError):  # gone meanwhile, or not ours: ask again next time
                self._queued_until.pop(key, None)
        if fresh:
            rq_queue.enqueue_in(
                timedelta(seconds=delay),
                jobs.perform,
                JOB,
                fresh,
                description=JOB,
                failure_ttl=7 * 24 * 3600,
                result_ttl=3600,
            )

    # without a queue: one background thread per process
    def _schedule_here(self, keys) -> None:
        due = time.monotonic() + debounce_seconds(self.app)
        with self._cond:
            earliest = min(self._due.values(), default=None)
            added = False
            for key in keys:
                if key not in self._due:  # already due: this change rides along
                    self._due[key] = due
                    added = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="dashboards-refresh", daemon=True)
                self._thread.start()
            elif added and (earliest is None or due < earliest):
                self._cond.notify_all()  # wake the thread only when it must wait less than it does

    def _work(self) -> None:
        while True:
            with self._cond:
                if not self._due:
                    self._thread = None
                    self._cond.notify_all()
                    return
                now = time.monotonic()
                first = min(self._due.values())
                if first > now:
                    self._cond.wait(first - now)
                    continue
                keys = sorted(k for k, due in self._due.items() if due <= now)
                for key in keys:
                    del self._due[key]
                self._running = True
            try:
                with self.app.app_context():
                    try:
                        refresh_measures(keys)
                    finally:
                        db.session.remove()
            except Exception:
                log.exception("dashboards: the on-change refresh of %s failed", keys)
            finally:
                with self._cond:
                    self._running = False
                    self.runs += 1
                    self._cond.notify_all()

    def pending(self) -> set[str]:
        with self._cond:
            return set(self._due)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until the in-process refreshes scheduled so far have run (tests, shutdown); False on timeout."""
        end = time.monotonic() + timeout
        with self._cond:
            while self._due or self._running or self._thread is not None:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def forget(self) -> None:
        """Drop the refreshes not started yet (tests)."""
        with self._cond:
            self._due.clear()
            self._cond.notify_all()


# --- the refresh itself -----------------------------------------------------------------------------------------


def refresh_measures(keys: list[str]) -> None:
    """Recompute the figures of the measures named (keys no module declares any more are skipped), in a
    transaction of its own, after any refresh running elsewhere (``refresh.lock``)."""
    from civic.dashboards import refresh
    from civic.dashboards.measures import by_key

    known = by_key()
    chosen = [known[key] for key in keys if key in known]
    if not chosen:
        return
    with db.transaction():
        refresh.refresh(measures=chosen)


def refresh_changed_job(keys: list[str]) -> None:
    """The queued job: free the measures' pending marks first (a change committed from now on schedules the next
    refresh), then recompute them."""
    from civic.core import jobs

    app = current_app._get_current_object()
    tracker = app.extensions.get(EXTENSION)
    if tracker is not None and app.config.get("REDIS_URL"):
        jobs.redis_connection(app).delete(*(tracker._pending_key(key) for key in keys))
    refresh_measures(keys)
