"""Voting under a spike: many verified residents vote in ONE idea contest at once through real HTTP requests.

    python bench/vote.py [--db sqlite|postgres] [--seconds S] [--workers W] [--concurrency C] [--floor]

Modelled on ``bench/sign.py``:

1. creates a temporary database (SQLite file, or a fresh PostgreSQL database) and runs ``flask db upgrade``;
2. seeds the directory, one idea contest in its voting phase with 30 accepted ideas (through the real services,
   3 votes per voter), N IIN-verified residents of Almaty (bulk insert), and 200 residents who have already used
   their 3 votes (through ``voting.insert_vote``);
3. gives every resident a session: the cookie is signed with the bench app's own secret, exactly as Flask would
   sign it after a login, with a CSRF token inside (no bench-only route in the application);
4. starts gunicorn (sync workers) and votes with an asyncio client: POST /contests/<id>/entries/<id>/vote with the
   session cookie, the CSRF token and ``Accept: application/json``. Residents vote in chunks of 500: each votes for
   three different ideas, the three votes 500 requests apart; every 50th request repeats an earlier vote (a double
   click, must get 409) and every 40th is a fourth vote by a resident whose votes are all used (must get 409);
5. checks: successful responses == new rows, 0 lost, 0 duplicated (a person twice on one idea), 0 over the limit
   (a person with more than 3 votes, or a fourth vote told "counted");
6. measures, in the same run, with the same workers and client, a bare Flask + SQLAlchemy endpoint doing one INSERT
   into the same database (the ceiling of this stack on this machine), in alternating rounds, and prints the ratio;
7. with ``--floor``, also the vote's own INSERT (session check included) behind a bare endpoint, in the same rounds
   with voters of its own: what the database's rules cost against the ceiling, and the request around them against
   that floor (docs/performance.md).

The application runs with its production rate limit per account (CONTESTS_VOTE_LIMIT, 30 a minute). Each connection
comes from its own loopback address (127.1.x.y), as real voters come from many networks.
"""

from __future__ import annotations

import argparse
import sys
import urllib.request
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import (  # noqa: E402
    Server,
    base_env,
    count_rows,
    create_ceiling_table,
    echo,
    loopback_sources,
    make_app,
    migrate,
    percentile,
    raw_request,
    run_load,
    temporary_database,
)
from sign import DISTRICTS, ceiling_requests, sessions_for  # noqa: E402

IDEAS = 30
VOTES = 3
FULL_VOTERS = 200
CHUNK = 500
REPEAT_EVERY = 50
OVER_EVERY = 40


