"""Indicators of an initiative: definitions, targets, values per territory and period (forms or CSV, validated row
by row and imported all or nothing), the roll-up rural district → district → oblast → republic computed by the
database into ``initiative_rollups``, the progress series and the colour-coded territory view.

The roll-up is one grouped ``INSERT … SELECT`` over the territory tree (a recursive CTE pairs each territory with
its ancestors), refreshed for the indicators whose values changed; pages read ``initiative_rollups`` only, so the
view of an oblast's districts is one indexed lookup (``indicator_id, period, parent_id``)."""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects import sqlite

from civic import db
from civic.core.errors import DomainError, PermissionDenied
from civic.identity import audit
from civic.identity.models import Territory, User
from civic.initiatives.models import (
    AGGREGATION_LABELS,
    COLLECTION_LEVELS,
    DIRECTION_LABELS,
    LEVEL_EQUIVALENTS,
    Indicator,
    Initiative,
    Rollup,
    Value,
)
from civic.initiatives.permissions import can_manage

PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
CODE = re.compile(r"^[A-Z0-9_]{2,40}$")
CSV_COLUMNS = ("indicator", "territory", "period", "value", "unit")
MAX_ROWS = 200_000


def _require_manage(initiative: Initiative, actor) -> None:
    if not can_manage(actor, initiative):
        raise PermissionDenied()


def indicators_of(initiative: Initiative) -> list[Indicator]:
    return list(
        db.session.scalars(select(Indicator).where(Indicator.initiative_id == initiative.id).order_by(Indicator.code))
    )


@dataclass
class IndicatorData:
    code: str
    name: str
    unit: str
    direction: str
    level: str
    aggregation: str


def add_indicator(initiative: Initiative, actor: User, data: IndicatorData) -> Indicator:
    _require_manage(initiative, actor)
    code = data.code.strip().upper()
    if not CODE.match(code):
        raise DomainError(_l("A code is 2–40 capital letters, digits or underscores."), field="code")
    if data.direction not in DIRECTION_LABELS or data.aggregation not in AGGREGATION_LABELS:
        raise DomainError(_l("Choose from the list."))
    if data.level not in COLLECTION_LEVELS:
        raise DomainError(_l("Choose from the list."), field="level")
    if db.session.scalar(select(Indicator.id).where(Indicator.initiative_id == initiative.id, Indicator.code == code)):
        raise DomainError(_l("This initiative already has an indicator with this code."), field="code")
    indicator = Indicator(
        initiative_id=initiative.id,
        code=code,
        name=data.name.strip(),
        unit=data.unit.strip(),
        direction=data.direction,
        level=data.level,
        aggregation=data.aggregation,
    )
    db.session.add(indicator)
    db.session.flush()
    audit.record("initiative.indicator_add", initiative, actor=actor, after={"code": code})
    return indicator


def set_target(indicator: Indicator, initiative: Initiative, actor: User, value: float, period: str) -> None:
    """Targets are set at the decision (up to step 3) and then stay as decided."""
    _require_manage(initiative, actor)
    if initiative.step > 3:
        raise DomainError(_l("Targets are set at step 3 and no longer change after the decision."))
    if value is None or not math.isfinite(value):
        raise DomainError(_l("Enter a number."), field="target_value")
    if not PERIOD.match(period or ""):
        raise DomainError(_l("A period is a year (2025) or a month (2025-03)."), field="target_period")
    before = {"target_value": indicator.target_value, "target_period": indicator.target_period}
    indicator.target_value, indicator.target_period = float(value), period
    db.session.flush()
    audit.record(
        "initiative.target",
        initiative,
        actor=actor,
        before=before,
        after={"code": indicator.code, "target_value": value, "target_period": period},
    )


# --------------------------------------------------------------------------- values


