"""Benchmark initiative indicators: the roll-up and the oblast view over 200 indicators x 3,000 territories x 36
periods (21.6 M values at full size), and a CSV upload of 100,000 rows.

Builds a synthetic territory tree (republic → oblasts → districts → rural districts) in a throw-away database
migrated with ``flask db upgrade``, generates monthly values at the rural-district level inside the database
(``INSERT … SELECT`` per batch of indicators, with progress), rolls them up with
``civic.initiatives.values.refresh_rollup`` (the grouped SQL the app runs), then

- requests the oblast view page (``/initiatives/<id>/indicators/<id>?territory=<oblast>&period=<p>``: the districts
  of one oblast, worst first, with the oblast's progress chart) ``--samples`` times through the app and takes p95;
- uploads a 100,000-row CSV through ``values.import_csv`` (validated row by row, upserted, rolled up) and commits.

Last line:  ``initiatives: oblast view p95 <X> ms, csv 100000 rows <S> s``

Sizes: ``--size full`` (200 indicators x 3,000 rural districts x 36 periods = 21,600,000 values; the tree is
1 republic + 20 oblasts + 200 districts + 3,000 rural districts = 3,221 territories), ``--size small``
(10 x 576 x 36, the default here), ``--size tiny`` (3 x 48 x 12), or explicit
``--indicators/--oblasts/--districts/--rural/--periods``. Exit status 1 when the p95 exceeds 200 ms or the upload
10 s.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import echo, make_app, migrate, temporary_database  # noqa: E402

SIZES = {
    # indicators, oblasts, districts per oblast, rural districts per district, periods
    # full: 20 oblasts (17 + 3 cities of republican significance), 200 districts, 3,000 rural districts carrying the
    # values (1 + 20 + 200 + 3,000 = 3,221 territories); 200 x 3,000 x 36 = 21,600,000 values.
    "full": (200, 20, 10, 15, 36),
    "small": (10, 8, 9, 8, 36),
    "tiny": (3, 3, 4, 4, 12),
}
CSV_ROWS = 100_000
VALUE_BATCH = 1_000_000  # values per INSERT … SELECT (whole indicators)


def _periods(n: int) -> list[str]:
    return [f"{2023 + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


def build(app, indicators: int, oblasts: int, districts: int, rural: int, periods: int, rng: random.Random):
    from sqlalchemy import insert, select

    from civic import db
    from civic.identity.models import Territory
    from civic.initiatives import values
    from civic.initiatives.models import Indicator, Initiative

    with app.app_context():
        table = Territory.__table__
        db.session.execute(
            insert(table),
            [
                {
                    "id": 1,
                    "code": "B",
                    "level": "republic",
                    "parent_id": None,
                    "path": "/1/",
                    "name_kk": "B",
                    "name_ru": "B",
                    "name_en": "Bench republic",
                }
            ],
        )
        rows, leaves, next_id = [], [], 2
        oblast_codes = []
        for o in range(oblasts):
            oid, ocode = next_id, f"B-O{o:02d}"
            next_id += 1
            oblast_codes.append(ocode)
            rows.append(
                {
                    "id": oid,
                    "code": ocode,
                    "level": "oblast",
                    "parent_id": 1,
                    "path": f"/1/{oid}/",
                    "name_kk": ocode,
                    "name_ru": ocode,
                    "name_en": f"Oblast {o}",
                }
            )
            for d in range(districts):
                did, dcode = next_id, f"{ocode}-D{d:02d}"
                next_id += 1
                rows.append(
                    {
                        "id": did,
                        "code": dcode,
                        "level": "district",
                        "parent_id": oid,
                        "path": f"/1/{oid}/{did}/",
                        "name_kk": dcode,
                        "name_ru": dcode,
                        "name_en": f"District {o}.{d}",
                    }
                )
                for r in range(rural):
                    rid, rcode = next_id, f"{dcode}-R{r:02d}"
                    next_id += 1
                    rows.append(
                        {
                            "id": rid,
                            "code": rcode,
                            "level": "rural_district",
                            "parent_id": did,
                            "path": f"/1/{oid}/{did}/{rid}/",
                            "name_kk": rcode,
                            "name_ru": rcode,
                            "name_en": f"Rural district {o}.{d}.{r}",
                        }
                    )
                    leaves.append((rid, rcode))
        db.session.execute(insert(table), rows)
        initiative = Initiative(
            title="Bench", territory_id=1, sector="education", horizon_years=5, step=1, is_public=True
        )
        db.session.add(initiative)
        db.session.flush()
        upload_count = math.ceil(CSV_ROWS / (len(leaves) * periods))
        specs = [(f"IND{i:03d}", "persons") for i in range(indicators)]
        specs += [(f"UPL{i:03d}", "persons") for i in range(upload_count)]
        for code, unit in specs:
            db.session.add(
                Indicator(
                    initiative_id=initiative.id,
                    code=code,
                    name=code,
                    unit=unit,
                    direction="higher" if code.endswith(("0", "2", "4", "6", "8")) else "lower",
                    level="rural_district",
                    aggregation="sum" if len(code) % 2 else "mean",
                )
            )
        db.session.commit()
        ids = list(db.session.scalars(select(Indicator.id).where(Indicator.code.like("IND%")).order_by(Indicator.id)))
        labels = _periods(periods)
        total = load_values(ids, leaves, labels)
        echo(
            f"{len(rows) + 1} territories ({len(leaves):,} rural districts carrying values), "
            f"{total:,} values made ({len(ids)} x {len(leaves):,} x {len(labels)})"
        )
        started = time.perf_counter()
        for n, indicator_id in enumerate(ids, 1):
            values.refresh_rollup([indicator_id])
            db.session.commit()
            if n % 10 == 0 or n == len(ids):
                echo(f"  roll-up {n}/{len(ids)} indicators, {time.perf_counter() - started:.0f} s")
        echo(f"roll-up of {len(ids)} indicators in {time.perf_counter() - started:.1f} s")
        return initiative.id, ids, oblast_codes, leaves, labels


def load_values(ids: list[int], leaves: list[tuple[int, str]], labels: list[str]) -> int:
    """Insert one value per indicator, rural district and period, generated inside the database: an
    ``INSERT … SELECT`` over indicators x rural districts x a 36-row period table, a batch of indicators per
    statement in primary-key order (no rows cross the Python boundary). On PostgreSQL the load runs with
    ``session_replication_role = replica`` so the two foreign keys are not checked row by row (the ids come from the
    tables themselves). Prints progress; returns the number of values in the table afterwards."""
    from sqlalchemy import func, select, text

    from civic import db
    from civic.initiatives.models import Value

    postgres = db.session.get_bind().dialect.name == "postgresql"
    db.session.execute(text("CREATE TABLE bench_periods (k INTEGER PRIMARY KEY, label VARCHAR(7) NOT NULL)"))
    db.session.execute(
        text("INSERT INTO bench_periods (k, label) VALUES (:k, :label)"),
        [{"k": k, "label": label} for k, label in enumerate(labels)],
    )
    db.session.commit()
    # A deterministic spread per (indicator, territory) in [10, 500), growing 1 % a period.
    statement = text(
        """
        INSERT INTO initiative_values (indicator_id, territory_id, period, value)
        SELECT i.id, t.id, p.label,
               (10 + ((i.id * 7919 + t.id * 104729) % 49000) / 100.0) * (100 + p.k) / 100.0
        FROM initiative_indicators i
        CROSS JOIN territories t
        CROSS JOIN bench_periods p
        WHERE i.id BETWEEN :low AND :high AND i.code LIKE 'IND%' AND t.level = 'rural_district'
        ORDER BY i.id, t.id, p.label
        """
    )
    expected = len(ids) * len(leaves) * len(labels)
    started = time.perf_counter()
    step = max(1, VALUE_BATCH // max(1, len(leaves) * len(labels)))
    for start in range(0, len(ids), step):
        chunk = ids[start : start + step]
        if postgres:
            db.session.execute(text("SET LOCAL session_replication_role = replica"))
        db.session.execute(statement, {"low": chunk[0], "high": chunk[-1]})
        db.session.commit()
        done = (start + len(chunk)) * len(leaves) * len(labels)
        elapsed = time.perf_counter() - started
        echo(f"  values {done:,}/{expected:,} ({100 * done / expected:.0f} %), {elapsed:.0f} s")
    db.session.execute(text("DROP TABLE bench_periods"))
    if postgres:
        db.session.execute(text("ANALYZE"))  # fresh statistics for the roll-up's joins
    total = db.session.scalar(select(func.count()).select_from(Value))
    db.session.commit()
    echo(f"values loaded in {time.perf_counter() - started:.1f} s")
    return total


def oblast_view_p95(app, initiative_id, ids, oblast_codes, labels, samples: int, rng) -> float:
    client = app.test_client()
    times = []
    for i in range(samples + 5):
        url = (
            f"/initiatives/{initiative_id}/indicators/{rng.choice(ids)}"
            f"?territory={rng.choice(oblast_codes)}&period={rng.choice(labels)}"
        )
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
        if i >= 5:  # warm-up
            times.append(elapsed)
    return statistics.quantiles(times, n=20)[18]


def csv_upload_seconds(app, initiative_id, leaves, labels) -> tuple[float, int]:
    from sqlalchemy import select

    from civic import db
    from civic.identity.models import User
    from civic.initiatives import values
    from civic.initiatives.models import Indicator, Initiative

    lines = ["indicator,territory,period,value,unit"]
    with app.app_context():
        codes = list(
            db.session.scalars(select(Indicator.code).where(Indicator.code.like("UPL%")).order_by(Indicator.code))
        )
    for code in codes:
        for _rid, tcode in leaves:
            for period in labels:
                if len(lines) > CSV_ROWS:
                    break
                lines.append(f"{code},{tcode},{period},{len(lines) % 977},persons")
    data = "\n".join(lines) + "\n"
    with app.app_context():
        admin = User(
            email="bench@example.test",
            password_hash="x",
            display_name="Bench",
            preferred_locale="en",
            assurance_level=3,
        )
        db.session.add(admin)
        db.session.flush()
        from civic.identity.models import UserRole
        from civic.identity.permissions import sync_roles

        sync_roles()
        db.session.add(UserRole(user_id=admin.id, role_name="admin"))
        db.session.commit()
        start = time.perf_counter()
        with app.test_request_context():
            initiative = db.session.get(Initiative, initiative_id)
            report = values.import_csv(initiative, db.session.get(User, admin.id), data)
            if not report.ok:
                raise SystemExit(f"upload refused: {report.fatal or report.rejected[:3]}")
            db.session.commit()
        return time.perf_counter() - start, report.imported


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--size", choices=tuple(SIZES), default="small")
    parser.add_argument("--indicators", type=int)
    parser.add_argument("--oblasts", type=int)
    parser.add_argument("--districts", type=int)
    parser.add_argument("--rural", type=int)
    parser.add_argument("--periods", type=int)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    size = dict(zip(("indicators", "oblasts", "districts", "rural", "periods"), SIZES[args.size], strict=True))
    for key in size:
        if getattr(args, key) is not None:
            size[key] = getattr(args, key)
    echo(f"initiatives bench on {args.db}: {size}")
    rng = random.Random(2026)
    with temporary_database(args.db) as url:
        migrate(url)
        app = make_app(url, RATELIMIT_ENABLED=False)
        initiative_id, ids, oblast_codes, leaves, labels = build(app, rng=rng, **size)
        p95 = oblast_view_p95(app, initiative_id, ids, oblast_codes, labels, args.samples, rng)
        seconds, rows = csv_upload_seconds(app, initiative_id, leaves, labels)
        echo(f"oblast view: {args.samples} requests; csv: {rows} rows validated, upserted and rolled up")
        app.extensions["civic_engine"].dispose()
    print(f"initiatives: oblast view p95 {p95:.1f} ms, csv {rows} rows {seconds:.1f} s")
    return 0 if p95 < 200 and seconds < 10 else 1


if __name__ == "__main__":
    sys.exit(main())
