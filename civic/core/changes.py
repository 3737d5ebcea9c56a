"""Table change versions: which tables a committed transaction wrote, counted per table in a shared store.

The open-data API (``civic.core.opendata``) answers a conditional request with 304 from these counters alone,
without a query or a page build: a page records the tables it read and their versions when it was built, and an
unchanged version of every one of them means an unchanged page (docs/api.md, "Caching"). The committed tables are
also announced to the rest of the platform (``signals.tables_committed``), whatever the store: the dashboards
refresh the figures those tables feed (``civic.dashboards.onchange``).

Writes are seen at the engine, so ORM flushes, bulk ``update()``/``delete()`` and text SQL all count:
- ``after_cursor_execute`` notes the target table of every INSERT/UPDATE/DELETE/TRUNCATE on the connection;
- the connection's ``commit`` moves those tables to "committed", its ``rollback`` forgets them (a rolled-back write
  bumps nothing);
- the committed tables are bumped only once the DBAPI commit is done: when the connection goes back to the pool
  (``checkin``, right after every session commit) or starts its next transaction. Bumping before the commit could
  let a reader pair the new version with the old rows, and keep answering 304 with them.
A page build takes its version snapshot before its first query, so a write that commits during the build leaves
the stored versions behind the current ones: the next conditional request rebuilds the page. The cost per write
statement is a string prefix test and one regular expression; per commit, one pipelined ``INCR`` per table.

``API_CHANGE_STORE``:
- ``redis`` (default when ``REDIS_URL`` is set): counters and page entries in Redis, shared by every worker and
  instance. When Redis cannot be reached, conditional requests take the normal path (logged once per outage) and
  bumps that failed are retried from this process the next time Redis answers.
- ``memory``: in this process only; correct only when one process serves and writes (tests, ``flask run``).
- ``off`` (default without ``REDIS_URL``): nothing is counted, every conditional request builds its page.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import threading
import time
from collections.abc import Iterable, Sequence

from sqlalchemy import event

from civic.core import signals

log = logging.getLogger("civic.changes")

_WRITE = re.compile(
    r'\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+(?:ONLY\s+)?(?:"?\w+"?\.)?"?(\w+)',
    re.IGNORECASE,
)
_LEADING = re.compile(
    r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+(?:ONLY\s+)?(?:"?\w+"?\.)?"?(\w+)',
    re.IGNORECASE,
)
_TRUNCATE = re.compile(r"\bTRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?([\w\s\",.]+)", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NOT_WRITES = ("SELECT", "PRAGMA", "SAVEPOINT", "RELEASE", "BEGIN", "SHOW", "EXPLAIN", "COMMIT", "ROLLBACK")
_WRITTEN = "civic.changes.written"
_COMMITTED = "civic.changes.committed"

#: While an API page is built: the set collecting the tables its statements read (None otherwise).
reading: contextvars.ContextVar[set | None] = contextvars.ContextVar("civic_tables_read", default=None)


def written_tables(statement: str, known: frozenset[str]) -> set[str]:
    """The known tables ``statement`` writes (empty for reads)."""
    head = statement[:24].lstrip().upper()
    if head.startswith(_NOT_WRITES):
        return set()
    if not head.startswith(("WITH", "TRUNCATE")):  # the usual shape: one statement on one table, named first
        leading = _LEADING.match(statement)
        if leading is not None:
            name = leading.group(1).lower()
            return {name} if name in known else set()
    found = {name.lower() for name in _WRITE.findall(statement)}
    for listed in _TRUNCATE.findall(statement):
        found.update(word.lower() for word in _WORD.findall(listed))
    return found & known


def read_tables(statement: str, known: frozenset[str]) -> set[str]:
    """Every known table named anywhere in ``statement`` (joins, subqueries, CTEs, text SQL): a superset is safe."""
    return {word for word in _WORD.findall(statement) if word in known}


# --- stores -----------------------------------------------------------------------------------------------------


class MemoryStore:
    """Counters and entries of this process (tests, the development server)."""

    kind = "memory"

    def __init__(self):
        self.lock = threading.Lock()
        self.counters: dict[str, int] = {}
        self.entries: dict[str, tuple[float, dict]] = {}

    def bump(self, tables: Iterable[str]) -> None:
        with self.lock:
            for table in tables:
                self.counters[table] = self.counters.get(table, 0) + 1

    def versions(self, tables: Sequence[str]) -> list[int] | None:
        return [self.counters.get(table, 0) for table in tables]

    def entry(self, key: str) -> dict | None:
        found = self.entries.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def check(self, key: str) -> tuple[dict, bool] | None:
        """The entry under ``key`` and whether every table it read still has the version it was built with."""
        entry = self.entry(key)
        if entry is None:
            return None
        tables = entry["tables"]
        return entry, all(self.counters.get(table, 0) == version for table, version in tables.items())

    def put(self, key: str, entry: dict, ttl: int) -> None:
        with self.lock:
            self.entries[key] = (time.monotonic() + ttl, entry)
            if len(self.entries) > 20_000:  # a safety bound: drop the oldest half
                for old in list(self.entries)[:10_000]:
                    del self.entries[old]

    def clear(self) -> None:
        with self.lock:
            self.counters.clear()
            self.entries.clear()


#: KEYS[1] the entry, ARGV[1] the version keys' prefix: {entry, 1 when every recorded version is current}. The
#: version keys are not declared in KEYS: fine on one Redis server (not on Redis Cluster).
_CHECK_SCRIPT = """
local raw = redis.call('GET', KEYS[1])
if not raw then return nil end
local entry = cjson.decode(raw)
for name, version in pairs(entry['tables']) do
  if tonumber(redis.call('GET', ARGV[1] .. name) or '0') ~= version then return {raw, 0} end
