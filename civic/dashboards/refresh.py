"""``flask dashboards refresh``: every measure's figures computed by the database, rolled up, stored.

For each measure: its query runs as ``INSERT INTO dashboard_staging SELECT ...`` (no row travels through Python),
then grouped statements write ``dashboard_figures``:

- per territory, rolled up through ``dashboard_ancestors`` (every territory with each of its ancestors and itself,
  built from the materialised ``territories.path``): a rural district's figure counts in its district, city or
  oblast and the republic;
- per state body (``body_id`` set), in the body's territory, not rolled up;
- per period: ``now`` (a state measure's snapshot), ``all`` (the flows since the window's start) and every week,
  month and quarter (``dashboard_calendar`` maps a day to the first day of each).

Sums and maxima combine with ``SUM``/``MAX`` in grouped statements; a median measure's rows are single items,
read once and sorted per period kind in numpy (``_median_figures``). Everything is replaced in one transaction, so
pages see the old figures or the new ones, never half; a measure whose query fails keeps its previous figures and is
named in the refresh log.

Two refreshes never run at the same time (the periodic one and an on-change one, ``civic.dashboards.onchange``):
on PostgreSQL the refresh first takes a transaction-level advisory lock, on SQLite the database's single write lock
(``lock``). The second waits for the first, and only then reads the clock and the data.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import numpy as np
import sqlalchemy as sa
from flask import current_app

from civic import db
from civic.dashboards import models
from civic.dashboards.measures import FLOW, STATE, Measure, all_measures
from civic.db import AwareDateTime, utc_now
from civic.identity.models import StateBody, Territory

#: How many weeks, months and quarters a trend shows (and the refresh computes).
TREND_LENGTH = {models.WEEK: 12, models.MONTH: 12, models.QUARTER: 8}
#: How far back flows are counted (about three years, so every quarter of the last two shows in trends).
WINDOW_DAYS = 3 * 366


def window_start(now: datetime) -> datetime:
    return (now - timedelta(days=WINDOW_DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)


def period_starts(day: date) -> tuple[date, date, date]:
    week = day - timedelta(days=day.weekday())
    month = day.replace(day=1)
    quarter = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return week, month, quarter


def _fill_calendar(first: date, last: date) -> None:
    have = db.session.execute(sa.select(sa.func.min(models.calendar.c.day), sa.func.max(models.calendar.c.day))).one()
    if have[0] is not None and have[0] <= first and have[1] >= last:
        return
    db.session.execute(sa.delete(models.calendar))
    rows, day = [], first
    while day <= last:
        week, month, quarter = period_starts(day)
        rows.append({"day": day, "week": week, "month": month, "quarter": quarter})
        day += timedelta(days=1)
    db.session.execute(sa.insert(models.calendar), rows)


def _fill_ancestors() -> None:
    """Every (territory, ancestor-or-self) pair, by a prefix match of the materialised paths, in SQL."""
    db.session.execute(sa.delete(models.ancestors))
    own, anc = sa.orm.aliased(Territory), sa.orm.aliased(Territory)
    pairs = sa.select(own.id, anc.id).join(anc, own.path.startswith(anc.path))
    db.session.execute(sa.insert(models.ancestors).from_select(["territory_id", "ancestor_id"], pairs))


def _stage(measure: Measure, since: datetime, now: datetime) -> None:
    postgres = db.session.get_bind().dialect.name == "postgresql"
    sub = measure.query(since, now).subquery()
    if measure.kind == STATE:
        day = sa.null()
    elif postgres:
        day = sa.cast(sub.c.day, sa.Date)
    else:
        day = sub.c.day
    part = sa.cast(sub.c.part, sa.String) if measure.breakdown is not None else sa.literal("")
    rows = sa.select(
        sa.literal(measure.key, sa.String),
        sa.cast(sub.c.territory_id, sa.Integer),
        sa.cast(sub.c.body_id, sa.Integer),
        part,
        day,
        sa.cast(sub.c.value, sa.Float),
    ).where(sub.c.territory_id.is_not(None), sub.c.value.is_not(None))
    columns = ["measure_key", "territory_id", "body_id", "part", "day", "value"]
    db.session.execute(sa.insert(models.staging).from_select(columns, rows))


_PERIOD = {
    models.ALL: "CAST(NULL AS DATE)",
    models.NOW: "CAST(NULL AS DATE)",
    "week": "c.week",
    "month": "c.month",
    "quarter": "c.quarter",
}


def _statement(measure: Measure, kind: str, per_body: bool, with_parts: bool) -> str:
    """One INSERT ... SELECT writing a sum or maximum measure's figures for one period kind, per territory or per
    body, split by the breakdown's parts or (``with_parts`` False) over all of them (medians: ``_median_figures``)."""
    period = _PERIOD[kind]
    trend = kind in models.TREND_KINDS
    agg = {"sum": "SUM", "max": "MAX"}[measure.rollup]
    joins = "JOIN dashboard_calendar c ON c.day = s.day" if trend else ""
    where = "s.body_id IS NOT NULL" if per_body else "1 = 1"
    if trend:
        where += " AND s.day >= :first"
    part = "s.part" if with_parts else "''"
    own_group = "s.body_id" if per_body else "s.territory_id"
    own_keys = [own_group] + (["s.part"] if with_parts else []) + ([period] if trend else [])
    # The statements below are assembled from this module's own column names and constants (B608 marks);
    # every value goes in as a bound parameter.
    own = (
        f"SELECT {own_group} AS grp, {part} AS part, {period} AS period, {agg}(s.value) AS value "  # nosec B608
        f"FROM dashboard_staging s {joins} WHERE {where} GROUP BY {', '.join(own_keys)}"
    )
    if per_body:  # stored in the body's territory, not rolled up
        territory, body, grouped = "(SELECT b.territory_id FROM state_bodies b WHERE b.id = g.grp)", "g.grp", own
    else:  # sums and maxima combine: aggregate per territory first, then over the (few) ancestors of each
        territory, body = "g.grp", "CAST(NULL AS INTEGER)"
        grouped = (
            f"SELECT a.ancestor_id AS grp, t.part AS part, t.period AS period, {agg}(t.value) AS value "  # nosec B608
            f"FROM ({own}) t JOIN dashboard_ancestors a ON a.territory_id = t.grp "
            "GROUP BY a.ancestor_id, t.part, t.period"
        )
    return (
        "INSERT INTO dashboard_figures "  # nosec B608
        "(measure_key, territory_id, body_id, part, period_kind, period_start, value, refreshed_at) "
        f"SELECT :key, {territory}, {body}, g.part, :kind, g.period, g.value, :now FROM ({grouped}) g"
    )


