"""Dashboard speed with national-size data: the oblast dashboard after a refresh, and the refresh itself.

    python bench/dashboards.py [--db sqlite|postgres] [--scale 1.0 | --quick] [--requests R]

Builds a temporary database (``flask db upgrade``, the real directory), bulk-loads at ``--scale 1``: 1,000,000
bureau cases over three years in every territory, 300,000 of them referred to a state body (answered on time,
late, or overdue), and 10,000 petitions with thresholds reached and answers (their 1 M signatures do not enter any
figure: petitions count, signatures do not); then times ``refresh`` (every module's measures, rolled up the
territory tree: target < 30 s) and requests the East Kazakhstan oblast dashboard (three trend periods) ``R``
times through the app in-process (target p95 < 150 ms). Councils' recommendations and initiatives' indicator values
are not in this tree yet; their measures add rows to the same grouped statements. The last line is exactly:

    dashboards: oblast p95 <X> ms, refresh <S> s
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import echo, make_app, migrate, percentile, temporary_database  # noqa: E402

CHUNK = 20_000


def _chunks(rows_iter, size=CHUNK):
    chunk = []
    for row in rows_iter:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def load(app, cases: int, referred: int, petitions: int, now: datetime) -> None:
    from sqlalchemy import insert, select

    from civic import db
    from civic.bureau.models import Case, Referral
    from civic.identity import directory
    from civic.identity.models import Category, StateBody, Territory
    from civic.petitions.models import Petition

    rng = random.Random(12)
    with app.app_context():
        directory.load_reference_data()
        db.session.commit()
        territories = db.session.scalars(select(Territory.id)).all()
        categories = db.session.scalars(select(Category.id)).all()
        bodies = db.session.scalars(select(StateBody.id)).all()
        span = 3 * 365 * 86400

        def when():
            return now - timedelta(seconds=rng.randrange(span))

        def case_rows():
            for _ in range(cases):
                created = when()
                yield {
                    "contact_channel": "email",
                    "channel": "online",
                    "category_id": rng.choice(categories),
                    "territory_id": rng.choice(territories),
                    "created_at": created,
                    "state_changed_at": created,
                    "state": "closed",
                    "description": "",
                    "urgent": False,
                    "preferred_language": "kk",
                    "reopen_count": 0,
                }

        for chunk in _chunks(case_rows()):
            db.session.execute(insert(Case), chunk)
        db.session.commit()
        first_case = db.session.scalar(select(Case.id).order_by(Case.id).limit(1))

        def referral_rows():
            for k in range(referred):
                referred_at = when()
                due = referred_at + timedelta(days=15)
                roll = rng.random()
                answered = referred_at + timedelta(days=rng.uniform(1, 25)) if roll < 0.9 else None
                state = "accepted" if answered else "sent"
                if answered is None and due > now:
                    state = "sent"
                yield {
                    "case_id": first_case + k * max(1, cases // max(referred, 1)),
                    "body_id": rng.choice(bodies),
                    "summary": "",
                    "state": state,
                    "referred_at": referred_at,
                    "due_at": due,
                    "answered_at": answered,
                    "answered_late": None if answered is None else answered > due,
                    "extended": False,
                    "sla_state": "answered" if answered else "overdue",
                    "notify_pending": 0,
                    "evasive_count": 0,
                }

        for chunk in _chunks(referral_rows()):
            db.session.execute(insert(Referral), chunk)
        db.session.commit()

        def petition_rows():
            for k in range(petitions):
                opened = when()
                reached = opened + timedelta(days=rng.uniform(1, 30)) if rng.random() < 0.4 else None
                due = reached + timedelta(days=15) if reached else None
                responded = reached + timedelta(days=rng.uniform(1, 25)) if reached and rng.random() < 0.8 else None
                yield {
                    "title": f"Petition {k}",
                    "text": "Text",
                    "language": "kk",
                    "search_text": "",
                    "territory_id": rng.choice(territories),
                    "category_id": rng.choice(categories),
                    "state_body_id": rng.choice(bodies),
                    "supporter_token": f"bench-{k}",
                    "state": "closed",
                    "created_at": opened,
                    "updated_at": opened,
                    "opened_at": opened,
                    "response_threshold_reached_at": reached,
                    "response_due_at": due,
                    "responded_at": responded,
                    "signature_count": 100,
                    "response_notified_upto": 0,
                }

        for chunk in _chunks(petition_rows()):
            db.session.execute(insert(Petition), chunk)
        db.session.commit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 1 M cases, 300,000 referrals, 10,000 petitions")
    parser.add_argument("--quick", action="store_true", help="the same as --scale 0.01")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    scale = 0.01 if args.quick else args.scale
    cases, referred, petitions = int(1_000_000 * scale), int(300_000 * scale), int(10_000 * scale)
    now = datetime.now(UTC)
    with temporary_database(args.db) as url:
        echo(f"[1/3] {args.db}: {cases:,} cases, {referred:,} referrals, {petitions:,} petitions")
        migrate(url)
        app = make_app(url, RATELIMIT_ENABLED=False)
        started = time.perf_counter()
        load(app, cases, referred, petitions, now)
        echo(f"      loaded in {time.perf_counter() - started:.0f} s")

        from sqlalchemy import select

        from civic import db
        from civic.dashboards import refresh
        from civic.identity.models import User
        from civic.identity.permissions import sync_roles

        with app.app_context():
            sync_roles()
            admin = User(
                email="bench-admin@example.test", password_hash="x", display_name="Bench", preferred_locale="ru"
            )
            db.session.add(admin)
            db.session.flush()
            from civic.identity.models import UserRole

            db.session.add(UserRole(user_id=admin.id, role_name="admin"))
            from civic.identity.login import start_session

            with app.test_request_context():
                start_session(admin)  # a server-side session record, as a sign-in writes
            db.session.commit()
            admin_login = admin.get_id()
            echo("[2/3] refreshing the summaries")
            started = time.perf_counter()
            with db.transaction():
                log = refresh.refresh()
            seconds = time.perf_counter() - started
            echo(f"      {log.figures:,} figures in {seconds:.1f} s; failed: {log.failed or 'none'}")
            assert db.session.scalar(select(User.id).where(User.id == admin.id))
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = admin_login
            session["_fresh"] = True
        paths = [f"/dashboards/?t=KZ-VOS&period={p}" for p in ("week", "month", "quarter")]
        for path in paths:
            response = client.get(path)
            if response.status_code != 200:
                echo(f"GET {path}: {response.status_code}")
                return 1
        echo(f"[3/3] requesting the oblast dashboard {args.requests} times")
        timings = []
        for i in range(args.requests):
            started = time.perf_counter()
            response = client.get(paths[i % len(paths)])
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        home = []  # the home page on the same machine at the same time, for scale
        for _i in range(min(args.requests, 50)):
            started = time.perf_counter()
            client.get("/")
            home.append((time.perf_counter() - started) * 1000)
        app.extensions["civic_engine"].dispose()
    p95 = percentile(timings, 95)
    echo(f"      p50 {percentile(timings, 50):.1f} ms, p95 {p95:.1f} ms, max {max(timings):.1f} ms")
    echo(f"      (the home page meanwhile: p50 {percentile(home, 50):.1f} ms, p95 {percentile(home, 95):.1f} ms)")
    echo(f"dashboards: oblast p95 {p95:.1f} ms, refresh {seconds:.1f} s")
    return 0 if p95 < 150 and seconds < 30 else 1


if __name__ == "__main__":
    sys.exit(main())