def _accepts(indicator: Indicator, territory: Territory, initiative_territory: Territory) -> str | None:
    """None if a value of ``indicator`` may be entered for ``territory``, or the reason it may not."""
    if territory.level not in LEVEL_EQUIVALENTS[indicator.level]:
        return _(
            "%(code)s is collected at the level “%(level)s”, not “%(given)s”.",
            code=indicator.code,
            level=COLLECTION_LEVELS[indicator.level],
            given=territory.level_label,
        )
    if not initiative_territory.contains(territory):
        return _("%(territory)s lies outside the initiative's territory.", territory=territory.code)
    return None


def set_value(
    indicator: Indicator, initiative: Initiative, actor: User, territory: Territory, period: str, value: float
) -> None:
    _require_manage(initiative, actor)
    if not PERIOD.match(period or ""):
        raise DomainError(_l("A period is a year (2025) or a month (2025-03)."), field="period")
    if value is None or not math.isfinite(value):
        raise DomainError(_l("Enter a number."), field="value")
    problem = _accepts(indicator, territory, initiative.territory)
    if problem:
        raise DomainError(problem, field="territory")
    _upsert([{"indicator_id": indicator.id, "territory_id": territory.id, "period": period, "value": float(value)}])
    refresh_rollup([indicator.id])
    audit.record(
        "initiative.value",
        initiative,
        actor=actor,
        after={"code": indicator.code, "territory": territory.code, "period": period, "value": value},
    )


_PG_UPSERT = text(
    "INSERT INTO initiative_values (indicator_id, territory_id, period, value) "
    "SELECT * FROM unnest(CAST(:indicators AS integer[]), CAST(:territories AS integer[]), "
    "CAST(:periods AS varchar[]), CAST(:values AS double precision[])) "
    "ON CONFLICT (indicator_id, territory_id, period) DO UPDATE SET value = EXCLUDED.value"
)


def _upsert(rows: list[dict], chunk: int = 50_000) -> None:
    """Insert values, replacing those with the same (indicator, territory, period). PostgreSQL gets whole columns
    as arrays (``unnest``: one statement per ``chunk`` rows); SQLite an executemany, which its driver loops in C."""
    if not rows:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            db.session.execute(
                _PG_UPSERT,
                {
                    "indicators": [r["indicator_id"] for r in part],
                    "territories": [r["territory_id"] for r in part],
                    "periods": [r["period"] for r in part],
                    "values": [r["value"] for r in part],
                },
            )
        return
    statement = sqlite.insert(Value.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["indicator_id", "territory_id", "period"], set_={"value": statement.excluded.value}
    )
    db.session.execute(statement, rows)


@dataclass
class ImportReport:
    imported: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)
    fatal: str | None = None

    @property
    def ok(self) -> bool:
        return self.fatal is None and not self.rejected


