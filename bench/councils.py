"""Council tracker speed with a national-size history: 2,000 councils and 50,000 recommendations.

    python bench/councils.py [--db sqlite|postgres] [--councils N] [--recommendations M] [--requests R] [--quick]

Builds a temporary database (``flask db upgrade``), bulk-loads councils across every territory and recommendations
sent to the state bodies over three years (answered on time, late, overdue, awaiting), then serves the app with
gunicorn and requests, one at a time, the public tracker (default, filtered by council, body and status, deep pages)
and state bodies' pages. Prints p50/p95 for each; the target is p95 < 100 ms. The last line is exactly
``councils: tracker p95 <X> ms, body page p95 <Y> ms``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import Server, base_env, echo, make_app, migrate, percentile, temporary_database  # noqa: E402

STATES = ("answered_on_time", "answered_late", "overdue", "awaiting")


def load(database_url: str, councils: int, recommendations: int, seed: int = 5) -> tuple[list[int], list[int]]:
    """Bulk-load councils and recommendations; returns (council ids, body ids)."""
    from sqlalchemy import insert, select

    from civic import db
    from civic.core import deadlines
    from civic.councils.models import Council, Recommendation
    from civic.db import utc_now
    from civic.identity.directory import load_reference_data
    from civic.identity.models import StateBody, Territory

    rng = random.Random(seed)
    app = make_app(database_url)
    with app.app_context():
        load_reference_data()
        db.session.commit()
        territories = db.session.scalars(select(Territory.id)).all()
        bodies = db.session.execute(select(StateBody.id, StateBody.territory_id)).all()
        rows = [
            {
                "name_kk": f"Қоғамдық кеңес №{n}",
                "name_ru": f"Общественный совет №{n}",
                "name_en": f"Public council no. {n}",
                "territory_id": rng.choice(territories),
                "mandate": "Mandate",
                "quorum_percent": 50,
                "notice_days": 7,
                "expert_hours": 20,
            }
            for n in range(1, councils + 1)
        ]
        db.session.execute(insert(Council), rows)
        db.session.commit()
        council_ids = db.session.scalars(select(Council.id)).all()
        echo(f"      {len(council_ids):,} councils")
        now = utc_now()
        batch, written = [], 0
        for n in range(recommendations):
            sent = now - timedelta(days=rng.uniform(0, 3 * 365), minutes=rng.randint(0, 1440))
            due = deadlines.compute_due(sent)
            state = rng.choices(STATES, weights=(60, 15, 10, 15))[0]
            if due > now:
                state = "awaiting" if state in ("overdue", "awaiting") else state
            elif state == "awaiting":
                state = "overdue"
            row = {
                "council_id": rng.choice(council_ids),
                "text": f"Recommendation {n}: improve the service no. {n % 997}",
                "state": "adopted" if state in ("overdue", "awaiting") else "answered",
                "votes_for": 5,
                "present_at_vote": 7,
                "sitting_at_vote": 9,
                "voted_at": sent,
                "body_id": rng.choice(bodies)[0],
                "sent_at": sent,
                "due_at": due,
                "extension_note": "",
                "answer_text": "",
                "plan": "",
                "unjustified_reason": "",
            }
            if row["state"] == "answered":
                late = state == "answered_late"
                row.update(
                    decision=rng.choice(("accepted", "partly", "rejected")),
                    answer_text="Answer",
                    answered_at=(due + timedelta(days=3)) if late else sent + timedelta(days=10),
                    answered_late=late,
                )
            batch.append(row)
            if len(batch) == 5000:
                db.session.execute(insert(Recommendation), _uniform(batch))
                db.session.commit()
                written += len(batch)
                batch = []
        if batch:
            db.session.execute(insert(Recommendation), _uniform(batch))
            db.session.commit()
            written += len(batch)
        echo(f"      {written:,} recommendations")
        busiest = [b for b, _t in bodies]
    return council_ids, busiest


def _uniform(rows: list[dict]) -> list[dict]:
    keys = set().union(*rows)
    return [{k: r.get(k) for k in keys} for r in rows]


def timed_get(port: int, path: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
        response.read()
        assert response.status == 200, path
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--councils", type=int, default=2_000)
    parser.add_argument("--recommendations", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per page kind")
    parser.add_argument("--quick", action="store_true", help="a small run: 200 councils, 5,000 recommendations")
    args = parser.parse_args()
    if args.quick:
        args.councils, args.recommendations, args.requests = 200, 5_000, 60
    rng = random.Random(13)
    with temporary_database(args.db) as url:
        echo(
            f"[1/3] {args.db}: migrating a temporary database and loading {args.councils:,} councils, "
            f"{args.recommendations:,} recommendations"
        )
        migrate(url)
        started = time.perf_counter()
        councils, bodies = load(url, args.councils, args.recommendations)
        echo(f"      loaded in {time.perf_counter() - started:.0f} s")
        if args.db == "postgres":
            # what autovacuum does within a minute of a bulk load: statistics for the planner, and the visibility
            # map that lets the covering indexes be read without the table (index-only scans)
            from sqlalchemy import create_engine, text

            engine = create_engine(
                url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
            )
            with engine.connect() as conn:
                conn.execute(text("VACUUM ANALYZE"))
            engine.dispose()
        server = Server("_common:civic_app()", base_env(url), workers=2)
        try:
            server.wait_ready()
            echo("[2/3] requesting pages one at a time (server time)")
            tracker_paths = [
                "/councils/recommendations",
                "/councils/recommendations?status=overdue",
                "/councils/recommendations?status=answered_late&page=20",
                "/councils/recommendations?page=100",
                *(f"/councils/recommendations?council={c}" for c in rng.sample(councils, 5)),
                *(f"/councils/recommendations?body={b}&status=awaiting" for b in rng.sample(bodies, 3)),
            ]
            body_paths = [f"/councils/bodies/{b}" for b in rng.sample(bodies, min(10, len(bodies)))] + [
                f"/councils/bodies/{b}?status=overdue&page=2" for b in rng.sample(bodies, 3)
            ]
            for path in tracker_paths[:2] + body_paths[:2]:
                timed_get(server.port, path)  # warm the workers
            timings = {"tracker": [], "body": []}
            for i in range(args.requests):
                timings["tracker"].append(timed_get(server.port, tracker_paths[i % len(tracker_paths)]))
                timings["body"].append(timed_get(server.port, body_paths[i % len(body_paths)]))
        finally:
            log = server.stop()
    if "Traceback" in log:
        echo(log[-3000:])
        return 1
    echo("[3/3] results")
    for kind, values in timings.items():
        echo(
            f"      {kind}: {len(values)} requests, p50 {percentile(values, 50):.1f} ms, "
            f"p95 {percentile(values, 95):.1f} ms, max {max(values):.1f} ms"
        )
    tracker_p95, body_p95 = percentile(timings["tracker"], 95), percentile(timings["body"], 95)
    echo(f"councils: tracker p95 {tracker_p95:.1f} ms, body page p95 {body_p95:.1f} ms")
    return 0 if max(tracker_p95, body_p95) < 100 else 1


if __name__ == "__main__":
    sys.exit(main())
