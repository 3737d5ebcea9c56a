"""What the dashboard pages show, read from ``dashboard_figures`` only (a handful of indexed queries per page):
tables of figures, each with the chart of the same figures, its CSV export and the time its figures were computed.

A table is built the same way for the page and for its CSV export (``Table.id`` names it in the export URL)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from civic import db
from civic.core import charts
from civic.core.i18n import sort_by_name
from civic.dashboards import models
from civic.dashboards.measures import ACCOUNTABILITY_COLUMNS, ACCOUNTABILITY_LABELS, Measure, family_labels
from civic.dashboards.refresh import recent_periods as refresh_periods
from civic.db import utc_now
from civic.identity.models import Category, StateBody, Territory

PERIOD_LABELS = {models.WEEK: _l("Weeks"), models.MONTH: _l("Months"), models.QUARTER: _l("Quarters")}
SUPPRESSED = None  # a suppressed cell: shown as "fewer than N", no bar drawn


@dataclass
class Cell:
    value: float | None
    unit: str = "count"
    suppressed_below: int = 0  # > 0: the value is hidden (fewer than this)

    @property
    def text(self) -> str:
        if self.suppressed_below:
            return _("fewer than %(n)s", n=self.suppressed_below)
        if self.value is None:
            return "—"
        if self.unit == "days":
            return f"{self.value:.1f}"
        if self.unit == "percent":
            return f"{self.value:.0f}%"
        return f"{self.value:,.0f}".replace(",", "\u202f")

    @property
    def plain(self) -> str:
        """For CSV: the number without grouping."""
        if self.suppressed_below:
            return f"<{self.suppressed_below}"
        if self.value is None:
            return ""
        return f"{self.value:.1f}" if self.unit == "days" else f"{self.value:.0f}"


@dataclass
class Row:
    label: str
    cells: list[Cell]
    url: str | None = None
    code: str | None = None
    total: bool = False


@dataclass
class Table:
    id: str
    title: str
    columns: list[str]
    rows: list[Row]
    refreshed_at: datetime | None = None
    chart: charts.Chart | None = None
    chart_title: str = ""
    chart_kind: str = "bars"

    @property
    def empty(self) -> bool:
        return not self.rows


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table] = field(default_factory=list)


# --- reading figures -------------------------------------------------------------------------------------------


def _figures(*conditions):
    F = models.Figure
    return db.session.execute(
        sa.select(
            F.measure_key, F.territory_id, F.body_id, F.part, F.period_kind, F.period_start, F.value, F.refreshed_at
        ).where(*conditions)
    ).all()


def last_refresh() -> models.Refresh | None:
    """The last complete refresh (every measure; the one a page states), else the last of some measures."""
    R = models.Refresh
    newest_first = sa.select(R).order_by(R.id.desc()).limit(1)
    return db.session.scalars(newest_first.where(R.measures == "")).first() or db.session.scalars(newest_first).first()


def _oldest(rows) -> datetime | None:
    return min((r.refreshed_at for r in rows), default=None)


def _by_key(rows) -> dict[str, list]:
    index: dict[str, list] = {}
    for r in rows:
        index.setdefault(r.measure_key, []).append(r)
    return index


def _summary_kind(measure: Measure) -> str:
    return models.NOW if measure.kind == "state" else models.ALL


def _family(territory: Territory) -> list[Territory]:
    """The territory's ancestors and children, in one query (kept for the request: both are asked for)."""
    cache = getattr(territory, "_dashboard_family", None)
    if cache is None:
        ids = territory.ancestor_ids[:-1]
        cache = db.session.scalars(
            sa.select(Territory).where(sa.or_(Territory.parent_id == territory.id, Territory.id.in_(ids)))
        ).all()
        territory._dashboard_family = cache
    return cache


def children(territory: Territory) -> list[Territory]:
    return sort_by_name([t for t in _family(territory) if t.parent_id == territory.id])


def ancestors(territory: Territory) -> list[Territory]:
    ids = territory.ancestor_ids[:-1]
    found = {t.id: t for t in _family(territory)}
    return [found[i] for i in ids if i in found]


def bodies_of(territory: Territory) -> list[StateBody]:
    return sort_by_name(db.session.scalars(sa.select(StateBody).where(StateBody.territory_id == territory.id)).all())


def _category_names() -> dict[str, str]:
    return {str(c.id): c.name for c in db.session.scalars(sa.select(Category))}


def _cell(measure: Measure, value, public: bool) -> Cell:
    if public and measure.suppress_below and value is not None and 0 < value < measure.suppress_below:
        return Cell(None, measure.unit, suppressed_below=measure.suppress_below)
    if value is None and measure.rollup == "sum":
        value = 0.0
    return Cell(value, measure.unit)


def _bars(rows: list[Row], column: int = 0) -> charts.Chart:
    return charts.horizontal_bars(
        [(r.label, None if r.cells[column].suppressed_below else (r.cells[column].value or 0)) for r in rows],
        limit=None,
    )


# --- the akimat's dashboard ------------------------------------------------------------------------------------


