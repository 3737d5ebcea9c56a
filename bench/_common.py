"""Shared pieces for the benchmark scripts (not a benchmark itself).

- ``temporary_database(kind)``: a throw-away SQLite file or PostgreSQL database, migrated with ``flask db upgrade``;
- ``Server``: gunicorn in a subprocess (sync workers), stopped on exit;
- ``run_load``: a small asyncio HTTP/1.1 client on raw sockets, cheap enough not to be the bottleneck;
- ``civic_app()`` / ``ceiling_app()`` / ``vote_floor_app()``: the WSGI apps gunicorn loads
  (``--pythonpath bench '_common:civic_app()'``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_SECRET = "bench-secret-key-not-for-production"


def echo(message: str) -> None:
    print(message, flush=True)


def base_env(database_url: str, extra_config: dict | None = None) -> dict:
    """Environment for the app processes: the bench database, fixed keys, plain cookies over loopback HTTP."""
    env = dict(os.environ)
    env.update(
        {
            "CIVIC_DATABASE_URL": database_url,
            "CIVIC_SECRET_KEY": BENCH_SECRET,
            "CIVIC_IIN_HMAC_KEY": "bench-iin-key",
            "CIVIC_SECURE_COOKIES": "0",
            "CIVIC_MAIL_OUTBOX": str(Path(tempfile.gettempdir()) / "civic-bench-outbox"),
            "CIVIC_BENCH_CONFIG": json.dumps(extra_config or {}),
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


@contextlib.contextmanager
def temporary_database(kind: str) -> Iterator[str]:
    """Yield the URL of a new, empty database of ``kind`` ("sqlite" or "postgres"); it is deleted afterwards."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="civic-bench-")
        try:
            yield f"sqlite:///{folder}/bench.sqlite3"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = make_url(os.environ.get("CIVIC_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)).set(
        drivername="postgresql+psycopg"
    )
    name = f"civic_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrate(database_url: str) -> None:
    """Build the schema the way operators do: ``flask db upgrade``."""
    subprocess.run(
        [PYTHON, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=base_env(database_url),
        check=True,
        capture_output=True,
    )


def make_app(database_url: str, **config):
    from civic import create_app

    return create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": BENCH_SECRET,
            "IIN_HMAC_KEY": "bench-iin-key",
            "SECURE_COOKIES": False,
            "PASSWORD_HASHER": "fast",
            **config,
        }
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving ``app_spec`` on a free loopback port until ``stop()``."""

    def __init__(self, app_spec: str, env: dict, workers: int):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="civic-bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--pythonpath",
                str(ROOT / "bench"),
                "--backlog",
                "2048",
                "--log-level",
                "warning",
                app_spec,
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, path: str = "/healthz", timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {Path(self.log.name).read_text()[-2000:]}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                if s.recv(12).endswith(b"200"):
                    return
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not become ready")

    def stop(self) -> str:
        """Stop gunicorn; returns the tail of its log (errors surface there)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
        text = Path(self.log.name).read_text()
        os.unlink(self.log.name)
        return text


# --- the load generator -------------------------------------------------------------------------------------------
@dataclass
class Result:
    key: object
    status: int
    seconds: float
    body: bytes


async def _read_response(reader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length, close = 0, False
    for line in head.split(b"\r\n")[1:]:
        name, _sep, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and b"close" in value.lower():
            close = True
    body = await reader.readexactly(length) if length else b""
    return status, body, close


def loopback_sources(count: int = 65_000) -> Iterator[str]:
    """Source addresses 127.1.0.1, 127.1.0.2, …: all of 127.0.0.0/8 is this machine, so each connection can come
    from its own address, as real signers do (per-IP limits then apply as in production)."""
    while True:
        for n in range(count):
            yield f"127.{1 + n // 65_025}.{n // 255 % 255}.{1 + n % 255}"


async def _client(port: int, next_request: Callable, deadline: float, results: list, sources) -> None:
    reader = writer = None
    while time.perf_counter() < deadline:
        item = next_request()
        if item is None:
            break
        key, payload = item
        if writer is None:
            local = (next(sources), 0) if sources is not None else None
            reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=local)
        started = time.perf_counter()
        writer.write(payload)
        status, body, close = await _read_response(reader)
        results.append(Result(key, status, time.perf_counter() - started, body))
        if close:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


def run_load(
    port: int, next_request: Callable, seconds: float, concurrency: int, sources: Iterator[str] | None = None
) -> tuple[list[Result], float]:
    """Send requests from ``next_request()`` ((key, raw bytes) or None) with ``concurrency`` connections, each new
    connection from the next of ``sources`` (loopback addresses) when given."""
    results: list[Result] = []

    async def main():
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(_client(port, next_request, deadline, results, sources) for _ in range(concurrency)))

    started = time.perf_counter()
    asyncio.run(main())
    return results, time.perf_counter() - started


