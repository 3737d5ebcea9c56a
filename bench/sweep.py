"""Benchmark of the bureau's deadline sweep and the consultant's queue page at scale.

Builds N cases (default 1,000,000, 20% open) with set-based INSERT ... SELECT statements (a recursive CTE on SQLite,
generate_series on PostgreSQL) in a throw-away database migrated with Alembic, then measures:

1. the backlog: ``sweep_full`` over referrals whose status was never computed (as after a long cron outage),
   in id-range chunks, reporting the total time and the longest chunk (= the longest write lock);
2. the incremental sweep, as cron runs it: every 10 minutes over one simulated day (144 runs), p95 and max;
3. the consultant's queue page through the Flask test client (session cookie, real templates), p95 over
   repeated requests, and the number of SQL statements per request (constant whatever the page holds).

Usage: python bench/sweep.py [--cases 1000000] [--db sqlite|postgres] [--chunk 20000]
The last line is: ``sweep: incremental p95 <X> ms, backlog <Y> s, queue p95 <Z> ms``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 100_000
SEVEN = ("debts", "consumer", "benefits", "housing", "legal", "employment", "migration")
ALMATY = (
    "KZ-ALA-ALT",
    "KZ-ALA-ALM",
    "KZ-ALA-AUE",
    "KZ-ALA-BOS",
    "KZ-ALA-ZHE",
    "KZ-ALA-MED",
    "KZ-ALA-NAU",
    "KZ-ALA-TUR",
)
EAST = (
    "KZ-VOS-OSK",
    "KZ-VOS-RID",
    "KZ-VOS-GLU",
    "KZ-VOS-ULA",
    "KZ-VOS-SHE",
    "KZ-VOS-ALT",
    "KZ-VOS-KAT",
    "KZ-VOS-KUR",
    "KZ-VOS-ZAI",
    "KZ-VOS-TAR",
    "KZ-VOS-GLU-BOB",
    "KZ-VOS-ULA-BOZ",
)
BODIES = ("KZ-ALA.AKIMAT", "KZ-ALA.HOUSING", "KZ-ALA.EMPLOYMENT", "KZ-VOS.AKIMAT", "KZ-VOS.ENERGY", "KZ-VOS.EMPLOYMENT")
CONSULTANTS_PER_CITY = 100
#: Open cases: state by (n // 5) % 20 -> 2 new, 1 triaged, 2 assigned, 5 in progress, 2 waiting, 8 referred.
OPEN_STATES = (
    ["new"] * 2 + ["triaged"] + ["assigned"] * 2 + ["in_progress"] * 5 + ["awaiting_client"] * 2 + ["referred"] * 8
)


def echo(message: str) -> None:
    print(message, flush=True)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94] if len(values) > 1 else values[0]


@contextmanager
def temporary_database(kind: str, pg_url: str, keep: bool = False):
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="civic-bureau-bench-")
        try:
            yield f"sqlite:///{folder}/bench.sqlite3", folder
        finally:
            if keep:
                echo(f"kept {folder}/bench.sqlite3")
            else:
                shutil.rmtree(folder, ignore_errors=True)
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = make_url(pg_url).set(drivername="postgresql+psycopg")
    name = f"civic_bureau_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    folder = tempfile.mkdtemp(prefix="civic-bureau-bench-")
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False), folder
    finally:
        from civic import db

        db.session.remove()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def build_app(url: str, folder: str):
    from alembic import command

    from civic import create_app
    from civic.cli import alembic_config

    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "IIN_HMAC_KEY": "bench",
            "SECURE_COOKIES": False,
            "RATELIMIT_ENABLED": False,
            "MAIL_SERVER": None,
            "MAIL_OUTBOX": f"{folder}/outbox",
            "PUBLIC_BASE_URL": "http://localhost",
            "BUREAU_UPLOAD_DIR": f"{folder}/uploads",
        }
    )
    with app.app_context():
        cfg = alembic_config()
        cfg.attributes["skip_logging"] = True
        command.upgrade(cfg, "head")
    return app


class Sql:
    """The few expressions that differ between SQLite and PostgreSQL, rendering timestamps in storage format."""

    def __init__(self, dialect: str, base: datetime):
        self.pg = dialect == "postgresql"
        self.base = base.strftime("%Y-%m-%d %H:%M:%S")

    def numbers(self, first: int, last: int) -> tuple[str, str]:
        if self.pg:
            return "", f"generate_series({first}, {last}) AS seq(n)"
        return f"WITH RECURSIVE seq(n) AS (SELECT {first} UNION ALL SELECT n + 1 FROM seq WHERE n < {last}) ", "seq"

    def minutes_ago(self, expr: str) -> str:
        if self.pg:
            return f"(TIMESTAMPTZ '{self.base}+00' - ({expr}) * INTERVAL '1 minute')"
        return f"(strftime('%Y-%m-%d %H:%M:%S', '{self.base}', '-' || ({expr}) || ' minutes') || '.000000')"

    def plus_minutes(self, column: str, minutes: int) -> str:
        if self.pg:
            return f"({column} + INTERVAL '{minutes} minutes')"
        return f"(strftime('%Y-%m-%d %H:%M:%S', {column}, '+{minutes} minutes') || '.000000')"

    def due(self, column: str, days: int = 15) -> str:
        """End of the local (UTC+5) day ``days`` after the referral: the engine's rule without holidays."""
        if self.pg:
            return (
                f"(((({column}) AT TIME ZONE 'Asia/Almaty')::date + {days})::timestamp "
                f"+ TIME '23:59:59.999999') AT TIME ZONE 'Asia/Almaty'"
            )
        return f"(date({column}, '+5 hours', '+{days} days') || ' 18:59:59.999999')"


