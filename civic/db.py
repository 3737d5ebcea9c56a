"""Database plumbing: declarative base, the app-owned scoped session, engine set-up and shared column types."""

from __future__ import annotations

import contextvars
import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated

from sqlalchemy import Connection, DateTime, Engine, Executable, MetaData, create_engine, event, func
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Every module that defines tables; Alembic's env.py and the app import them all.
MODEL_MODULES = (
    "civic.identity.models",
    "civic.petitions.models",
    "civic.delphi.models",
    "civic.bureau.models",
    "civic.contests.models",
    "civic.councils.models",
    "civic.initiatives.models",
    "civic.stakeholders.models",
    "civic.dashboards.models",
)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utc_now() -> datetime:
    return datetime.now(UTC)


class AwareDateTime(TypeDecorator):
    """Store UTC; always hand back aware datetimes, whatever the backend returns."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to an AwareDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


intpk = Annotated[int, mapped_column(primary_key=True)]
created_at = Annotated[datetime, mapped_column(AwareDateTime(), default=utc_now, server_default=func.now())]

session = scoped_session(sessionmaker(expire_on_commit=False))

# True while the current request may write: SQLite then starts with BEGIN IMMEDIATE so that concurrent
# writers queue on busy_timeout instead of failing with SQLITE_BUSY when a read transaction upgrades.
write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)


@contextmanager
def transaction(*, immediate: bool = True) -> Iterator[scoped_session[Session]]:
    """Run the enclosed work in a transaction of its own: committed when the block ends, rolled back on an error.

    Whatever the session had open is rolled back first (a request's read transaction, or changes a refused request
    must not keep), so the block starts a fresh transaction and reads what is committed now. ``immediate`` declares
    the write intent for that transaction: on SQLite it starts with ``BEGIN IMMEDIATE`` and waits for the write lock
    (``busy_timeout``) instead of failing to upgrade a read snapshot. ``immediate=False`` gives a deferred ``BEGIN``,
    for a block whose first statement is itself the write (petition signing). The intent is reset afterwards
    through the contextvar's token, so what runs next in the request or command is as it was.

    The one way to commit outside a view's own single commit: upkeep jobs (CLI), the signing INSERT, an audit record
    that must outlive a refused request.
    """
    session.rollback()
    token = write_intent.set(immediate)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        write_intent.reset(token)


@contextmanager
def statement_transaction(*, immediate: bool = False) -> Iterator[Connection]:
    """A transaction of its own on a pooled connection, outside the ORM session, for one hot guarded statement.

    For the request paths that are a single ``INSERT .. SELECT`` and nothing else (a vote, a signature): the session's
    transaction bookkeeping and its commit hooks (jobs, uploads, dashboards) cost more than the statement, and such a
    statement uses none of them. Engine-level hooks (SQLite's BEGIN, ``civic.core.changes``) still run. Committed
    when the block ends, rolled back on an error; ``immediate`` as in ``transaction``."""
    token = write_intent.set(immediate)
    try:
        with bound_engine().begin() as connection:
            yield connection
    finally:
        write_intent.reset(token)


def end_reading() -> None:
    """End the session's transaction of a request that wrote nothing: COMMIT, unless the session holds changes.

    For a transaction that wrote nothing COMMIT and ROLLBACK are the same, but psycopg drops every prepared
    statement of the connection on ROLLBACK: the next hot INSERTs (a vote, a signature) are then planned again
    each time until psycopg prepares them anew, and planning them costs PostgreSQL more than running them
    (docs/performance.md, 2026-12-07). Called for GET requests (which write nothing, tests/test_no_writes_on_get.py)
    and by refusals that only read. A session holding ORM changes, or whose transaction wrote (a Core statement,
    seen by ``civic.core.changes``), is rolled back as before."""
    if not session.registry.has():
        return
    current = session()
    if not current.in_transaction():
        return
    from civic.core.changes import wrote_uncommitted

    if current.new or current.dirty or current.deleted or wrote_uncommitted(current.connection()):
        current.rollback()
    else:
        current.commit()


def forget_earlier_reads() -> None:
    """Roll back a transaction the request had open before its hot statement (a remember-me sign-in loaded the
    account), so that explaining a refusal reads what is committed now; without one there is nothing to roll back
    (and no ROLLBACK to cost the connection its prepared statements, ``end_reading``)."""
    if session.registry.has() and session().in_transaction():
        session.rollback()


class Precompiled:
    """A Core statement compiled once for a dialect and run as driver SQL: for the hottest statements only.

    SQLAlchemy caches a statement's compiled form, but still walks the statement to find its cache key and sets up
    its parameters on every execution: for the vote and signing INSERTs (a dozen parameters, several subqueries)
    that is more work than SQLite's own. This keeps the SQL text, the parameter order and the types' bind
    processors, and hands the driver its parameters directly. Engine events (``before/after_cursor_execute``) still
    run, so ``civic.core.changes`` sees the write."""

    def __init__(self, statement, dialect):
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.defaults = {name: bind.effective_value for name, bind in compiled.binds.items()}
        self.positions = compiled.positiontup  # None for named parameter styles (psycopg)
        self.processors = {
            name: process for name, bind in compiled.binds.items() if (process := bind.type.bind_processor(dialect))
        }

    def execute(self, connection: Connection, values: dict):
        params = {**self.defaults, **values}
        for name, process in self.processors.items():
            params[name] = process(params[name])
        if self.positions is not None:
            return connection.exec_driver_sql(self.sql, tuple(params[name] for name in self.positions))
        return connection.exec_driver_sql(self.sql, params)


_precompiled: dict[tuple, Precompiled] = {}


def precompiled(key: tuple, connection: Connection, build: Callable[[str], Executable]) -> Precompiled:
    """The statement ``build(dialect name)`` as a ``Precompiled``, made once per process, ``key`` and database."""
    dialect = connection.dialect
    cache_key = (*key, dialect.name, dialect.server_version_info)
    found = _precompiled.get(cache_key)
    if found is None:
        found = _precompiled[cache_key] = Precompiled(build(dialect.name), dialect)
    return found


def import_all_models() -> None:
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if not (exc.name and name.startswith(exc.name)):  # a module without models yet; anything else is a bug
                raise


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine with the pragmas and pool settings this project relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def bound_engine() -> Engine:
    """The bound engine, without creating a session for the request (``session.get_bind()`` would)."""
    return session.session_factory.kw["bind"]


def bind(url: str, **kwargs) -> Engine:
    """(Re)bind the scoped session to a new engine for ``url``."""
    session.remove()
    engine = make_engine(url, **kwargs)
    session.configure(bind=engine)
    return engine


def is_postgres() -> bool:
    return session.get_bind().dialect.name == "postgresql"