def raw_request(method: str, path: str, port: int, headers: dict | None = None, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "User-Agent: civic-bench"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# --- WSGI apps for gunicorn ---------------------------------------------------------------------------------------
def civic_app():
    """The real application, with overrides from CIVIC_BENCH_CONFIG (JSON)."""
    from civic import create_app

    return create_app(json.loads(os.environ.get("CIVIC_BENCH_CONFIG") or "{}"))


CEILING_TABLE = "bench_ceiling"


def ceiling_app():
    """The ceiling of this stack: a bare Flask endpoint doing one INSERT through SQLAlchemy into the same database."""
    from flask import Flask, jsonify, request
    from sqlalchemy import text

    from civic.db import make_engine

    app = Flask("ceiling")
    engine = make_engine(os.environ["CIVIC_DATABASE_URL"])
    statement = text(f"INSERT INTO {CEILING_TABLE} (user_id, created_at) VALUES (:user_id, CURRENT_TIMESTAMP)")

    @app.post("/insert")
    def insert():
        with engine.begin() as conn:
            conn.execute(statement, {"user_id": int(request.form["user_id"])})
        return jsonify(status="inserted"), 201

    @app.get("/healthz")
    def health():
        return "ok"

    return app


def vote_floor_app():
    """The vote's own guarded INSERT (``voting.insert_vote``, session check included) behind a bare Flask endpoint:
    the same statement as a vote, none of the request's other work (session cookie, CSRF, log, hooks). Between the
    ceiling and Civic it shows how much of a vote is the database's rules and how much the request around them."""
    from flask import Flask, jsonify, request

    from civic.contests import voting
    from civic.db import make_engine, utc_now
    from civic.identity.login import token_hash

    app = Flask("floor")
    engine = make_engine(os.environ["CIVIC_DATABASE_URL"])

    @app.post("/vote/<int:contest_id>/<int:entry_id>")
    def vote(contest_id: int, entry_id: int):
        account = (int(request.form["user_id"]), 1, token_hash(request.form["session"]))
        with engine.begin() as conn:
            new_id = voting.insert_vote(contest_id, entry_id, *account, now=utc_now(), connection=conn)
        return jsonify(status="voted" if new_id else "refused"), 201 if new_id else 409

    @app.get("/healthz")
    def health():
        return "ok"

    return app


def create_ceiling_table(database_url: str) -> None:
    from sqlalchemy import text

    from civic.db import make_engine

    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                f"CREATE TABLE {CEILING_TABLE} (id {'SERIAL' if 'postgres' in database_url else 'INTEGER'} "
                f"PRIMARY KEY, user_id INTEGER NOT NULL, created_at TIMESTAMP NOT NULL)"
            )
        )
    engine.dispose()


def count_rows(database_url: str, sql: str, **params) -> int:
    from sqlalchemy import text

    from civic.db import make_engine

    engine = make_engine(database_url)
    with engine.connect() as conn:
        value = conn.execute(text(sql), params).scalar()
    engine.dispose()
    return int(value or 0)


if __name__ == "__main__":
    echo("bench/_common.py holds helpers for the other bench scripts; nothing to run.")