def trend_start(kind: str, today: date) -> date:
    """The first day of the oldest period a trend shows (``TREND_LENGTH`` periods, the current one last)."""
    return recent_periods(kind, today)[0]


def recent_periods(kind: str, today: date) -> list[date]:
    """The first days of the last ``TREND_LENGTH[kind]`` periods, oldest first, ending with the current one."""
    index = {models.WEEK: 0, models.MONTH: 1, models.QUARTER: 2}[kind]
    starts, day = [], today
    for _step in range(TREND_LENGTH[kind]):
        start = period_starts(day)[index]
        starts.append(start)
        day = start - timedelta(days=1)
    return starts[::-1]


def _groupings(measure: Measure):
    """(period kind, per body, with parts) of every set of figures a measure gets: totals for every period kind;
    with a breakdown, its parts for the summary only (``now`` or ``all``: the pages show no trend per part), and
    never parts per body."""
    kinds = (models.NOW,) if measure.kind == STATE else (models.ALL, *models.TREND_KINDS)
    for kind in kinds:
        part_options = (False, True) if measure.breakdown is not None and kind in (models.NOW, models.ALL) else (False,)
        for with_parts in part_options:
            for per_body in (False, True):
                if not (per_body and with_parts):
                    yield kind, per_body, with_parts