def import_csv(initiative: Initiative, actor: User, data: str | bytes) -> ImportReport:
    """Validate every row; import all of them only if none is rejected (nothing partially imported).

    Columns (header required, any order): indicator, territory, period, value, unit. A row is rejected for an
    unknown indicator code, an unknown territory code, a territory at another level than the indicator's or
    outside the initiative, a malformed period, a value that is not a number, a unit other than the indicator's,
    or a repeat of an earlier row's (indicator, territory, period)."""
    _require_manage(initiative, actor)
    report = ImportReport()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            report.fatal = _("The file is not UTF-8 text.")
            return report
    reader = csv.reader(io.StringIO(data.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None:
        report.fatal = _("The file is empty.")
        return report
    header = [h.strip().lower() for h in header]
    if sorted(header) != sorted(CSV_COLUMNS) or len(header) != len(CSV_COLUMNS):
        report.fatal = _(
            "Wrong columns: expected %(expected)s, found %(found)s.",
            expected=", ".join(CSV_COLUMNS),
            found=", ".join(header) or "—",
        )
        return report
    position = {name: header.index(name) for name in CSV_COLUMNS}
    indicators = {
        i.code: (i.id, i.code, LEVEL_EQUIVALENTS[i.level], COLLECTION_LEVELS[i.level], i.unit)
        for i in indicators_of(initiative)
    }
    territories = {
        code: (tid, level, path)
        for code, tid, level, path in db.session.execute(
            select(Territory.code, Territory.id, Territory.level, Territory.path)
        )
    }
    inside = initiative.territory.path
    seen: set[tuple[int, int, str]] = set()
    rows: list[dict] = []
    touched: set[int] = set()
    for line, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(rows) + len(report.rejected) >= MAX_ROWS:
            report.fatal = _("The file has more than %(n)s rows.", n=MAX_ROWS)
            return report
        if len(record) != len(CSV_COLUMNS):
            report.rejected.append(
                (line, _("Expected %(n)s cells, found %(found)s.", n=len(CSV_COLUMNS), found=len(record)))
            )
            continue
        code, t_code, period, raw, unit = (record[position[c]].strip() for c in CSV_COLUMNS)
        indicator = indicators.get(code.upper())
        if indicator is None:
            report.rejected.append((line, _("Unknown indicator code “%(code)s”.", code=code)))
            continue
        territory = territories.get(t_code)
        if territory is None:
            report.rejected.append((line, _("Unknown territory code “%(code)s”.", code=t_code)))
            continue
        tid, level, path = territory
        ind_id, ind_code, ind_levels, ind_level_label, ind_unit = indicator
        if level not in ind_levels:
            report.rejected.append(
                (
                    line,
                    _(
                        "%(code)s is collected at the level “%(level)s”; %(territory)s is not at that level.",
                        code=ind_code,
                        level=ind_level_label,
                        territory=t_code,
                    ),
                )
            )
            continue
        if not path.startswith(inside):
            report.rejected.append(
                (line, _("%(territory)s lies outside the initiative's territory.", territory=t_code))
            )
            continue
        if not PERIOD.match(period):
            report.rejected.append(
                (line, _("“%(period)s” is not a period: write a year (2025) or a month (2025-03).", period=period))
            )
            continue
        try:
            value = float(raw.replace(",", ".").replace("\u00a0", "").replace(" ", ""))
            if not math.isfinite(value):
                raise ValueError
        except ValueError:
            report.rejected.append((line, _("“%(value)s” is not a number.", value=raw)))
            continue
        if unit != ind_unit:
            report.rejected.append(
                (
                    line,
                    _(
                        "The unit of %(code)s is “%(unit)s”, not “%(given)s”.",
                        code=ind_code,
                        unit=ind_unit,
                        given=unit,
                    ),
                )
            )
            continue
        key = (ind_id, tid, period)
        if key in seen:
            report.rejected.append(
                (
                    line,
                    _(
                        "Duplicate row: %(code)s, %(territory)s, %(period)s appears earlier in the file.",
                        code=ind_code,
                        territory=t_code,
                        period=period,
                    ),
                )
            )
            continue
        seen.add(key)
        touched.add(ind_id)
        rows.append({"indicator_id": ind_id, "territory_id": tid, "period": period, "value": value})
    if not rows and not report.rejected:
        report.fatal = _("The file has no rows.")
    if not report.ok:
        return report
    _upsert(rows)
    refresh_rollup(sorted(touched))
    report.imported = len(rows)
    audit.record("initiative.values_import", initiative, actor=actor, after={"rows": len(rows)})
    return report


# --------------------------------------------------------------------------- roll-up

_ROLLUP = """
WITH RECURSIVE chain(territory_id, ancestor_id) AS (
    SELECT id, id FROM territories
    UNION ALL
    SELECT chain.territory_id, t.parent_id FROM chain JOIN territories t ON t.id = chain.ancestor_id
    WHERE t.parent_id IS NOT NULL
)
INSERT INTO initiative_rollups (indicator_id, territory_id, period, parent_id, value, count)
SELECT v.indicator_id, chain.ancestor_id, v.period, a.parent_id,
       CASE WHEN i.aggregation = 'mean' THEN AVG(v.value) ELSE SUM(v.value) END, COUNT(*)
FROM initiative_values v
JOIN initiative_indicators i ON i.id = v.indicator_id
JOIN chain ON chain.territory_id = v.territory_id
JOIN territories a ON a.id = chain.ancestor_id
WHERE v.indicator_id IN ({ids})
GROUP BY v.indicator_id, chain.ancestor_id, v.period, a.parent_id, i.aggregation
"""


def refresh_rollup(indicator_ids: list[int]) -> None:
    """Recompute the roll-up of these indicators in the database: a value collected at a rural district counts in
    its district, oblast and the republic; ``sum`` adds, ``mean`` averages the collected values below."""
    ids = sorted({int(i) for i in indicator_ids})
    if not ids:
        return
    db.session.execute(delete(Rollup).where(Rollup.indicator_id.in_(ids)))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        db.session.execute(text(_ROLLUP.format(ids=", ".join(str(i) for i in chunk))))
    db.session.flush()


def rolled(indicator: Indicator, territory: Territory, period: str) -> float | None:
    return db.session.scalar(
        select(Rollup.value).where(
            Rollup.indicator_id == indicator.id, Rollup.territory_id == territory.id, Rollup.period == period
        )
    )


def periods(indicator: Indicator, initiative_territory: Territory) -> list[str]:
    """The periods with values: every value lies inside the initiative's territory, so its own roll-up rows list
    them all (a primary-key range, not a scan of the indicator's rows)."""
    return list(
        db.session.scalars(
            select(Rollup.period)
            .where(Rollup.indicator_id == indicator.id, Rollup.territory_id == initiative_territory.id)
            .order_by(Rollup.period)
        )
    )


def series(indicator: Indicator, territory: Territory) -> list[tuple[str, float]]:
    """The rolled-up value of ``territory`` per period, oldest first (the progress chart)."""
    return [
        (p, v)
        for p, v in db.session.execute(
            select(Rollup.period, Rollup.value)
            .where(Rollup.indicator_id == indicator.id, Rollup.territory_id == territory.id)
            .order_by(Rollup.period)
        )
    ]


@dataclass(frozen=True)
class Place:
    territory: Territory
    value: float
    count: int
    rank: str  # "worst" | "middle" | "best": the CSS class of the cell


def territory_view(indicator: Indicator, territory: Territory, period: str) -> list[Place]:
    """The territories directly below ``territory`` with their rolled-up value in ``period``, worst first, each
    ranked into thirds (worst, middle, best) by the indicator's direction. One indexed query."""
    order = Rollup.value.asc() if indicator.higher_is_better else Rollup.value.desc()
    rows = db.session.execute(
        select(Territory, Rollup.value, Rollup.count)
        .join(Territory, Territory.id == Rollup.territory_id)
        .where(Rollup.indicator_id == indicator.id, Rollup.period == period, Rollup.parent_id == territory.id)
        .order_by(order, Territory.code)
    ).all()
    n = len(rows)
    places = []
    for i, (t, value, count) in enumerate(rows):
        third = (3 * i) // n if n else 0
        places.append(Place(t, value, count, ("worst", "middle", "best")[third]))
    return places


def progress(indicator: Indicator, territory: Territory) -> dict:
    """First and latest value at ``territory``, and how far towards the target (percent; None without one)."""
    points = series(indicator, territory)
    if not points:
        return {"first": None, "latest": None, "share": None, "points": []}
    first, latest = points[0][1], points[-1][1]
    share = None
    if indicator.target_value is not None and indicator.target_value != first:
        share = round(100 * (latest - first) / (indicator.target_value - first), 1)
    return {"first": first, "latest": latest, "share": share, "points": points}


def value_count(initiative: Initiative) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Value)
            .join(Indicator, Indicator.id == Value.indicator_id)
            .where(Indicator.initiative_id == initiative.id)
        )
        or 0
    )
