"""The published results page of a large contest: 2,000 ideas, 30 judges, 300,000 public votes.

    python bench/contest_results.py [--db sqlite|postgres] [--entries N] [--judges J] [--votes V] [--requests R]

Builds a temporary database (``flask db upgrade``), one idea contest through the services, then bulk-loads the
accepted ideas, the judges (accepted invitations), three weighted criteria, every judge's scores of every idea
(about 1 % of pairs recused), and the votes (three per person, numbered slots, as the voting INSERT stores them).
The organiser publishes the results: the publish POST (timed; it records the decision and queues the job, target
< 200 ms), then the queued jobs as a worker runs them (``publish_job``: the scoring engine runs once and the breakdown
is frozen; ``notify_job``: the authors, 200 per batch), each timed. Then gunicorn serves the app and the results
page is requested one request at a time (so the latency is the server's own), as anonymous visitors in Kazakh and
Russian. Targets: publish POST < 200 ms, results page p95 < 100 ms. Last line:

    contest_results: p95 <X> ms, p50 <Y> ms, publish POST <P> ms (<N> entries, <J> judges, <V> votes, <db>)
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

LIMIT_MS = 100.0
PUBLISH_LIMIT_MS = 200.0


def seed(database_url: str, entries: int, judges: int, votes: int) -> tuple[int, dict]:
    from sqlalchemy import insert, select

    from civic import db
    from civic.contests import services
    from civic.contests.models import Criterion, Entry, Judge, Recusal, Score, Vote
    from civic.db import utc_now
    from civic.identity.directory import load_reference_data
    from civic.identity.models import AssuranceLevel, StateBody, Territory, User, UserRole
    from civic.identity.permissions import sync_roles

    rng = random.Random(2026)
    app = make_app(database_url, WTF_CSRF_ENABLED=False)  # the organiser's POST comes from a test client
    with app.app_context():
        load_reference_data()
        sync_roles()
        almaty = db.session.scalar(select(Territory).where(Territory.code == "KZ-ALA"))
        districts = db.session.scalars(select(Territory.id).where(Territory.code.like("KZ-ALA-%"))).all()
        body = db.session.scalar(select(StateBody).where(StateBody.code == "KZ-ALA.AKIMAT"))
        now = utc_now()
        organiser = User(
            email="organiser@bench.test",
            password_hash="!",
            display_name="Organiser",
            home_territory=almaty,
            assurance_level=int(AssuranceLevel.IIN_VERIFIED),
            email_verified_at=now,
        )
        db.session.add(organiser)
        db.session.flush()
        db.session.add(UserRole(user_id=organiser.id, role_name="official", state_body=body, territory=almaty))
        t0 = now - timedelta(days=30)
        contest = services.create_contest(
            organiser,
            services.ContestData(
                title="Where should Almaty's courtyard cars park?",
                text="Courtyards are full of cars.",
                rules="",
                territory=almaty,
                category=None,
                body=body,
                reward_kind="grant",
                reward_text="A grant",
                votes_per_voter=3,
                submission_opens_at=t0,
                submission_closes_at=t0 + timedelta(days=10),
                voting_opens_at=t0 + timedelta(days=11),
                voting_closes_at=now - timedelta(days=2),
                results_at=now + timedelta(days=5),
                implementation_at=now + timedelta(days=30),
            ),
        )
        competition = contest.competition
        competition.jury_weight, competition.public_weight, competition.normalise = 0.7, 0.3, "z"
        competition.min_judges, competition.winner_count = 3, 3
        authors = [
            {
                "email": f"author{i}@bench.test",
                "password_hash": "!",
                "display_name": f"Автор {i}",
                "preferred_locale": "kk",
                "home_territory_id": districts[i % len(districts)],
                "email_verified_at": now,
                "assurance_level": int(AssuranceLevel.EMAIL_VERIFIED),
                "notification_mode": "none",
                "session_version": 1,
                "failed_logins": 0,
                "created_at": now,
            }
            for i in range(entries + judges)
        ]
        db.session.execute(insert(User), authors)
        ids = db.session.scalars(select(User.id).where(User.email.like("author%@bench.test")).order_by(User.id)).all()
        author_ids, judge_users = ids[:entries], ids[entries:]
        db.session.execute(
            insert(Entry),
            [
                {
                    "competition_id": competition.id,
                    "author_id": author_ids[i],
                    "title": f"Идея {i + 1}: паркинг во дворе № {rng.randint(1, 999)}",
                    "text": "Описание идеи.",
                    "links": [],
                    "state": "accepted",
                    "created_at": t0,
                    "updated_at": t0,
                }
                for i in range(entries)
            ],
        )
        entry_ids = db.session.scalars(
            select(Entry.id).where(Entry.competition_id == competition.id).order_by(Entry.id)
        ).all()
        db.session.execute(
            insert(Judge),
            [
                {
                    "competition_id": competition.id,
                    "email": f"author{entries + k}@bench.test",
                    "user_id": judge_users[k],
                    "token_hash": f"{k:064x}",
                    "invited_at": t0,
                    "expires_at": now + timedelta(days=30),
                    "accepted_at": t0,
                }
                for k in range(judges)
            ],
        )
        judge_ids = db.session.scalars(select(Judge.id).where(Judge.competition_id == competition.id)).all()
        for position, (name, weight, lo, hi) in enumerate(
            (("Польза", 3, 1, 10), ("Реализуемость", 2, 1, 10), ("Новизна", 1, 0, 5))
        ):
            db.session.add(
                Criterion(
                    competition_id=competition.id,
                    position=position,
                    name=name,
                    weight=weight,
                    scale_min=lo,
                    scale_max=hi,
                )
            )
        db.session.flush()
        services.publish_contest(contest, organiser, now=t0 - timedelta(days=1))  # a jury contest needs its criteria
        criteria = db.session.scalars(select(Criterion).where(Criterion.competition_id == competition.id)).all()
        scores, recusals = [], []
        for j in judge_ids:
            leniency = rng.uniform(-1.5, 1.5)
            for e in entry_ids:
                if rng.random() < 0.01:
                    recusals.append({"judge_id": j, "entry_id": e, "reason": "conflict", "created_at": t0})
                    continue
                quality = (e * 7919 % 100) / 100
                for c in criteria:
                    value = round(c.scale_min + quality * (c.scale_max - c.scale_min) + leniency + rng.gauss(0, 1))
                    scores.append(
                        {
                            "judge_id": j,
                            "entry_id": e,
                            "criterion_id": c.id,
                            "value": float(max(c.scale_min, min(c.scale_max, value))),
                            "updated_at": now,
                        }
                    )
        db.session.execute(insert(Recusal), recusals)
        for start in range(0, len(scores), 50_000):
            db.session.execute(insert(Score), scores[start : start + 50_000])
        voters = votes // 3
        batch = []
        for person in range(voters):
            chosen = rng.sample(range(entries), 3) if entries >= 3 else list(range(entries))
            for slot, index in enumerate(chosen, start=1):
                batch.append(
                    {
                        "competition_id": competition.id,
                        "entry_id": entry_ids[index],
                        "voter_id": None,
                        "voter_iin_hmac": f"{person:064x}",
                        "slot": slot,
                        "territory_id": districts[person % len(districts)],
                        "created_at": now - timedelta(days=3),
                    }
                )
            if len(batch) >= 60_000:
                db.session.execute(insert(Vote), batch)
                batch = []
        if batch:
            db.session.execute(insert(Vote), batch)
        db.session.commit()
        contest_id = contest.id
        timings = publish_through_the_queue(app, contest_id, organiser.id)
    echo(
        f"      publish POST (records the decision, queues the job): {timings['request_ms']:.0f} ms; "
        f"publish_job (score, freeze, publish): {timings['publish_s']:.1f} s; "
        f"notify_job x{timings['batches']} ({timings['told']} authors): {timings['notify_s']:.1f} s"
    )
    app.extensions["civic_engine"].dispose()
    return contest_id, timings


def publish_through_the_queue(app, contest_id: int, organiser_id: int) -> dict:
    """The organiser's publish POST (a signed-in test client, one request), then the jobs it queued, timed apart.

    The jobs are held as a queue would hold them (the hand-over to Redis, one RPUSH, is not in the request time),
    then run one after another as a worker runs them (``jobs.perform``: own transaction, one commit each)."""
    from civic import db
    from civic.core import jobs
    from civic.identity.login import start_session
    from civic.identity.models import User

    held: list[tuple[str, tuple]] = []
    original, on_queue = jobs._dispatch_in_thread, jobs.runs_on_queue
    jobs._dispatch_in_thread = lambda _app, pending: held.extend(pending)
    jobs.runs_on_queue = lambda: True  # notifications in batches, as with a worker
    try:
        with app.test_request_context():
            account = db.session.get(User, organiser_id)
            start_session(account)
            db.session.commit()
            ident = account.get_id()
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = ident, True
        started = time.perf_counter()
        response = client.post(f"/contests/{contest_id}/results/publish")
        request_ms = (time.perf_counter() - started) * 1000
        assert response.status_code == 303, response.status_code
        assert [path for path, _args in held] == ["civic.contests.results:publish_job"], held
        return {"request_ms": request_ms, **_run_jobs(app, held, contest_id)}
    finally:
        jobs._dispatch_in_thread, jobs.runs_on_queue = original, on_queue


def _run_jobs(app, held, contest_id) -> dict:
    from civic import db
    from civic.contests.models import Contest
    from civic.core import jobs

    publish_s = notify_s = 0.0
    told = batches = 0
    while held:
        func_path, args = held.pop(0)
        with app.app_context():
            started = time.perf_counter()
            result = jobs.perform(func_path, *args)
            spent = time.perf_counter() - started
        if func_path.endswith(":publish_job"):
            publish_s += spent
        elif func_path.endswith(":notify_job"):
            notify_s, told, batches = notify_s + spent, told + result, batches + 1
    with app.app_context():
        competition = db.session.get(Contest, contest_id).competition
        assert competition.results_published_at is not None, competition.results_state
    return {"publish_s": publish_s, "notify_s": notify_s, "told": told, "batches": batches}


def fetch(port: int, path: str, language: str) -> float:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Accept-Language": language})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        assert response.status == 200
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--judges", type=int, default=30)
    parser.add_argument("--votes", type=int, default=300_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="200 entries, 10 judges, 30,000 votes, 40 requests")
    args = parser.parse_args()
    if args.quick:
        args.entries, args.judges, args.votes, args.requests = 200, 10, 30_000, 40

    with temporary_database(args.db) as url:
        echo(f"[1/3] {args.db}: migrating a temporary database")
        migrate(url)
        echo(
            f"[2/3] seeding {args.entries:,} ideas, {args.judges} judges, {args.votes:,} votes; publishing the results"
        )
        contest_id, timings = seed(url, args.entries, args.judges, args.votes)
        server = Server("_common:civic_app()", base_env(url), args.workers)
        try:
            server.wait_ready()
            path = f"/contests/{contest_id}/results"
            for language in ("kk", "ru"):  # warm-up: each worker loads the frozen breakdown once
                for _ in range(2 * args.workers):
                    fetch(server.port, path, language)
            echo(f"[3/3] {args.requests} requests of {path}, one at a time (kk and ru alternately)")
            latencies = [fetch(server.port, path, ("kk", "ru")[k % 2]) for k in range(args.requests)]
            csv_ms = fetch(server.port, path + ".csv", "kk")
        finally:
            log = server.stop()
    p95, p50 = percentile(latencies, 95), percentile(latencies, 50)
    echo(f"      CSV (one request): {csv_ms:.0f} ms")
    if "Traceback" in log:
        echo("errors in the gunicorn log:\n" + log[-3000:])
    echo(
        f"contest_results: p95 {p95:.1f} ms, p50 {p50:.1f} ms, publish POST {timings['request_ms']:.0f} ms "
        f"({args.entries} entries, {args.judges} judges, {args.votes} votes, {args.db})"
    )
    fast = p95 < LIMIT_MS and timings["request_ms"] < PUBLISH_LIMIT_MS
    return 0 if fast and "Traceback" not in log else 1


if __name__ == "__main__":
    sys.exit(main())