def _median_figures(measure: Measure, now: datetime) -> None:
    """A median measure's figures: the middle value, or the mean of the two middle values, of each group's staged
    rows (a territory's subtree or a body, per period), with one read of the staged rows and a sort per period kind
    in numpy rather than a window sort in the database over every (row, ancestor) pair six to eight times per
    measure."""
    # raw rows (no per-value type processing): a day is a date on PostgreSQL, its ISO text on SQLite
    connection = db.session.connection()
    staged = connection.exec_driver_sql(
        "SELECT territory_id, body_id, part, day, value FROM dashboard_staging WHERE measure_key = "  # nosec B608
        + ("%(key)s" if connection.dialect.paramstyle == "pyformat" else ":key"),
        {"key": measure.key},
    ).fetchall()
    if not staged:
        return
    count = len(staged)
    territory = np.fromiter((r[0] for r in staged), dtype=np.int64, count=count)
    body = np.fromiter((-1 if r[1] is None else r[1] for r in staged), dtype=np.int64, count=count)
    part_names, part = np.unique(np.array([r[2] for r in staged], dtype=object).astype(str), return_inverse=True)
    value = np.fromiter((r[4] for r in staged), dtype=np.float64, count=count)
    day_names, day_code = np.unique(np.array(["" if r[3] is None else str(r[3]) for r in staged]), return_inverse=True)
    calendar = {
        str(day): (week, month, quarter) for day, week, month, quarter in db.session.execute(sa.select(models.calendar))
    }
    # per distinct day: its week, month and quarter (ordinals; 0 for no day or a day outside the calendar)
    day_periods = np.zeros((len(day_names), 3), dtype=np.int64)
    day_ordinal = np.zeros(len(day_names), dtype=np.int64)
    for i, name in enumerate(day_names.tolist()):
        if name and name in calendar:
            day_ordinal[i] = date.fromisoformat(name).toordinal()
            day_periods[i] = [p.toordinal() for p in calendar[name]]
    pairs = db.session.execute(sa.select(models.ancestors.c.territory_id, models.ancestors.c.ancestor_id)).all()
    body_territory = dict(db.session.execute(sa.select(StateBody.id, StateBody.territory_id)).all())
    # every row once per ancestor-or-self of its territory (the rows of a territory outside the tree drop out)
    pairs.sort()
    pair_territory = np.array([p[0] for p in pairs], dtype=np.int64)
    pair_ancestor = np.array([p[1] for p in pairs], dtype=np.int64)
    first_pair = np.searchsorted(pair_territory, territory, side="left")
    n_pairs = np.searchsorted(pair_territory, territory, side="right") - first_pair
    repeated = np.repeat(np.arange(count), n_pairs)
    offsets = np.arange(len(repeated)) - np.repeat(np.cumsum(n_pairs) - n_pairs, n_pairs)
    ancestor = pair_ancestor[first_pair[repeated] + offsets]
    rows = []
    for kind, per_body, with_parts in _groupings(measure):
        trend = kind in models.TREND_KINDS
        if trend:
            index = {models.WEEK: 0, models.MONTH: 1, models.QUARTER: 2}[kind]
            first = trend_start(kind, now.date()).toordinal()
            ordinal = day_periods[day_code, index]
            keep = (day_ordinal[day_code] >= first) & (ordinal > 0)
        else:
            keep = np.ones(count, dtype=bool)
            ordinal = np.zeros(count, dtype=np.int64)
        if per_body:
            select = np.flatnonzero(keep & (body >= 0))
            group = body[select]
        else:
            select = repeated[keep[repeated]]
            group = ancestor[keep[repeated]]
        if not len(select):
            continue
        parts = part[select] if with_parts else np.zeros(len(select), dtype=np.int64)
        periods = ordinal[select]
        values = value[select]
        order = np.lexsort((values, periods, parts, group))
        group, parts, periods, values = group[order], parts[order], periods[order], values[order]
        boundary = np.flatnonzero(
            np.concatenate(
                ([True], (group[1:] != group[:-1]) | (parts[1:] != parts[:-1]) | (periods[1:] != periods[:-1]))
            )
        )
        counts = np.diff(np.append(boundary, len(values)))
        middle = (values[boundary + (counts - 1) // 2] + values[boundary + counts // 2]) / 2
        for start, median in zip(boundary.tolist(), middle.tolist(), strict=True):
            grp = int(group[start])
            rows.append(
                {
                    "measure_key": measure.key,
                    "territory_id": body_territory.get(grp) if per_body else grp,
                    "body_id": grp if per_body else None,
                    "part": str(part_names[parts[start]]) if with_parts else "",
                    "period_kind": kind,
                    "period_start": date.fromordinal(int(periods[start])) if trend else None,
                    "value": median,
                    "refreshed_at": now,
                }
            )
    for chunk in range(0, len(rows), 5000):
        db.session.execute(sa.insert(models.Figure.__table__), rows[chunk : chunk + 5000])


def _figures_of(measure: Measure, now: datetime) -> None:
    """The measure's figures: totals for every period kind; with a breakdown, its parts for the summary only
    (``now`` or ``all``: the pages show no trend per part)."""
    if measure.rollup == "median":
        _median_figures(measure, now)
        return
    binds = [
        sa.bindparam("now", type_=AwareDateTime()),
        sa.bindparam("key", type_=sa.String()),
        sa.bindparam("kind", type_=sa.String()),
    ]
    for kind, per_body, with_parts in _groupings(measure):
        params = {"key": measure.key, "kind": kind, "now": now}
        statement = sa.text(_statement(measure, kind, per_body, with_parts))
        if kind in models.TREND_KINDS:
            params["first"] = trend_start(kind, now.date())
            statement = statement.bindparams(*binds, sa.bindparam("first", type_=sa.Date()))
        else:
            statement = statement.bindparams(*binds)
        db.session.execute(statement, params)


#: The PostgreSQL advisory lock every refresh holds until its transaction ends ("dashbrd" in ASCII).
ADVISORY_LOCK = 0x64617368627264


def lock() -> None:
    """Wait until no other refresh runs, and keep the others waiting until this transaction ends.

    PostgreSQL: a transaction-level advisory lock (released by the commit or rollback). SQLite: a first write (the
    staging table is empty between refreshes) takes the database's only write lock; in ``db.transaction()`` its
    ``BEGIN IMMEDIATE`` already waits for it."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
    else:
        db.session.execute(sa.delete(models.staging))


def refresh(now: datetime | None = None, measures: list[Measure] | None = None) -> models.Refresh:
    """Recompute every figure, or only those of ``measures`` (call inside ``db.transaction()``); returns the refresh
    log row. Waits for a refresh running elsewhere (``lock``) before it reads anything."""
    lock()
    started = time.perf_counter()
    now = now or utc_now()
    since = window_start(now)
    complete = measures is None
    measures = all_measures() if complete else measures
    _fill_calendar(since.date(), now.date() + timedelta(days=1))
    _fill_ancestors()
    failed = []
    for measure in measures:
        savepoint = db.session.begin_nested()
        try:
            db.session.execute(sa.delete(models.staging))
            _stage(measure, since, now)
            db.session.execute(sa.delete(models.Figure).where(models.Figure.measure_key == measure.key))
            _figures_of(measure, now)
            db.session.execute(sa.delete(models.staging))
            savepoint.commit()
        except sa.exc.SQLAlchemyError as exc:
            savepoint.rollback()
            current_app.logger.exception("dashboards: measure %s failed", measure.key)
            failed.append(f"{measure.key}: {type(exc).__name__}")
    if complete:  # figures of measures no module declares any more
        known = [m.key for m in measures]
        db.session.execute(sa.delete(models.Figure).where(models.Figure.measure_key.not_in(known)))
    count = db.session.scalar(sa.select(sa.func.count()).select_from(models.Figure)) or 0
    log = models.Refresh(
        started_at=now,
        finished_at=utc_now(),
        seconds=round(time.perf_counter() - started, 3),
        figures=count,
        failed="; ".join(failed)[:2000],
        measures="" if complete else " ".join(m.key for m in measures),
    )
    db.session.add(log)
    db.session.flush()
    return log


__all__ = ["FLOW", "refresh", "window_start", "period_starts"]