def case_when(expr: str, values: list) -> str:
    branches = " ".join(f"WHEN {i} THEN {v}" for i, v in enumerate(values))
    return f"(CASE {expr} {branches} END)"


def quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def seed_people(app):
    """Reference data, role grants, 200 consultants, one official per body plus each body's head."""
    from sqlalchemy import select

    from civic import db
    from civic.identity.directory import load_reference_data
    from civic.identity.models import Category, StateBody, Territory, User, UserRole
    from civic.identity.permissions import sync_roles

    with app.app_context():
        load_reference_data()
        sync_roles()
        territories = {t.code: t for t in db.session.scalars(select(Territory))}
        bodies = {b.code: b for b in db.session.scalars(select(StateBody))}
        people = {"ALA": [], "VOS": []}
        for city in people:
            for i in range(CONSULTANTS_PER_CITY):
                user = User(
                    email=f"consultant{i}.{city.lower()}@bench.test",
                    password_hash="!",
                    display_name=f"C{i}",
                    notification_mode="digest",
                )
                db.session.add(user)
                db.session.flush()
                db.session.add(
                    UserRole(user_id=user.id, role_name="bureau_consultant", territory=territories[f"KZ-{city}"])
                )
                people[city].append(user.id)
        for code in BODIES:
            for role in ("official", "head"):
                user = User(email=f"{role}.{code.lower()}@bench.test", password_hash="!", notification_mode="digest")
                db.session.add(user)
                db.session.flush()
                db.session.add(
                    UserRole(
                        user_id=user.id, role_name="official", state_body=bodies[code], territory=bodies[code].territory
                    )
                )
                if role == "head":
                    bodies[code].head_user_id = user.id
        db.session.commit()
        return {
            "territories": [territories[c].id for c in (*ALMATY, *EAST)],
            "categories": [db.session.scalar(select(Category.id).where(Category.code == c)) for c in SEVEN],
            "consultants": people,
            "bodies": {c: bodies[c].id for c in BODIES},
        }


def insert_cases(app, ids: dict, total: int, sql: Sql) -> None:
    """N cases in batches; every 5th is open. Open cases were opened 25-60 days ago, closed ones up to 3 years."""
    from sqlalchemy import text

    from civic import db

    territory = case_when("n % 20", ids["territories"])
    almaty = "(n % 20 < 8)"
    consultant = (
        f"(CASE WHEN {almaty} THEN {case_when(f'(n / 20) % {CONSULTANTS_PER_CITY}', ids['consultants']['ALA'])}"
        f" ELSE {case_when(f'(n / 20) % {CONSULTANTS_PER_CITY}', ids['consultants']['VOS'])} END)"
    )
    open_state = case_when("(n / 5) % 20", [quote(s) for s in OPEN_STATES])
    state = f"(CASE WHEN n % 5 = 0 THEN {open_state} WHEN n % 50 = 1 THEN 'resolved' ELSE 'closed' END)"
    created = (
        f"(CASE WHEN n % 5 = 0 THEN {sql.minutes_ago('36000 + (n * 7) % 50400')} "
        f"ELSE {sql.minutes_ago('86400 + (n * 13) % 1440000')} END)"
    )
    columns = (
        "id, preferred_language, contact_channel, channel, category_id, territory_id, description, urgent, "
        "state, consultant_id, created_at, state_changed_at, resolved_at, closed_at, outcome, reopen_count, "
        "consent_data_at, consent_referral_at, consent_follow_up_at"
    )
    with app.app_context():
        for first in range(1, total + 1, BATCH):
            last = min(first + BATCH - 1, total)
            prefix, source = sql.numbers(first, last)
            db.session.execute(
                text(
                    f"INSERT INTO bureau_cases ({columns}) {prefix}"
                    f"SELECT n, CASE WHEN n % 3 = 0 THEN 'ru' ELSE 'kk' END, 'in_app', "
                    f"{case_when('n % 5', [quote(c) for c in ('online', 'walk_in', 'phone', 'outreach', 'messenger')])}, "
                    f"{case_when('n % 7', ids['categories'])}, {territory}, 'Bench case', n % 97 = 0, st, "
                    f"CASE WHEN st IN ('new', 'triaged') THEN NULL ELSE {consultant} END, cr, cr, "
                    f"CASE WHEN st IN ('resolved', 'closed') THEN cr END, CASE WHEN st = 'closed' THEN cr END, "
                    f"CASE WHEN st IN ('resolved', 'closed') THEN 'advice_given' END, 0, cr, cr, cr "
                    f"FROM (SELECT n, {state} AS st, {created} AS cr FROM {source}) AS generated"
                )
            )
            db.session.commit()
            echo(f"  cases: {last:,}/{total:,}")


