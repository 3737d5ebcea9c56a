"""Open-data API speed: paging through every public petition and council recommendation by cursor, and
conditional requests answered 304.

    python bench/api.py [--db sqlite|postgres] [--petitions N] [--signatures M] [--recommendations K]
                        [--councils C] [--limit L] [--repeat R] [--redis URL] [--redis-rate-limit] [--quick]

Builds a temporary database with the petitions bench's data set (``petitions_pages.load``: N petitions with
Zipf-distributed signatures, tallied) and the councils bench's (``councils.load``: C councils, K recommendations
sent to state bodies, bulk-inserted), serves the app with gunicorn and, one request at a time (so the latency is
the server's own):
1. walks ``/api/v1/petitions?state=all&limit=L`` and ``/api/v1/councils/recommendations?limit=L`` from the
   first page to the last by ``links.next``, R times, and the directory lists the same way;
2. asks for pages again with the ``ETag`` it got (``If-None-Match``), which must answer 304 with no body.
The server gets ``REDIS_URL`` (``--redis``, default ``redis://127.0.0.1:6379/11``; ``--redis ''`` for none), so 304s
come from the table change versions in Redis (``civic.core.changes``) as in production; the keys under the bench's
prefix are deleted before the run. The rate limits stay in the worker's memory (as in the earlier rows) unless
``--redis-rate-limit``: production keeps them in Redis, one more round trip per request.
Targets (docs/performance.md): page p95 < 50 ms, 304 p95 < 5 ms. The API's per-address rate limit is raised for
the run, as every request comes from one address.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import Server, base_env, echo, migrate, percentile, temporary_database  # noqa: E402
from councils import load as load_councils  # noqa: E402
from petitions_pages import load  # noqa: E402


def get(url: str, etag: str | None = None) -> tuple[float, int, dict | None, str | None]:
    request = urllib.request.Request(url, headers={"If-None-Match": etag} if etag else {})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
            status, tag = response.status, response.headers.get("ETag")
    except urllib.error.HTTPError as error:  # 304 arrives as an "error" in urllib
        body, status, tag = b"", error.code, error.headers.get("ETag")
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, status, (json.loads(body) if body else None), tag


def walk(base: str, first: str) -> tuple[list[float], list[tuple[str, str]], int]:
    """Follow ``links.next`` from ``first``; returns page timings, (url, etag) pairs and the rows seen."""
    timings, tags, rows, url = [], [], 0, base + first
    while url:
        elapsed, status, body, tag = get(url)
        assert status == 200, (url, status)
        timings.append(elapsed)
        tags.append((url, tag))
        rows += len(body["data"])
        url = body["links"]["next"]
    return timings, tags, rows


def _in_child(loader, *args) -> None:
    """Run a second bench loader in a fresh process: each loader builds its own app, and the API blueprints (module
    globals) take their response-cache hooks only once per process."""
    import multiprocessing

    child = multiprocessing.get_context("spawn").Process(target=loader, args=args)
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"loader {loader.__name__} failed ({child.exitcode})")


REDIS_PREFIX = "civic-bench:api:"


def _flush_redis(url: str) -> None:
    """Delete the change versions and page entries a previous run left under the bench's prefix."""
    from civic.core.changes import RedisStore

    RedisStore(url, REDIS_PREFIX).clear()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--petitions", type=int, default=10_000)
    parser.add_argument("--signatures", type=int, default=200_000)
    parser.add_argument("--recommendations", type=int, default=50_000)
    parser.add_argument("--councils", type=int, default=2_000)
    parser.add_argument("--limit", type=int, default=100, help="page size")
    parser.add_argument("--repeat", type=int, default=3, help="walks through the whole list")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11", help="REDIS_URL of the server ('' for none)")
    parser.add_argument(
        "--redis-rate-limit", action="store_true", help="keep the rate limits in Redis too (production's default)"
    )
    parser.add_argument("--quick", action="store_true", help="1,000 petitions, 5,000 recommendations, one walk")
    args = parser.parse_args()
    if args.quick:
        args.petitions, args.signatures, args.recommendations, args.councils, args.repeat = 1_000, 10_000, 5_000, 200, 1
    rng = random.Random(5)
    with temporary_database(args.db) as url:
        echo(f"[1/3] {args.db}: loading {args.petitions:,} petitions and {args.signatures:,} signatures")
        migrate(url)
        started = time.perf_counter()
        load(url, args.petitions, args.signatures)
        echo(f"      and {args.councils:,} councils with {args.recommendations:,} recommendations")
        _in_child(load_councils, url, args.councils, args.recommendations)
        echo(f"      loaded in {time.perf_counter() - started:.0f} s")
        config = {"API_RATE_LIMIT": "1000000 per minute"}
        if args.redis:
            config.update(REDIS_URL=args.redis, API_CHANGE_KEY_PREFIX=REDIS_PREFIX)
            if not args.redis_rate_limit:  # as in the earlier rows: only the change store measured in Redis
                config["RATELIMIT_STORAGE_URI"] = "memory://"
            _flush_redis(args.redis)
        server = Server("_common:civic_app()", base_env(url, config), workers=2)
        try:
            server.wait_ready()
            base = f"http://127.0.0.1:{server.port}"
            get(base + "/api/v1/petitions?limit=10")  # warm the workers
            echo(f"[2/3] walking every page ({args.limit} per page), {args.repeat} times")
            pages, tags = [], []
            for walk_number in range(args.repeat):
                timings, seen, rows = walk(base, f"/api/v1/petitions?state=all&limit={args.limit}")
                assert rows == args.petitions, (rows, args.petitions)
                pages += timings
                tags += seen
                echo(f"      walk {walk_number + 1}: {len(timings)} pages, {rows:,} petitions")
                timings, seen, rows = walk(base, f"/api/v1/councils/recommendations?limit={args.limit}")
                assert rows == args.recommendations, (rows, args.recommendations)
                pages += timings
                tags += seen
                echo(f"      walk {walk_number + 1}: {len(timings)} pages, {rows:,} recommendations")
            for listing in ("/api/v1/territories?limit=50", "/api/v1/bodies?limit=20", "/api/v1/categories"):
                timings, seen, _rows = walk(base, listing)
                pages += timings
                tags += seen
            not_modified = []
            for page_url, tag in rng.choices(tags, k=min(1000, 5 * len(tags))):
                elapsed, status, _body, _tag = get(page_url, tag)
                assert status == 304, (page_url, status)
                not_modified.append(elapsed)
        finally:
            log = server.stop()
    if "Traceback" in log:
        echo(log[-3000:])
        return 1
    page_p95, nm_p95 = percentile(pages, 95), percentile(not_modified, 95)
    echo("[3/3] results")
    echo(
        f"      pages: {len(pages)}, p50 {percentile(pages, 50):.1f} ms, p95 {page_p95:.1f} ms, max {max(pages):.1f} ms"
    )
    echo(
        f"      304s: {len(not_modified)}, p50 {percentile(not_modified, 50):.1f} ms, p95 {nm_p95:.1f} ms "
        f"({args.petitions:,} petitions, {args.recommendations:,} recommendations, {args.db}, "
        f"change store {'redis' if args.redis else 'off'})"
    )
    echo(f"api: page p95 {page_p95:.1f} ms, not-modified p95 {nm_p95:.1f} ms")
    return 0 if page_p95 < 50 and nm_p95 < 5 else 1


if __name__ == "__main__":
    sys.exit(main())