def recent_periods(kind: str, now: datetime | None = None) -> list[date]:
    return refresh_periods(kind, (now or utc_now()).date())


def _period_label(kind: str, start: date) -> str:
    if kind == models.QUARTER:
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    if kind == models.MONTH:
        return start.strftime("%Y-%m")
    return start.isoformat()


def dashboard_sections(
    territory: Territory, measures: list[Measure], period: str, url_for_territory, public: bool = False
) -> list[Section]:
    """Every section of a territory's dashboard: comparison of the territories below, trend, breakdowns, bodies."""
    below = children(territory)
    bodies = bodies_of(territory)
    keys = [m.key for m in measures]
    F = models.Figure
    territory_ids = [territory.id, *(t.id for t in below)]
    starts = recent_periods(period)
    # "(body_id + 0) IS NULL": the same test, written so that the planner finds these rows by territory (a few
    # hundred) rather than by the body index, where every territory's figure has body_id NULL
    no_body = (F.body_id + 0).is_(None)
    summary_condition = sa.and_(
        F.territory_id.in_(territory_ids),
        no_body,
        F.period_kind.in_((models.NOW, models.ALL)),
        sa.or_(F.part == "", F.territory_id == territory.id),  # breakdowns only for the territory itself
    )
    trend_condition = sa.and_(
        F.territory_id == territory.id,
        no_body,
        F.period_kind == period,
        F.period_start >= starts[0],
        F.part == "",
    )
    body_condition = sa.and_(
        F.body_id.in_([b.id for b in bodies]), F.period_kind.in_((models.NOW, models.ALL)), F.part == ""
    )
    rows = _figures(  # one query for the whole page
        F.measure_key.in_(keys),
        sa.or_(summary_condition, trend_condition, body_condition)
        if bodies
        else sa.or_(summary_condition, trend_condition),
    )
    summary = [r for r in rows if r.body_id is None and r.period_kind in (models.NOW, models.ALL)]
    trend = [r for r in rows if r.body_id is None and r.period_kind == period]
    per_body = [r for r in rows if r.body_id is not None]
    summary_kind = {m.key: _summary_kind(m) for m in measures}
    value = {
        (r.measure_key, r.territory_id, r.part): r.value
        for r in summary
        if r.period_kind == summary_kind[r.measure_key]
    }
    trend_value = {(r.measure_key, r.period_start): r.value for r in trend}
    body_value = {(r.measure_key, r.body_id): r.value for r in per_body}
    categories = _category_names() if any(m.breakdown == "category" for m in measures) else {}
    # the page's figures by measure, read once (each table takes its measures' rows from here)
    summary_of, trend_of, body_of = _by_key(summary), _by_key(trend), _by_key(per_body)
    parts_of: dict[str, list[tuple[str, float]]] = {}
    for (k, t, p), v in value.items():
        if t == territory.id and p:
            parts_of.setdefault(k, []).append((p, v))

    def oldest(index: dict, keys) -> datetime | None:
        return min((r.refreshed_at for k in keys for r in index.get(k, ())), default=None)

    sections: dict[str, Section] = {}
    for m in measures:
        sections.setdefault(m.module, Section(m.module, str(m.section)))
    for module, section in sections.items():
        own = [m for m in measures if m.module == module]
        plain = own  # a breakdown's total (part '') is a figure like any other
        if plain:
            rows = [
                Row(
                    t.name,
                    [_cell(m, value.get((m.key, t.id, "")), public) for m in plain],
                    url=None if t is territory else url_for_territory(t),
                    code=t.code,
                    total=t is territory,
                )
                for t in [territory, *below]
            ]
            plain_keys = {m.key for m in plain}
            fresh = oldest(summary_of, plain_keys)
            table = Table(
                f"{module}-compare",
                _(
                    "%(section)s: %(territory)s and the territories below",
                    section=section.title,
                    territory=territory.name,
                )
                if below
                else _("%(section)s: %(territory)s", section=section.title, territory=territory.name),
                [str(m.label) for m in plain],
                rows,
                fresh,
            )
            if below:
                table.chart = _bars(rows[1:])
                table.chart_title = _("%(measure)s by territory", measure=plain[0].label)
            section.tables.append(table)
        flows = [m for m in plain if m.kind == "flow"]
        flow_keys = {m.key for m in flows}
        if flows:
            rows = [
                Row(
                    _period_label(period, start),
                    [_cell(m, trend_value.get((m.key, start)), public) for m in flows],
                )
                for start in starts
            ]
            table = Table(
                f"{module}-trend",
                _(
                    "%(section)s over time (%(periods)s)",
                    section=section.title,
                    periods=str(PERIOD_LABELS[period]).lower(),
                ),
                [str(m.label) for m in flows],
                rows,
                oldest(trend_of, flow_keys) or fresh,
                chart_kind="columns",
            )
            table.chart = charts.columns([(r.label[-5:], r.cells[0].value or 0) for r in rows], fit_labels=True)
            table.chart_title = _("%(measure)s by period", measure=flows[0].label)
            section.tables.append(table)
        for m in (m for m in own if m.breakdown is not None):
            parts = list(parts_of.get(m.key, ()))
            parts.sort(key=lambda item: -item[1])
            rows = [Row(m.part_label(p, categories), [_cell(m, v, public)]) for p, v in parts]
            table = Table(
                f"{m.key.replace('.', '-')}-parts",
                _("%(measure)s: %(territory)s", measure=m.label, territory=territory.name),
                [str(m.label)],
                rows,
                oldest(summary_of, (m.key,)),
            )
            if rows:
                table.chart = _bars(rows[:15])
                table.chart_title = str(m.label)
            section.tables.append(table)
        body_measure_keys = {k for k, _b in body_value}
        with_bodies = [m for m in plain if m.key in body_measure_keys]
        body_keys = {m.key for m in with_bodies}
        if with_bodies and bodies:
            rows = [Row(b.name, [_cell(m, body_value.get((m.key, b.id)), public) for m in with_bodies]) for b in bodies]
            table = Table(
                f"{module}-bodies",
                _("%(section)s by state body of %(territory)s", section=section.title, territory=territory.name),
                [str(m.label) for m in with_bodies],
                rows,
                oldest(body_of, body_keys),
            )
            table.chart = _bars(rows)
            table.chart_title = _("%(measure)s by state body", measure=with_bodies[0].label)
            section.tables.append(table)
    return list(sections.values())