def seed(database_url: str, residents: int) -> tuple[int, list[int], list[int], list[int]]:
    """One idea contest in its voting phase (through the services), its ideas, voters and full voters. Returns ids."""
    from datetime import timedelta

    from sqlalchemy import insert, select

    from civic import db
    from civic.contests import jury, services, voting
    from civic.db import utc_now
    from civic.identity.directory import load_reference_data
    from civic.identity.models import AssuranceLevel, StateBody, Territory, User, UserRole
    from civic.identity.permissions import sync_roles

    app = make_app(database_url)
    with app.app_context():
        load_reference_data()
        sync_roles()
        territory = {t.code: t for t in db.session.scalars(select(Territory))}
        body = db.session.scalar(select(StateBody).where(StateBody.code == "KZ-ALA.AKIMAT"))
        now = utc_now()

        def person(n: int, home: str, role: str | None = None, scope=None) -> User:
            user = User(
                email=f"staff{n}@bench.test",
                password_hash="!",
                display_name=f"Bench {n}",
                home_territory=territory[home],
                assurance_level=int(AssuranceLevel.IIN_VERIFIED),
                iin_hmac=f"staff-{n:058d}",
                email_verified_at=now,
            )
            db.session.add(user)
            db.session.flush()
            if role:
                db.session.add(UserRole(user_id=user.id, role_name=role, **scope))
                db.session.flush()
            return user

        organiser = person(0, "KZ-ALA", "official", {"state_body": body, "territory": body.territory})
        moderator = person(1, "KZ-ALA", "moderator", {"territory": territory["KZ-ALA"]})
        t0 = now - timedelta(days=10)
        contest = services.create_contest(
            organiser,
            services.ContestData(
                title="Where should Almaty's courtyard cars park?",
                text="Courtyards are full of cars; ambulances cannot pass. Propose a solution.",
                rules="",
                territory=territory["KZ-ALA"],
                category=None,
                body=body,
                reward_kind="grant",
                reward_text="A grant",
                votes_per_voter=VOTES,
                submission_opens_at=t0,
                submission_closes_at=now - timedelta(days=5),
                voting_opens_at=now - timedelta(days=4),
                voting_closes_at=now + timedelta(days=1),
                results_at=now + timedelta(days=2),
                implementation_at=now + timedelta(days=3),
            ),
        )
        jury.add_criterion(contest.competition, organiser, "Benefit", "", 1, 1, 10)  # a jury contest needs one
        services.publish_contest(contest, organiser, now=t0 - timedelta(days=1))
        ideas = []
        for n in range(IDEAS):
            author = person(10 + n, DISTRICTS[n % len(DISTRICTS)])
            entry = services.submit_entry(contest, author, f"Idea {n + 1}", f"Text of idea {n + 1}", [], now=t0)
            services.screen_entry(entry, contest, moderator, True, None, "", now=t0 + timedelta(hours=1))
            ideas.append(entry.id)
        rows = [
            {
                "email": f"resident{i}@bench.test",
                "password_hash": "!",
                "preferred_locale": "kk",
                "home_territory_id": territory[DISTRICTS[i % len(DISTRICTS)]].id,
                "email_verified_at": now,
                "assurance_level": int(AssuranceLevel.IIN_VERIFIED),
                "iin_hmac": f"resident-{i:055d}",
                "notification_mode": "none",
                "session_version": 1,
                "failed_logins": 0,
                "created_at": now,
            }
            for i in range(residents + FULL_VOTERS)
        ]
        db.session.execute(insert(User), rows)
        db.session.commit()
        voters = list(
            db.session.scalars(select(User.id).where(User.email.like("resident%@bench.test")).order_by(User.id))
        )
        full, voters = voters[:FULL_VOTERS], voters[FULL_VOTERS:]
        for k, user_id in enumerate(full):
            for v in range(VOTES):
                assert voting.insert_vote(contest.id, ideas[(k + v) % IDEAS], user_id, 1, now=now)
        db.session.commit()
        contest_id = contest.id
    app.extensions["civic_engine"].dispose()
    return contest_id, ideas, voters, full


def first_votes(voters: list[int], ideas: list[int]):
    """(voter, idea) in the order residents vote: chunks of CHUNK voters, each voting for three ideas, a voter's
    votes CHUNK requests apart."""
    for start in range(0, len(voters), CHUNK):
        for k in range(VOTES):
            for position in range(start, min(start + CHUNK, len(voters))):
                yield voters[position], ideas[(position + (0, 7, 13)[k]) % IDEAS]


