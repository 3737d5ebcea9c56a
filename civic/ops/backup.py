"""Backups and restores of the database, and the invariants a restored database must satisfy.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot while the app serves —
never a ``cp`` of a live WAL database. PostgreSQL: ``pg_dump --format=custom``; restore with ``pg_restore --clean
--single-transaction`` (all or nothing). The secrets in ``instance/`` (``secret_key``, ``iin_key``) and uploads are
files: back them up with the database (docs/operations.md).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import and_, func, select
from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    pass


def _sqlite_path(url) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _pg_target(url) -> tuple[str, dict]:
    """A libpq URL without the password (it goes in PGPASSWORD, not on the command line) and the environment."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def backup(database_url: str, folder: Path, now: datetime | None = None) -> Path:
    """Write one backup file into ``folder`` and return its path."""
    url = make_url(database_url)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    if url.get_backend_name() == "sqlite":
        target = folder / f"civic-{stamp}.sqlite3"
        source = sqlite3.connect(_sqlite_path(url))
        destination = sqlite3.connect(target)
        try:
            with destination:
                source.backup(destination)
        finally:
            destination.close()
            source.close()
        return target
    if url.get_backend_name() == "postgresql":
        target = folder / f"civic-{stamp}.pgdump"
        dsn, env = _pg_target(url)
        # Fixed argument list (bandit B603).
        subprocess.run(  # nosec B603
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), dsn],
            check=True,
            env=env,
            capture_output=True,
        )
        return target
    raise BackupError(f"no backup method for {url.get_backend_name()}")


def restore(database_url: str, source: Path) -> None:
    """Replace the database's contents with the backup ``source`` (stop the app and workers first)."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        backup_db = sqlite3.connect(source)
        live = sqlite3.connect(_sqlite_path(url), timeout=30)
        try:
            if backup_db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source} is not a sound SQLite database")
            backup_db.backup(live)
        finally:
            live.close()
            backup_db.close()
        return
    if url.get_backend_name() == "postgresql":
        dsn, env = _pg_target(url)
        # Fixed argument list (bandit B603).
        result = subprocess.run(  # nosec B603
            [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", "--dbname", dsn]
            + [str(source)],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()[-2000:]}")
        return
    raise BackupError(f"no restore method for {url.get_backend_name()}")


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups in ``folder``; returns the deleted files."""
    files = sorted(
        [*folder.glob("civic-*.sqlite3"), *folder.glob("civic-*.pgdump")], key=lambda p: p.name, reverse=True
    )
    removed = files[keep:] if keep > 0 else []
    for path in removed:
        path.unlink()
    return removed


def orphans(session) -> list[str]:
    """Every foreign key of every table: rows whose reference points at no row (should be none)."""
    from civic.db import Base

    problems = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_key_constraints:
            parent = fk.referred_table.alias("parent")  # an alias: a table may refer to itself
            local = list(fk.columns)
            remote = [parent.c[element.column.name] for element in fk.elements]
            condition = and_(*(lc == rc for lc, rc in zip(local, remote, strict=True)))
            not_null = and_(*(lc.is_not(None) for lc in local))
            missing = session.scalar(
                select(func.count()).select_from(table).where(not_null, ~select(parent).where(condition).exists())
            )
            if missing:
                problems.append(
                    f"{table.name}.{','.join(c.name for c in local)}: {missing} rows point at no {parent.name}"
                )
    return problems


def check_invariants(session) -> list[str]:
    """No orphans, plus each module's own invariants (``invariants.CHECKS``: counters equal their rows...)."""
    from civic.modules import collect

    problems = orphans(session)
    for checks in collect("invariants", "CHECKS"):
        for check in checks:
            problems.extend(check(session))
    return problems
