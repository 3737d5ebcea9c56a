"""Signing under a national spike: many verified residents sign ONE petition at once through real HTTP requests.

    python bench/sign.py [--db sqlite|postgres] [--seconds S] [--workers W] [--concurrency C]

1. creates a temporary database (SQLite file, or a fresh PostgreSQL database) and runs ``flask db upgrade``;
2. seeds the directory, one petition opened through the real services, and N IIN-verified residents (bulk insert);
3. gives every resident a session: the cookie is signed with the bench app's own secret, exactly as Flask would
   sign it after a login, with a CSRF token inside. (Logging in N users through /login would only measure argon2,
   and the login rate limit would refuse it; no bench-only route is added to the application);
4. starts gunicorn (sync workers) and signs with an asyncio client: POST /petitions/<id>/sign with the session cookie,
   the CSRF token and ``Accept: application/json`` (what petitions.js sends); every 50th request repeats an earlier
   signer, who must get 409;
5. checks: successful responses == rows == the count the petition page shows, 0 lost, 0 duplicated; then
   ``flask petitions update-counts`` and checks the tally converged to the same number;
6. measures, in the same run, with the same workers and client, a bare Flask + SQLAlchemy endpoint doing one
   INSERT into the same database (the ceiling of this stack on this machine), and prints the ratio. The two are
   measured in alternating rounds, so that load from other processes on the machine affects both alike.

The application runs with its production rate limits: per account (10 signatures a minute) and per IP address
(120 a minute). Each connection comes from its own loopback address (127.1.x.y; all of 127.0.0.0/8 is this
machine), as real signers come from many networks.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import secrets
import subprocess
import sys
import urllib.request
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import (  # noqa: E402
    PYTHON,
    ROOT,
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

DISTRICTS = (
    "KZ-ALA-ALT",
    "KZ-ALA-ALM",
    "KZ-ALA-AUE",
    "KZ-ALA-BOS",
    "KZ-ALA-ZHE",
    "KZ-ALA-MED",
    "KZ-ALA-NAU",
    "KZ-ALA-TUR",
)
USER_AGENT = "civic-bench"
REPEAT_EVERY = 50


def seed(database_url: str, residents: int) -> tuple[int, list[int]]:
    """One open city-wide petition (through the services) and ``residents`` verified signers. Returns ids."""
    from sqlalchemy import insert, select

    from civic import db
    from civic.db import utc_now
    from civic.identity.directory import load_reference_data
    from civic.identity.models import AssuranceLevel, Category, Territory, User, UserRole
    from civic.identity.permissions import sync_roles
    from civic.petitions import moderation, services

    app = make_app(database_url)
    with app.app_context():
        load_reference_data()
        sync_roles()
        territory = {t.code: t for t in db.session.scalars(select(Territory))}
        now = utc_now()

        def person(n: int, home: str) -> User:
            user = User(
                email=f"staff{n}@bench.test",
                password_hash="!",
                display_name=f"Bench {n}",
                home_territory=territory[home],
                assurance_level=int(AssuranceLevel.IIN_VERIFIED),
                email_verified_at=now,
            )
            db.session.add(user)
            db.session.flush()
            return user

        author, moderator = person(0, "KZ-ALA-ALM"), person(1, "KZ-ALA")
        db.session.add(UserRole(user_id=moderator.id, role_name="moderator", territory=territory["KZ-ALA"]))
        category = db.session.scalar(select(Category).where(Category.code == "ecology"))
        petition = services.create_draft(
            author,
            "Stop burning coal in Almaty's private housing this winter",
            "Smog covers the city every winter; connect private houses to gas.",
            territory["KZ-ALA"],
            category,
        )
        services.submit_for_supporters(petition, author)
        for n in range(5):
            services.support(petition, person(2 + n, DISTRICTS[n]))
        moderation.approve(petition, moderator)
        rows = [
            {
                "email": f"resident{i}@bench.test",
                "password_hash": "!",
                "preferred_locale": "kk",
                "home_territory_id": territory[DISTRICTS[i % len(DISTRICTS)]].id,
                "email_verified_at": now,
                "assurance_level": int(AssuranceLevel.IIN_VERIFIED),
                "notification_mode": "none",
                "session_version": 1,
                "failed_logins": 0,
                "created_at": now,
                # one person, one signature: the signing INSERT keeps the IIN fingerprint (any unique value here)
                "iin_hmac": hashlib.sha256(f"bench-resident-{i}".encode()).hexdigest(),
            }
            for i in range(residents)
        ]
        db.session.execute(insert(User), rows)
        db.session.commit()
        signers = list(
            db.session.scalars(select(User.id).where(User.email.like("resident%@bench.test")).order_by(User.id))
        )
        petition_id = petition.id
    app.extensions["civic_engine"].dispose()
    return petition_id, signers


def sessions_for(database_url: str, user_ids: list[int]) -> dict[int, tuple[str, str]]:
    """(session cookie, CSRF token) per user, signed with the app's own serializers as a login would produce."""
    from flask_login.utils import _create_identifier
    from itsdangerous import URLSafeTimedSerializer
    from sqlalchemy import insert

    from civic import db
    from civic.db import utc_now
    from civic.identity.login import token_hash
    from civic.identity.models import UserSession

    app = make_app(database_url)
    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT}):
        identifier = _create_identifier()
    cookies = app.session_interface.get_signing_serializer(app)
    tokens = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    minted, records = {}, []
    for user_id in user_ids:
        raw = secrets.token_hex(20)
        session_token = secrets.token_urlsafe(32)  # a server-side session record, as a sign-in writes
        records.append({"user_id": user_id, "token_hash": token_hash(session_token), "last_seen_at": utc_now()})
        ident = f"{user_id}:1:{session_token}"
        cookie = cookies.dumps({"_user_id": ident, "_fresh": True, "_id": identifier, "csrf_token": raw})
        minted[user_id] = (cookie, tokens.dumps(raw))
    with app.app_context():
        db.session.execute(insert(UserSession), records)
        db.session.commit()
    app.extensions["civic_engine"].dispose()
    return minted