def voting_requests(contest_id: int, ideas: list[int], port: int, sessions: dict, voters: list[int], full: list[int]):
    """Residents' votes (``first_votes``); repeats and fourth votes mixed in."""
    state = {"sent": 0, "done": []}
    firsts = first_votes(voters, ideas)

    def request_for(user_id: int, entry_id: int) -> bytes:
        cookie, token = sessions[user_id]
        return raw_request(
            "POST",
            f"/contests/{contest_id}/entries/{entry_id}/vote",
            port,
            {
                "Cookie": f"civic_session={cookie}",
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            f"csrf_token={token}".encode(),
        )

    def next_request():
        state["sent"] += 1
        if state["sent"] % REPEAT_EVERY == 0 and state["done"]:
            user_id, entry_id = state["done"][state["sent"] % len(state["done"])]
            return ("repeat", user_id, entry_id), request_for(user_id, entry_id)
        if state["sent"] % OVER_EVERY == 0:
            k = state["sent"] // OVER_EVERY
            user_id = full[k % len(full)]
            entry_id = ideas[(k % len(full) + VOTES) % IDEAS]  # an idea this voter has not voted for
            return ("over", user_id, entry_id), request_for(user_id, entry_id)
        user_id, entry_id = next(firsts, (None, None))
        if user_id is None:
            return None
        if len(state["done"]) < 5000:
            state["done"].append((user_id, entry_id))
        return ("first", user_id, entry_id), request_for(user_id, entry_id)

    return next_request


def floor_sessions(database_url: str, user_ids: list[int]) -> None:
    """Recorded sign-ins for the floor's voters (``--floor``): the floor's INSERT checks them as a vote does."""
    from sqlalchemy import insert

    from civic import db
    from civic.db import utc_now
    from civic.identity.login import token_hash
    from civic.identity.models import UserSession

    app = make_app(database_url)
    with app.app_context():
        db.session.execute(
            insert(UserSession),
            [{"user_id": u, "token_hash": token_hash(f"floor-{u}"), "last_seen_at": utc_now()} for u in user_ids],
        )
        db.session.commit()
    app.extensions["civic_engine"].dispose()


def floor_requests(contest_id: int, ideas: list[int], port: int, voters: list[int]):
    """The floor's votes: its own voters in the residents' order (``first_votes``), no repeats."""
    firsts = first_votes(voters, ideas)

    def next_request():
        user_id, entry_id = next(firsts, (None, None))
        if user_id is None:
            return None
        body = f"user_id={user_id}&session=floor-{user_id}".encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return user_id, raw_request("POST", f"/vote/{contest_id}/{entry_id}", port, headers, body)

    return next_request


def warm_up(port: int, contest_id: int) -> None:
    for _ in range(40):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/contests/{contest_id}", timeout=30) as response:
            response.read()


def verify(database_url: str, contest_id: int, results, baseline: int) -> dict:
    """Compare what clients were told with what the database holds."""
    statuses = Counter(r.status for r in results)
    unexpected = {s: n for s, n in statuses.items() if s not in (201, 409)}
    told = Counter((r.key[1], r.key[2]) for r in results if r.status == 201)
    competition = "(SELECT competition_id FROM contests WHERE id = :c)"
    rows = count_rows(
        database_url, f"SELECT count(*) FROM contest_votes WHERE competition_id = {competition}", c=contest_id
    )
    distinct = count_rows(
        database_url,
        "SELECT count(*) FROM (SELECT DISTINCT entry_id, voter_iin_hmac FROM contest_votes "
        f"WHERE competition_id = {competition}) pairs",
        c=contest_id,
    )
    over_people = count_rows(
        database_url,
        "SELECT count(*) FROM (SELECT voter_iin_hmac FROM contest_votes "
        f"WHERE competition_id = {competition} GROUP BY voter_iin_hmac HAVING count(*) > {VOTES}) heavy",
        c=contest_id,
    )
    return {
        "statuses": dict(statuses),
        "unexpected": unexpected,
        "successes": sum(told.values()),
        "rows": rows - baseline,
        "lost": max(sum(told.values()) - (rows - baseline), 0),
        "duplicated": (rows - distinct) + sum(n - 1 for n in told.values() if n > 1),
        "over_limit": over_people + sum(1 for r in results if r.key[0] == "over" and r.status == 201),
        # a repeat may overtake the first vote it repeats (both in flight): then the repeat is the one counted
        "firsts_refused": sum(
            1 for r in results if r.key[0] == "first" and r.status != 201 and not told[(r.key[1], r.key[2])]
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=5, help="alternate Civic and the ceiling this many times")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also measure the vote's own INSERT behind a bare endpoint (vote_floor_app), in the same rounds",
    )
    args = parser.parse_args()
    residents = int(args.seconds * 2500 / VOTES) + CHUNK

    with temporary_database(args.db) as url:
        echo(f"[1/6] {args.db}: migrating a temporary database")
        migrate(url)
        echo(f"[2/6] seeding one idea contest in its voting phase, {IDEAS} ideas and {residents:,} verified voters")
        contest_id, ideas, voters, full = seed(url, residents * (2 if args.floor else 1))
        if args.floor:  # the floor's voters are others than Civic's: each has three votes to give
            voters, floor_voters = voters[: len(voters) // 2], voters[len(voters) // 2 :]
            floor_sessions(url, floor_voters)
        sessions = sessions_for(url, voters + full)
        baseline = FULL_VOTERS * VOTES

        echo(
            f"[3/6] gunicorn with {args.workers} sync workers for Civic and for the bare one-INSERT app "
            f"(the ceiling), same client ({args.concurrency} connections), same database; "
            f"{args.rounds} alternating rounds, {args.seconds:g} s each in total"
        )
        env = base_env(url)
        create_ceiling_table(url)
        civic, ceiling = (
            Server("_common:civic_app()", env, args.workers),
            Server("_common:ceiling_app()", env, args.workers),
        )
        floor = Server("_common:vote_floor_app()", env, args.workers) if args.floor else None
        results, bare, elapsed, bare_elapsed, floored, floor_elapsed = [], [], 0.0, 0.0, [], 0.0
        try:
            civic.wait_ready()
            ceiling.wait_ready()
            warm_up(civic.port, contest_id)
            next_vote, next_insert = (
                voting_requests(contest_id, ideas, civic.port, sessions, voters, full),
                ceiling_requests(ceiling.port),
            )
            if floor:
                floor.wait_ready()
                next_floor = floor_requests(contest_id, ideas, floor.port, floor_voters)
            sources = loopback_sources()
            for round_number in range(1, args.rounds + 1):
                part, seconds = run_load(civic.port, next_vote, args.seconds / args.rounds, args.concurrency, sources)
                results += part
                elapsed += seconds
                part, seconds = run_load(
                    ceiling.port, next_insert, args.seconds / args.rounds, args.concurrency, sources
                )
                bare += part
                bare_elapsed += seconds
                if floor:
                    part, seconds = run_load(
                        floor.port, next_floor, args.seconds / args.rounds, args.concurrency, sources
                    )
                    floored += part
                    floor_elapsed += seconds
                echo(
                    f"      round {round_number}/{args.rounds}: {len(results):,} vote requests, {len(bare):,} bare inserts"
                )
        finally:
            log = civic.stop() + ceiling.stop() + (floor.stop() if floor else "")
        floor_votes = sum(1 for r in floored if r.status == 201)  # rows of the same contest, not Civic's
        check = verify(url, contest_id, results, baseline + floor_votes)
        rate = check["successes"] / elapsed
        latencies = [r.seconds * 1000 for r in results]
        bare_rate = sum(1 for r in bare if r.status == 201) / bare_elapsed
        echo(
            f"      Civic: {len(results):,} requests in {elapsed:.1f} s, statuses {check['statuses']}; "
            f"{rate:,.0f} votes/s, p50 {percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms"
        )
        echo(
            f"      ceiling: {bare_rate:,.0f} inserts/s, p95 {percentile([r.seconds * 1000 for r in bare], 95):.1f} ms"
        )
        if floor:
            floor_rate = floor_votes / floor_elapsed
            echo(
                f"      floor (the vote's INSERT alone): {floor_rate:,.0f} votes/s, "
                f"{floor_rate / bare_rate:.2f} of the ceiling; Civic is {rate / floor_rate:.2f} of the floor"
            )
        echo("[4/6] verifying: successful responses == new rows; nobody twice on one idea; nobody above 3 votes")
        echo(
            f"      told counted {check['successes']:,}, new rows {check['rows']:,}; lost {check['lost']}, "
            f"duplicated {check['duplicated']}, over-limit {check['over_limit']}"
        )
        problems = []
        if check["unexpected"] or check["firsts_refused"]:
            problems.append(f"unexpected answers {check['unexpected']}, first votes refused {check['firsts_refused']}")
        if check["successes"] != check["rows"] or check["duplicated"] or check["over_limit"]:
            problems.append("counts disagree")
        if "database is locked" in log or "Traceback" in log:
            problems.append("errors in the gunicorn logs:\n" + log[-3000:])
        echo("[5/6] the ratio compares the two apps measured in alternating rounds (background load cancels out)")

    echo("[6/6] done" + ("" if not problems else " WITH PROBLEMS:\n" + "\n".join(problems)))
    ratio = rate / bare_rate if bare_rate else 0.0
    echo(
        f"vote: {rate:.0f} votes/s, p95 {percentile(latencies, 95):.1f} ms, lost {check['lost']}, "
        f"duplicated {check['duplicated']}, over-limit {check['over_limit']}, ratio {ratio:.2f}"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
