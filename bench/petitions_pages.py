"""Page speed with a national-size history: 10,000 petitions and 1,000,000 signatures.

    python bench/petitions_pages.py [--db sqlite|postgres] [--petitions N] [--signatures M] [--requests R]

Builds a temporary database (``flask db upgrade``), bulk-loads petitions with Zipf-distributed signature counts
(the busiest has about 140,000), their tallies per district and per day, and a few hundred fresh, untallied
signatures; then serves the app with gunicorn and requests the list page (default, sorted, filtered, searched, deep
pages, 10 and 100 per page) and petition pages (the busiest ones and random ones) one at a time, so the latency is
the server's own. Prints p50/p95 for each; the target is p95 < 100 ms.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import Server, base_env, echo, make_app, migrate, percentile, temporary_database  # noqa: E402

ALMATY_DISTRICTS = (
    "KZ-ALA-ALT",
    "KZ-ALA-ALM",
    "KZ-ALA-AUE",
    "KZ-ALA-BOS",
    "KZ-ALA-ZHE",
    "KZ-ALA-MED",
    "KZ-ALA-NAU",
    "KZ-ALA-TUR",
)
ACTIONS_RU = ("Отремонтировать", "Построить", "Озеленить", "Осветить", "Расширить", "Сохранить", "Благоустроить")
OBJECTS_RU = (
    "дорогу",
    "школу",
    "сквер",
    "детскую площадку",
    "тротуар",
    "поликлинику",
    "остановку",
    "парк",
    "мост",
    "двор",
)
ACTIONS_KK = ("Жөндеу", "Салу", "Көгалдандыру", "Жарықтандыру", "Кеңейту", "Сақтау", "Абаттандыру")
OBJECTS_KK = ("жолды", "мектепті", "саябақты", "балалар алаңын", "тротуарды", "емхананы", "аялдаманы", "көпірді")
STREETS = ("Абая", "Толе би", "Сейфуллина", "Райымбека", "Жандосова", "Тимирязева", "Момышулы", "Саина", "Гоголя")
CATEGORIES = (
    "energy",
    "housing",
    "transport_roads",
    "landscaping",
    "education",
    "health",
    "social_protection",
    "ecology",
    "other",
)


def zipf_counts(petitions: int, total: int, rng: random.Random, exponent: float = 1.07) -> list[int]:
    weights = [1 / (rank**exponent) for rank in range(1, petitions + 1)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    counts[0] += total - sum(counts)
    rng.shuffle(counts)
    return counts


def load(database_url: str, petitions: int, signatures: int, seed: int = 7) -> tuple[list[int], list[int]]:
    """Bulk-load the data set; returns (petition ids by descending signatures, all petition ids)."""
    from sqlalchemy import insert, select

    from civic import db
    from civic.db import utc_now
    from civic.identity.directory import load_reference_data
    from civic.identity.models import AssuranceLevel, Category, Territory, User
    from civic.identity.permissions import sync_roles
    from civic.petitions.models import Petition, PetitionDailyCount, PetitionTerritoryCount
    from civic.petitions.similarity import normalise
    from civic.petitions.tallies import local_day

    rng = random.Random(seed)
    counts = zipf_counts(petitions, signatures, rng)
    users_needed = max(counts) + 1000
    app = make_app(database_url)
    with app.app_context():
        load_reference_data()
        sync_roles()
        territory = {t.code: t for t in db.session.scalars(select(Territory))}
        category = {c.code: c.id for c in db.session.scalars(select(Category))}
        now = utc_now()
        homes = [territory[code].id for code in ALMATY_DISTRICTS]
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"r{i}@bench.test",
                    "password_hash": "!",
                    "preferred_locale": "kk",
                    "home_territory_id": homes[i % len(homes)],
                    "assurance_level": int(AssuranceLevel.IIN_VERIFIED),
                    "notification_mode": "none",
                    "session_version": 1,
                    "failed_logins": 0,
                    "created_at": now,
                }
                for i in range(users_needed)
            ],
        )
        first_user = db.session.scalar(select(User.id).order_by(User.id))
        echo(f"      {users_needed:,} residents")
        rows = []
        for n, count in enumerate(counts):
            rows.append(_petition_row(n, count, rng, now, territory, category, first_user, normalise))
        db.session.execute(insert(Petition), rows)
        db.session.commit()
        ids = list(db.session.scalars(select(Petition.id).order_by(Petition.id)))
        echo(f"      {len(ids):,} petitions")
        by_territory, by_day = Counter(), Counter()
        batch, written = [], 0
        for pid, row in zip(ids, rows, strict=True):
            for k in range(row["signature_count"]):
                user_id = first_user + (pid * 7919 + k) % users_needed
                moment = row["opened_at"] + timedelta(seconds=rng.random() ** 2 * 80 * 86400)
                home = homes[(user_id - first_user) % len(homes)]
                batch.append((pid, user_id, home, f"10.{k % 250}.{pid % 250}.9", "bench.test", False, moment, now))
                by_territory[(pid, home)] += 1
                by_day[(pid, local_day(moment))] += 1
            if len(batch) >= 100_000:
                written += _write_signatures(batch)
                batch = []
                echo(f"      {written:,} signatures")
        written += _write_signatures(batch)
        db.session.execute(
            insert(PetitionTerritoryCount),
            [{"petition_id": p, "territory_id": t, "count": n} for (p, t), n in by_territory.items()],
        )
        db.session.execute(
            insert(PetitionDailyCount), [{"petition_id": p, "day": d, "count": n} for (p, d), n in by_day.items()]
        )
        db.session.commit()
        fresh = _fresh_signatures(ids, counts, first_user, users_needed, homes, now)
        echo(f"      {written:,} tallied signatures (per district and per day too), {fresh} fresh untallied ones")
        busiest = [pid for pid, _count in sorted(zip(ids, counts, strict=True), key=lambda pc: -pc[1])]
    app.extensions["civic_engine"].dispose()
    return busiest, ids


def _petition_row(n, count, rng, now, territory, category, first_user, normalise) -> dict:
    russian = n % 2 == 0
    action = rng.choice(ACTIONS_RU if russian else ACTIONS_KK)
    thing = rng.choice(OBJECTS_RU if russian else OBJECTS_KK)
    street = rng.choice(STREETS)
    title = (
        f"{action} {thing} на улице {street} №{n}" if russian else f"{street} көшесіндегі {thing} {action.lower()} №{n}"
    )
    text = (
        f"Жители просят {action.lower()} {thing} на улице {street}. Проблема тянется несколько лет."
        if russian
        else f"Тұрғындар {street} көшесіндегі {thing} {action.lower()} сұрайды. Мәселе бірнеше жылдан бері шешілмеген."
    )
    opened = now - timedelta(days=rng.randint(1, 300))
    closes = opened + timedelta(days=90)
    code = "KZ-ALA" if n % 5 == 0 else ALMATY_DISTRICTS[n % len(ALMATY_DISTRICTS)]
    state = "open" if closes > now else "closed"
    level_response = 2000 if code == "KZ-ALA" else 500
    return {
        "state": state,
        "title": title[:160],
        "text": text,
        "language": "ru" if russian else "kk",
        "search_text": normalise(f"{title} {text}"),
        "author_id": first_user + n,
        "territory_id": territory[code].id,
        "category_id": category[CATEGORIES[n % len(CATEGORIES)]],
        "supporter_token": f"bench-{n}",
        "created_at": opened - timedelta(days=5),
        "updated_at": opened,
        "opened_at": opened,
        "closes_at": closes,
        "closed_at": closes if state == "closed" else None,
        "moderated_at": opened,
        "response_threshold": level_response,
        "hearing_threshold": level_response * 5,
        "signature_count": count,
        "tallied_at": now,
    }


def _write_signatures(batch: list[tuple]) -> int:
    """Bulk insert: COPY on PostgreSQL, executemany on SQLite."""
    from civic import db

    if not batch:
        return 0
    connection = db.session.connection()
    columns = ("petition_id", "user_id", "territory_id", "ip", "email_domain", "notify", "created_at", "tallied_at")
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY petition_signatures ({', '.join(columns)}) FROM STDIN") as copy:
            for row in batch:
                copy.write_row(row)
    else:
        fmt = "%Y-%m-%d %H:%M:%S.%f"
        raw.executemany(
            f"INSERT INTO petition_signatures ({', '.join(columns)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(*row[:6], row[6].strftime(fmt), row[7].strftime(fmt)) for row in batch],
        )
    db.session.commit()
    return len(batch)


def _fresh_signatures(ids, counts, first_user, users, homes, now) -> int:
    """A few hundred signatures made seconds ago and not yet tallied: pages count them on read."""
    from sqlalchemy import insert

    from civic import db
    from civic.petitions.models import PetitionSignature

    rows = []
    for pid, count in list(zip(ids, counts, strict=True))[:300]:
        user_id = first_user + (pid * 7919 + count) % users
        rows.append(
            {
                "petition_id": pid,
                "user_id": user_id,
                "territory_id": homes[0],
                "ip": "10.9.9.9",
                "email_domain": "bench.test",
                "notify": False,
                "created_at": now,
            }
        )
    db.session.execute(insert(PetitionSignature), rows)
    db.session.commit()
    return len(rows)


def timed_get(port: int, path: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{quote(path, safe='/?=&+')}", timeout=60) as response:
        response.read()
        assert response.status == 200, path
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--petitions", type=int, default=10_000)
    parser.add_argument("--signatures", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300, help="requests per page kind")
    args = parser.parse_args()
    rng = random.Random(11)
    with temporary_database(args.db) as url:
        echo(
            f"[1/3] {args.db}: migrating a temporary database and loading {args.petitions:,} petitions, "
            f"{args.signatures:,} signatures"
        )
        migrate(url)
        started = time.perf_counter()
        busiest, ids = load(url, args.petitions, args.signatures)
        echo(f"      loaded in {time.perf_counter() - started:.0f} s")
        server = Server("_common:civic_app()", base_env(url), workers=2)
        try:
            server.wait_ready()
            echo("[2/3] requesting pages one at a time (server time)")
            list_paths = [
                "/petitions/",
                "/petitions/?per_page=100",
                "/petitions/?sort=newest",
                "/petitions/?sort=closing",
                "/petitions/?state=all&per_page=50",
                "/petitions/?state=closed",
                "/petitions/?q=школу",
                "/petitions/?q=көшесіндегі+жолды",
                "/petitions/?territory=3",
                "/petitions/?page=150",
                "/petitions/?state=closed&page=200&per_page=10",
            ]
            detail_paths = [f"/petitions/{pid}" for pid in busiest[:5]] + [
                f"/petitions/{pid}" for pid in rng.sample(ids, 25)
            ]
            for path in list_paths[:3] + detail_paths[:3]:
                timed_get(server.port, path)  # warm the workers
            timings = {"list": [], "detail": []}
            for i in range(args.requests):
                timings["list"].append(timed_get(server.port, list_paths[i % len(list_paths)]))
                timings["detail"].append(timed_get(server.port, detail_paths[i % len(detail_paths)]))
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
    list_p95, detail_p95 = percentile(timings["list"], 95), percentile(timings["detail"], 95)
    echo(
        f"petitions_pages: list p95 {list_p95:.1f} ms, detail p95 {detail_p95:.1f} ms "
        f"({args.petitions:,} petitions, {args.signatures:,} signatures, {args.db})"
    )
    return 0 if max(list_p95, detail_p95) < 100 else 1


if __name__ == "__main__":
    sys.exit(main())
