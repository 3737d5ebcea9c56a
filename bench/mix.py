"""A load mix: readers poll a petition's page and its counter while signers sign it, and one app worker is killed.

    python bench/mix.py [--db sqlite|postgres] [--seconds S] [--workers W] [--readers R] [--signers C] [--quick]

1. creates a temporary database and seeds one open petition and N IIN-verified residents (``bench/sign.py``'s seed,
   sessions minted as a login would produce them);
2. starts gunicorn with W (≥ 2) sync workers and runs, in one asyncio client over real HTTP: R reader connections
   alternating ``GET /petitions/<id>`` and ``GET /api/v1/petitions/<id>`` (the page and the counter people watch), and
   C signer connections posting ``/petitions/<id>/sign`` (each resident once);
3. half-way through, kills one gunicorn worker by its pid (SIGKILL: a crash, not a graceful stop); gunicorn starts a
   replacement; requests that were in flight on it fail on the client side (counted as "broken", outcome unknown to
   the client, exactly what a browser would see);
4. checks: every signer told 201 has exactly one row (lost = told signed but no row), no resident has two rows
   (duplicated), and the count the page shows equals the rows;
5. last line, exactly:
   ``mix: readers <R> req/s p95 <X> ms, signers <S>/s, lost <L>, duplicated <D>, worker killed <yes|no>``.

The per-address signing limit is off here (every signer connection comes from its own loopback address but signs
many residents); the per-account limit and the one-signature-per-person rule stay on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import (  # noqa: E402
    Server,
    _read_response,
    base_env,
    count_rows,
    echo,
    loopback_sources,
    migrate,
    percentile,
    raw_request,
    temporary_database,
)
from sign import seed, sessions_for  # noqa: E402


def worker_pids(master: int) -> list[int]:
    """gunicorn's workers: the master's children (Linux /proc)."""
    children = []
    for task in Path(f"/proc/{master}/task").iterdir():
        text = (task / "children").read_text().split()
        children += [int(pid) for pid in text]
    return sorted(children)


async def _connection(port: int, source: str | None):
    local = (source, 0) if source else None
    return await asyncio.open_connection("127.0.0.1", port, local_addr=local)


async def reader_loop(port: int, petition_id: int, deadline: float, out: list, source: str) -> None:
    paths = (f"/petitions/{petition_id}", f"/api/v1/petitions/{petition_id}")
    n, reader, writer = 0, None, None
    while time.perf_counter() < deadline:
        path = paths[n % 2]
        n += 1
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await _connection(port, source)
            writer.write(raw_request("GET", path, port, {"Accept-Language": "kk"}))
            status, _body, close = await _read_response(reader)
        except (OSError, asyncio.IncompleteReadError):
            out.append((0, time.perf_counter() - started))
            writer = None
            continue
        out.append((status, time.perf_counter() - started))
        if close:
            writer.close()
            writer = None
    if writer is not None:
        writer.close()


async def signer_loop(port: int, petition_id: int, deadline: float, queue: list, sessions: dict, out: list, source):
    reader = writer = None
    while time.perf_counter() < deadline and queue:
        user_id = queue.pop()
        cookie, token = sessions[user_id]
        payload = raw_request(
            "POST",
            f"/petitions/{petition_id}/sign",
            port,
            {
                "Cookie": f"civic_session={cookie}",
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            f"csrf_token={token}".encode(),
        )
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await _connection(port, source)
            writer.write(payload)
            status, _body, close = await _read_response(reader)
        except (OSError, asyncio.IncompleteReadError):
            out.append((user_id, 0, time.perf_counter() - started))
            writer = None
            continue
        out.append((user_id, status, time.perf_counter() - started))
        if close:
            writer.close()
            writer = None
    if writer is not None:
        writer.close()


def run_mix(server: Server, petition_id: int, sessions: dict, args) -> dict:
    reads: list = []
    signs: list = []
    queue = list(reversed(list(sessions)))
    killed: dict = {}
    sources = loopback_sources()

    async def killer(deadline_half: float):
        await asyncio.sleep(max(0.0, deadline_half - time.perf_counter()))
        pids = worker_pids(server.process.pid)
        if pids and not args.no_kill:
            os.kill(pids[0], signal.SIGKILL)
            killed["pid"] = pids[0]
            killed["at"] = time.perf_counter()

    async def main():
        start = time.perf_counter()
        deadline = start + args.seconds
        tasks = [reader_loop(server.port, petition_id, deadline, reads, next(sources)) for _ in range(args.readers)]
        tasks += [
            signer_loop(server.port, petition_id, deadline, queue, sessions, signs, next(sources))
            for _ in range(args.signers)
        ]
        tasks.append(killer(start + args.seconds / 2))
        await asyncio.gather(*tasks)

    started = time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - started
    return {"reads": reads, "signs": signs, "elapsed": elapsed, "killed": killed}


def page_count(port: int, petition_id: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/petitions/{petition_id}", timeout=30) as response:
        html = response.read().decode()
    return int(re.search(r'data-signature-count="(\d+)"', html).group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--signers", type=int, default=6)
    parser.add_argument("--no-kill", action="store_true", help="Do not kill a worker (a baseline run).")
    parser.add_argument("--quick", action="store_true", help="6 s, 2 workers, 8 readers, 3 signers.")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.workers, args.readers, args.signers = 6, 2, 8, 3
    args.workers = max(2, args.workers)
    residents = int(args.seconds * 400) + 500

    with temporary_database(args.db) as url:
        echo(f"[1/4] {args.db}: migrating, seeding one open petition and {residents:,} verified residents")
        migrate(url)
        petition_id, signers = seed(url, residents)
        sessions = sessions_for(url, signers)
        baseline = count_rows(url, "SELECT count(*) FROM petition_signatures WHERE petition_id = :p", p=petition_id)
        env = base_env(url, {"PETITIONS_SIGN_LIMIT_PER_IP": "", "LOG_LEVEL": "WARNING"})
        env["CIVIC_BENCH_CONFIG"] = json.dumps({"PETITIONS_SIGN_LIMIT_PER_IP": "", "LOG_LEVEL": "WARNING"})
        server = Server("_common:civic_app()", env, args.workers)
        try:
            server.wait_ready()
            for _ in range(20):
                page_count(server.port, petition_id)
            echo(
                f"[2/4] gunicorn, {args.workers} sync workers: {args.readers} readers and {args.signers} signers for "
                f"{args.seconds:g} s; one worker killed (SIGKILL) half-way"
            )
            result = run_mix(server, petition_id, sessions, args)
            shown = page_count(server.port, petition_id)
        finally:
            log = server.stop()

        reads, signs, elapsed = result["reads"], result["signs"], result["elapsed"]
        read_ok = [seconds for status, seconds in reads if status == 200]
        read_statuses = Counter(status for status, _ in reads)
        sign_statuses = Counter(status for _, status, _ in signs)
        told = Counter(user_id for user_id, status, _ in signs if status == 201)
        rows = count_rows(url, "SELECT count(*) FROM petition_signatures WHERE petition_id = :p", p=petition_id)
        distinct = count_rows(
            url, "SELECT count(DISTINCT user_id) FROM petition_signatures WHERE petition_id = :p", p=petition_id
        )
        told_ids = set(told)
        stored_ids = set()
        if told_ids:
            from sqlalchemy import text

            from civic.db import make_engine

            engine = make_engine(url)
            with engine.connect() as conn:
                stored_ids = set(
                    conn.execute(
                        text("SELECT user_id FROM petition_signatures WHERE petition_id = :p"), {"p": petition_id}
                    ).scalars()
                )
            engine.dispose()
        lost = len(told_ids - stored_ids)
        duplicated = (rows - distinct) + sum(n - 1 for n in told.values() if n > 1)
        broken = sign_statuses.get(0, 0)
        killed = "yes" if result["killed"] else "no"
        reader_rate = len(read_ok) / elapsed
        signer_rate = sum(told.values()) / elapsed
        p95 = percentile([s * 1000 for s in read_ok], 95)

        echo(
            f"[3/4] readers: {len(reads):,} requests, statuses {dict(read_statuses)}; p50 "
            f"{percentile([s * 1000 for s in read_ok], 50):.1f} ms, p95 {p95:.1f} ms"
        )
        echo(
            f"      signers: {len(signs):,} requests, statuses {dict(sign_statuses)} (0 = connection broken by the "
            f"kill, outcome unknown to the client)"
        )
        echo(f"      worker killed: {killed} (pid {result['killed'].get('pid', '-')})")
        echo(
            f"[4/4] told signed {len(told_ids):,}; rows {rows - baseline:,} (+{baseline} supporters); page shows "
            f"{shown - baseline:,}; lost {lost}, duplicated {duplicated}; broken connections {broken}"
        )
        problems = []
        if shown != rows:
            problems.append(f"the page shows {shown} but there are {rows} rows")
        if rows - baseline < len(told_ids):
            problems.append("fewer rows than signers told 'signed'")
        if "Traceback" in log and "WORKER TIMEOUT" not in log and "SIGKILL" not in log:
            problems.append("errors in the gunicorn log:\n" + log[-3000:])
        for problem in problems:
            echo(f"PROBLEM: {problem}")
        echo(
            f"mix: readers {reader_rate:.0f} req/s p95 {p95:.0f} ms, signers {signer_rate:.0f}/s, "
            f"lost {lost}, duplicated {duplicated}, worker killed {killed}"
        )
        return 1 if problems or lost or duplicated else 0


if __name__ == "__main__":
    sys.exit(main())