def signing_requests(petition_id: int, port: int, sessions: dict, cookie_name: str = "civic_session"):
    """Each resident once, in order; every REPEAT_EVERY-th request repeats an earlier resident (a double click)."""
    order = list(sessions)
    state = {"next": 0, "sent": 0}

    def request_for(user_id: int) -> bytes:
        cookie, token = sessions[user_id]
        body = f"csrf_token={token}&notify=y".encode()
        return raw_request(
            "POST",
            f"/petitions/{petition_id}/sign",
            port,
            {
                "Cookie": f"{cookie_name}={cookie}",
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            body,
        )

    def next_request():
        state["sent"] += 1
        if state["sent"] % REPEAT_EVERY == 0 and state["next"] > 0:
            user_id = order[state["sent"] % state["next"]]
            return ("repeat", user_id), request_for(user_id)
        if state["next"] >= len(order):
            return None
        user_id = order[state["next"]]
        state["next"] += 1
        return ("first", user_id), request_for(user_id)

    return next_request


def ceiling_requests(port: int, first_id: int = 1):
    state = {"next": first_id}

    def next_request():
        user_id = state["next"]
        state["next"] += 1
        body = f"user_id={user_id}".encode()
        return user_id, raw_request(
            "POST", "/insert", port, {"Content-Type": "application/x-www-form-urlencoded"}, body
        )

    return next_request


def page_count(port: int, petition_id: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/petitions/{petition_id}", timeout=30) as response:
        html = response.read().decode()
    return int(re.search(r'data-signature-count="(\d+)"', html).group(1))


def warm_up(port: int, petition_id: int) -> None:
    for _ in range(40):
        page_count(port, petition_id)


def verify(database_url: str, petition_id: int, results, baseline: int) -> dict:
    """Compare what clients were told with what the database holds."""
    statuses = Counter(r.status for r in results)
    unexpected = {s: n for s, n in statuses.items() if s not in (201, 409)}
    told_signed = Counter(r.key[1] for r in results if r.status == 201)
    rows = count_rows(database_url, "SELECT count(*) FROM petition_signatures WHERE petition_id = :p", p=petition_id)
    distinct = count_rows(
        database_url, "SELECT count(DISTINCT user_id) FROM petition_signatures WHERE petition_id = :p", p=petition_id
    )
    # a repeat may overtake the first signature it repeats (both in flight): then the repeat is the one counted
    firsts_refused = sum(1 for r in results if r.key[0] == "first" and r.status != 201 and not told_signed[r.key[1]])
    return {
        "statuses": dict(statuses),
        "unexpected": unexpected,
        "successes": sum(told_signed.values()),
        "rows": rows - baseline,
        "lost": max(sum(told_signed.values()) - (rows - baseline), 0),
        "duplicated": (rows - distinct) + sum(n - 1 for n in told_signed.values() if n > 1),
        "firsts_refused": firsts_refused,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=5, help="alternate Civic and the ceiling this many times")
    args = parser.parse_args()
    residents = int(args.seconds * 2500) + 2000

    with temporary_database(args.db) as url:
        echo(f"[1/6] {args.db}: migrating a temporary database")
        migrate(url)
        echo(f"[2/6] seeding one open petition and {residents:,} verified residents")
        petition_id, signers = seed(url, residents)
        sessions = sessions_for(url, signers)
        baseline = count_rows(url, "SELECT count(*) FROM petition_signatures WHERE petition_id = :p", p=petition_id)

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
        results, bare, elapsed, bare_elapsed = [], [], 0.0, 0.0
        try:
            civic.wait_ready()
            ceiling.wait_ready()
            warm_up(civic.port, petition_id)
            next_signature, next_insert = (
                signing_requests(petition_id, civic.port, sessions),
                ceiling_requests(ceiling.port),
            )
            sources = loopback_sources()
            for round_number in range(1, args.rounds + 1):
                part, seconds = run_load(
                    civic.port, next_signature, args.seconds / args.rounds, args.concurrency, sources
                )
                results += part
                elapsed += seconds
                part, seconds = run_load(
                    ceiling.port, next_insert, args.seconds / args.rounds, args.concurrency, sources
                )
                bare += part
                bare_elapsed += seconds
                echo(
                    f"      round {round_number}/{args.rounds}: {len(results):,} signing requests, "
                    f"{len(bare):,} bare inserts so far"
                )
            shown = page_count(civic.port, petition_id)
        finally:
            log = civic.stop() + ceiling.stop()
        check = verify(url, petition_id, results, baseline)
        rate = check["successes"] / elapsed
        latencies = [r.seconds * 1000 for r in results]
        bare_rate = sum(1 for r in bare if r.status == 201) / bare_elapsed
        echo(
            f"      Civic: {len(results):,} requests in {elapsed:.1f} s, statuses {check['statuses']}; "
            f"{rate:,.0f} signatures/s, p50 {percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms"
        )
        echo(
            f"      ceiling: {bare_rate:,.0f} inserts/s, p95 {percentile([r.seconds * 1000 for r in bare], 95):.1f} ms"
        )

        echo("[4/6] verifying: successful responses == rows == the count the page shows")
        subprocess.run(
            [PYTHON, "-m", "flask", "--app", "wsgi", "petitions", "update-counts"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        tallied = count_rows(url, "SELECT signature_count FROM petitions WHERE id = :p", p=petition_id)
        echo(
            f"      told signed {check['successes']:,}, rows {check['rows']:,}, page shows {shown - baseline:,} "
            f"(+{baseline} supporters), tally after update-counts {tallied - baseline:,}; "
            f"lost {check['lost']}, duplicated {check['duplicated']}"
        )
        problems = []
        if check["unexpected"] or check["firsts_refused"]:
            problems.append(
                f"unexpected answers {check['unexpected']}, first signatures refused {check['firsts_refused']}"
            )
        if not (check["successes"] == check["rows"] == shown - baseline == tallied - baseline):
            problems.append("counts disagree")
        if "database is locked" in log or "Traceback" in log:
            problems.append("errors in the gunicorn logs:\n" + log[-3000:])
        echo("[5/6] the ratio compares the two apps measured in alternating rounds (background load cancels out)")

    echo("[6/6] done" + ("" if not problems else " WITH PROBLEMS:\n" + "\n".join(problems)))
    ratio = rate / bare_rate if bare_rate else 0.0
    echo(
        f"sign: {rate:.0f} signatures/s, p95 {percentile(latencies, 95):.1f} ms, lost {check['lost']}, "
        f"duplicated {check['duplicated']}, ratio {ratio:.2f}"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