def insert_referrals(app, ids: dict, total: int, sql: Sql) -> None:
    """Referrals: every referred case and half of the waiting ones (clock stopped) are open; half of the finished
    cases had an accepted referral. Open referrals were sent 0-25 days ago; their status is not computed yet."""
    from sqlalchemy import text

    from civic import db

    almaty = ", ".join(map(str, ids["territories"][:8]))
    body = (
        f"(CASE WHEN c.territory_id IN ({almaty}) THEN "
        f"{case_when('c.category_id % 3', [ids['bodies'][b] for b in BODIES[:3]])} "
        f"ELSE {case_when('c.category_id % 3', [ids['bodies'][b] for b in BODIES[3:]])} END)"
    )
    finished = "c.state IN ('resolved', 'closed')"
    at = (
        f"(CASE WHEN {finished} THEN {sql.plus_minutes('c.created_at', 2880)} "
        f"ELSE {sql.minutes_ago('(c.id * 37) % 36000')} END)"
    )
    columns = (
        "case_id, body_id, state, summary, referred_at, due_at, extended, sla_state, notify_pending, "
        "answered_at, accepted_at, answered_late, evasive_count"
    )
    false = "false" if sql.pg else "0"
    with app.app_context():
        for first in range(1, total + 1, BATCH):
            last = min(first + BATCH - 1, total)
            db.session.execute(
                text(
                    f"INSERT INTO bureau_referrals ({columns}) "
                    f"SELECT r.id, r.body_id, CASE WHEN r.finished THEN 'accepted' ELSE 'sent' END, 'Bench appeal', r.at, "
                    f"CASE WHEN r.state = 'awaiting_client' THEN NULL ELSE {sql.due('r.at')} END, {false}, "
                    f"CASE WHEN r.state = 'awaiting_client' THEN 'paused' WHEN r.finished THEN 'closed' "
                    f"ELSE 'on_time' END, 0, CASE WHEN r.finished THEN r.at END, CASE WHEN r.finished THEN r.at END, "
                    f"CASE WHEN r.finished THEN r.id % 10 = 0 END, 0 "
                    f"FROM (SELECT c.id, c.state, {body} AS body_id, {finished} AS finished, {at} AS at "
                    f"FROM bureau_cases c WHERE c.id BETWEEN {first} AND {last} AND (c.state = 'referred' "
                    f"OR (c.state = 'awaiting_client' AND c.id % 2 = 0) OR ({finished} AND c.id % 2 = 0))) AS r"
                )
            )
            db.session.commit()
            echo(f"  referrals for cases: {last:,}/{total:,}")
        db.session.execute(text("ANALYZE" if not sql.pg else "ANALYZE bureau_cases"))
        if sql.pg:
            db.session.execute(text("ANALYZE bureau_referrals"))
        db.session.commit()


def measure_backlog(app, now: datetime, chunk: int) -> tuple[float, float, object]:
    from civic import db
    from civic.bureau.services import sweep

    with app.test_request_context():
        began = time.perf_counter()
        result = sweep.sweep_full(db.transaction, now=now, chunk_size=chunk)
        elapsed = time.perf_counter() - began
    return elapsed, result.max_chunk_ms, result