# --- the public accountability page ----------------------------------------------------------------------------


def accountability_tables(territory: Territory, measures: list[Measure], url_for_territory) -> list[Table]:
    """Per family (appeals, petitions, recommendations): received, answered on time, late, not at all and the
    median answer time, for the territory, each territory below it, and each state body of the territory."""
    placed = [m for m in measures if m.public and m.accountability]
    families: dict[str, dict[str, Measure]] = defaultdict(dict)
    for m in placed:
        families[m.accountability[0]][m.accountability[1]] = m
    if not families:
        return []
    below = children(territory)
    bodies = bodies_of(territory)
    F = models.Figure
    keys = [m.key for m in placed]
    territory_rows = _figures(
        F.territory_id.in_([territory.id, *(t.id for t in below)]),
        F.body_id.is_(None),
        F.period_kind.in_((models.NOW, models.ALL)),
        F.measure_key.in_(keys),
        F.part == "",
    )
    body_rows = (
        _figures(
            F.body_id.in_([b.id for b in bodies]),
            F.period_kind.in_((models.NOW, models.ALL)),
            F.measure_key.in_(keys),
            F.part == "",
        )
        if bodies
        else []
    )
    by_territory = {(r.measure_key, r.territory_id): r.value for r in territory_rows}
    by_body = {(r.measure_key, r.body_id): r.value for r in body_rows}
    labels = family_labels()
    tables = []
    for family, columns in families.items():
        present = [c for c in ACCOUNTABILITY_COLUMNS if c in columns]
        heads = [str(ACCOUNTABILITY_LABELS[c]) for c in present]
        own_keys = {m.key for m in columns.values()}
        rows = [
            Row(
                t.name,
                [_cell(columns[c], by_territory.get((columns[c].key, t.id)), True) for c in present],
                url=None if t is territory else url_for_territory(t),
                code=t.code,
                total=t is territory,
            )
            for t in [territory, *below]
        ]
        table = Table(
            f"{family}-territories",
            _("%(family)s: %(territory)s and the territories below", family=labels[family], territory=territory.name),
            heads,
            rows,
            _oldest([r for r in territory_rows if r.measure_key in own_keys]),
        )
        if below:
            table.chart = _bars(rows[1:])
            table.chart_title = _("%(measure)s by territory", measure=ACCOUNTABILITY_LABELS[present[0]])
        tables.append(table)
        body_table_rows = [
            Row(b.name, [_cell(columns[c], by_body.get((columns[c].key, b.id)), True) for c in present])
            for b in bodies
            if any((columns[c].key, b.id) in by_body for c in present)
        ]
        if body_table_rows:
            table = Table(
                f"{family}-bodies",
                _("%(family)s by state body of %(territory)s", family=labels[family], territory=territory.name),
                heads,
                body_table_rows,
                _oldest([r for r in body_rows if r.measure_key in own_keys]),
            )
            table.chart = _bars(body_table_rows)
            table.chart_title = _("%(measure)s by state body", measure=ACCOUNTABILITY_LABELS[present[0]])
            tables.append(table)
    return tables


# --- CSV -------------------------------------------------------------------------------------------------------


def csv_text(table: Table, first_column: str) -> str:
    """The table as CSV through the platform's formula-safe writer, with when its figures were computed."""
    from civic.core.csv_export import to_csv

    rows = [[row.label, *(cell.plain for cell in row.cells)] for row in table.rows]
    if table.refreshed_at is not None:
        rows += [[], [_("Figures computed at"), table.refreshed_at.isoformat(timespec="minutes")]]
    return to_csv(rows, [first_column, *table.columns])