end
return {raw, 1}
"""


class RedisStore:
    """Counters ``<prefix>v:<table>`` (no expiry) and entries ``<prefix>e:<key>`` (JSON, with a TTL) in Redis."""

    kind = "redis"
    RETRY_AFTER = 5.0  # seconds without trying Redis after a failure

    def __init__(self, url: str, prefix: str):
        self.url = url
        self.prefix = prefix
        self._client = None
        self._down_until = 0.0
        self._logged = False
        self._unsent: set[str] = set()  # bumps that failed, retried when Redis answers again
        self._check_script = None
        self.lock = threading.Lock()

    def client(self):
        if self._client is None:
            import redis

            self._client = redis.Redis.from_url(self.url, socket_connect_timeout=0.25, socket_timeout=0.25)
        return self._client

    def _usable(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, exc: Exception) -> None:
        self._down_until = time.monotonic() + self.RETRY_AFTER
        if not self._logged:
            self._logged = True
            log.warning("change store: Redis unreachable (%s); API conditional requests build their pages", exc)

    def _recovered(self) -> None:
        if self._logged:
            self._logged = False
            log.info("change store: Redis reachable again")

    def bump(self, tables: Iterable[str]) -> None:
        with self.lock:
            pending = self._unsent | set(tables)
            self._unsent = set()
        if not pending:
            return
        if not self._usable():  # Redis failed a moment ago: keep them for later instead of waiting on it again
            with self.lock:
                self._unsent |= pending
            return
        try:
            pipe = self.client().pipeline(transaction=False)
            for table in sorted(pending):
                pipe.incr(self.prefix + "v:" + table)
            pipe.execute()
            self._recovered()
        except Exception as exc:  # noqa: BLE001 - Redis down must never break a write
            with self.lock:
                self._unsent |= pending
            self._failed(exc)

    def _flush_unsent(self) -> bool:
        if self._unsent:
            self.bump(())
        return not self._unsent

    def versions(self, tables: Sequence[str]) -> list[int] | None:
        if not self._usable() or not self._flush_unsent():
            return None
        try:
            values = self.client().mget([self.prefix + "v:" + table for table in tables]) if tables else []
            self._recovered()
        except Exception as exc:  # noqa: BLE001
            self._failed(exc)
            return None
        return [int(value) if value is not None else 0 for value in values]

    def entry(self, key: str) -> dict | None:
        if not self._usable() or not self._flush_unsent():
            return None
        try:
            raw = self.client().get(self.prefix + "e:" + key)
        except Exception as exc:  # noqa: BLE001
            self._failed(exc)
            return None
        return json.loads(raw) if raw else None

    def check(self, key: str) -> tuple[dict, bool] | None:
        """As ``MemoryStore.check``, in one round trip (a Lua script reads the entry and the versions it names)."""
        if not self._usable() or not self._flush_unsent():
            return None
        try:
            if self._check_script is None:
                self._check_script = self.client().register_script(_CHECK_SCRIPT)
            found = self._check_script(keys=[self.prefix + "e:" + key], args=[self.prefix + "v:"])
        except Exception as exc:  # noqa: BLE001
            self._failed(exc)
            return None
        if not found:
            return None
        return json.loads(found[0]), bool(found[1])

    def put(self, key: str, entry: dict, ttl: int) -> None:
        if not self._usable():
            return
        try:
            self.client().set(self.prefix + "e:" + key, json.dumps(entry, separators=(",", ":")), ex=ttl)
        except Exception as exc:  # noqa: BLE001
            self._failed(exc)

    def clear(self) -> None:
        """Delete every key under the prefix (tests, benches)."""
        client = self.client()
        keys = list(client.scan_iter(match=self.prefix + "*", count=1000))
        if keys:
            client.delete(*keys)


# --- the tracker on the engine ----------------------------------------------------------------------------------


class ChangeTracker:
    def __init__(self, app, engine, tables: Iterable[str]):
        self.app = app
        self.tables = frozenset(tables)
        self.table_list = sorted(self.tables)
        self._stores: dict[tuple, object] = {}
        self._install(engine)

    def store(self):
        """The configured store, or None when ``API_CHANGE_STORE`` is ``off``."""
        config = self.app.config
        kind = config.get("API_CHANGE_STORE") or ("redis" if config.get("REDIS_URL") else "off")
        if kind == "off":
            return None
        if kind == "memory":
            spec = ("memory",)
        elif kind == "redis" and config.get("REDIS_URL"):
            spec = ("redis", config["REDIS_URL"], config.get("API_CHANGE_KEY_PREFIX") or "civic:api:")
        else:
            return None
        found = self._stores.get(spec)
        if found is None:
            found = self._stores[spec] = MemoryStore() if spec[0] == "memory" else RedisStore(spec[1], spec[2])
        return found

    def _install(self, engine) -> None:
        known = self.tables

        seen: dict[str, set[str]] = {}  # statement text -> tables (compiled statements repeat: parse each once)

        @event.listens_for(engine, "before_cursor_execute")
        def _read(conn, cursor, statement, parameters, context, executemany):
            found = reading.get()
            if found is not None:
                tables = seen.get(statement)
                if tables is None:
                    if len(seen) > 5000:
                        seen.clear()
                    tables = seen[statement] = read_tables(statement, known)
                found.update(tables)

        writes: dict[str, set[str]] = {}  # the same for the tables statements write

        @event.listens_for(engine, "after_cursor_execute")
        def _written(conn, cursor, statement, parameters, context, executemany):
            tables = writes.get(statement)
            if tables is None:
                if len(writes) > 5000:
                    writes.clear()
                tables = writes[statement] = written_tables(statement, known)
            if tables:
                conn.info.setdefault(_WRITTEN, set()).update(tables)

        @event.listens_for(engine, "commit")
        def _committing(conn):
            tables = conn.info.pop(_WRITTEN, None)
            if tables:
                conn.info.setdefault(_COMMITTED, set()).update(tables)

        @event.listens_for(engine, "rollback")
        def _rolled_back(conn):
            conn.info.pop(_WRITTEN, None)

        @event.listens_for(engine, "begin")
        def _next_transaction(conn):
            self._publish(conn.info)

        @event.listens_for(engine, "checkin")
        def _returned(dbapi_connection, record):
            if record is not None:
                record.info.pop(_WRITTEN, None)  # never committed: the pool rolled it back
                self._publish(record.info)

    def _publish(self, info: dict) -> None:
        tables = info.pop(_COMMITTED, None)
        if tables:
            store = self.store()
            if store is not None:
                store.bump(tables)
            if signals.tables_committed.receivers:
                signals.tables_committed.send(self.app, tables=frozenset(tables))


def wrote_uncommitted(connection) -> bool:
    """Whether ``connection``'s open transaction has written to any table (INSERT, UPDATE, DELETE, text SQL too)."""
    return bool(connection.info.get(_WRITTEN))


def install(app, engine) -> ChangeTracker:
    """Track the writes of ``engine`` for ``app`` (``app.extensions["civic_changes"]``)."""
    from civic.db import Base

    tracker = ChangeTracker(app, engine, Base.metadata.tables.keys())
    app.extensions["civic_changes"] = tracker
    return tracker


def tracker(app) -> ChangeTracker | None:
    return app.extensions.get("civic_changes")