def measure_incremental(app, start: datetime, runs: int = 144, step: timedelta = timedelta(minutes=10)):
    """Cron every 10 minutes over one simulated day (``flask bureau sweep``: bounded transactions until done)."""
    from civic import db
    from civic.bureau.services import sweep

    timings, longest, changed = [], 0.0, 0
    with app.test_request_context():
        for i in range(runs):
            now = start + step * (i + 1)
            began = time.perf_counter()
            result = sweep.sweep_batches(db.transaction, now=now)
            timings.append((time.perf_counter() - began) * 1000)
            longest, changed = max(longest, result.max_chunk_ms), changed + result.changed
    return timings, longest, changed


def measure_queue(app, consultant_id: int, requests: int = 60):
    """GET /bureau/queue as a consultant through the test client; p95 and SQL statements per request."""
    from sqlalchemy import event

    from civic import db
    from civic.identity.login import start_session
    from civic.identity.models import User

    with app.test_request_context():
        consultant = db.session.get(User, consultant_id)
        start_session(consultant)  # a server-side session record, as a sign-in writes
        db.session.commit()
        ident = consultant.get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = ident, True
    engine = app.extensions["civic_engine"]
    statements: list[int] = []
    event.listen(engine, "before_cursor_execute", lambda *_a: statements.append(1))
    counts, timings = {}, {}
    for view in ("mine", "intake"):
        series = []
        for _ in range(requests):
            statements.clear()
            began = time.perf_counter()
            response = client.get(f"/bureau/queue?view={view}")
            series.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.status_code
            counts.setdefault(view, set()).add(len(statements))
        timings[view] = series[5:]  # the first requests warm the caches
    return timings, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--pg-url", default=os.environ.get("CIVIC_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--chunk", type=int, default=5_000, help="referral ids per backlog chunk")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file for inspection")
    args = parser.parse_args()
    now = datetime.now(UTC).replace(microsecond=0)
    with temporary_database(args.db, args.pg_url, args.keep) as (url, folder):
        echo(f"bureau sweep benchmark: {args.cases:,} cases on {args.db}")
        began = time.perf_counter()
        app = build_app(url, folder)
        ids = seed_people(app)
        sql = Sql("postgresql" if args.db == "postgres" else "sqlite", now)
        insert_cases(app, ids, args.cases, sql)
        insert_referrals(app, ids, args.cases, sql)
        echo(f"  built in {time.perf_counter() - began:.1f} s; " + describe(app))

        backlog, longest, result = measure_backlog(app, now, args.chunk)
        echo(
            f"backlog: {backlog:.2f} s in {result.chunks} chunks + notice delivery, transactions p95 "
            f"{p95(result.chunk_ms):.1f} ms, longest (write lock) {longest:.1f} ms; "
            f"{result.changed:,} statuses changed, {result.overdue:,} overdue and {result.due_soon:,} due soon "
            f"announced, {result.notifications} notifications"
        )

        timings, longest, changed = measure_incremental(app, now)
        echo(
            f"incremental: {len(timings)} runs (every 10 min over a day), p50 {statistics.median(timings):.1f} ms, "
            f"p95 {p95(timings):.1f} ms, max {max(timings):.1f} ms (longest transaction {longest:.1f} ms); "
            f"{changed:,} statuses changed"
        )

        queue, counts = measure_queue(app, ids["consultants"]["ALA"][0])
        for view, series in queue.items():
            echo(
                f"queue ({view}): p50 {statistics.median(series):.1f} ms, p95 {p95(series):.1f} ms, "
                f"SQL statements per request {sorted(counts[view])}"
            )
        echo(
            f"sweep: incremental p95 {p95(timings):.1f} ms, backlog {backlog:.2f} s, "
            f"queue p95 {p95(queue['mine']):.1f} ms"
        )


def describe(app) -> str:
    from sqlalchemy import func, select

    from civic import db
    from civic.bureau.models import Case, Referral
    from civic.bureau.models.enums import OPEN_STATES

    with app.app_context():
        cases = db.session.scalar(select(func.count()).select_from(Case))
        open_cases = db.session.scalar(select(func.count()).select_from(Case).where(Case.state.in_(OPEN_STATES)))
        referrals = db.session.scalar(select(func.count()).select_from(Referral))
        running = db.session.scalar(select(func.count()).select_from(Referral).where(Referral.state == "sent"))
    return (
        f"{cases:,} cases ({open_cases / cases:.0%} open), {referrals:,} referrals ({running:,} with a running clock)"
    )


if __name__ == "__main__":
    main()
