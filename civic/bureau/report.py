"""The bureau's annual alternative report: aggregated, anonymised statistics with small-cell suppression.

No cell under 5 cases is shown. When a group shows its total and exactly one cell in it is suppressed, the next
smallest cell is suppressed too, so the hidden value cannot be recovered by subtraction. A rate is hidden when its
base is under 5 or when the cases it counts (or the ones it does not) are between 1 and 4.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from civic import db
from civic.bureau import clock
from civic.bureau.models import Case, Referral, ReferralAnswer
from civic.bureau.models.enums import (
    CHANNEL_LABELS,
    CLOCK_REFERRAL_STATES,
    FOLLOW_UP_LABELS,
    OUTCOME_LABELS,
    ReferralState,
    Verdict,
)
from civic.core import deadlines
from civic.core.i18n import sort_by_name
from civic.identity.models import Category, StateBody, Territory

THRESHOLD = 5


def suppress(counts: Mapping[Hashable, int], threshold: int = THRESHOLD) -> dict[Hashable, int | None]:
    """Hide (None) every count from 1 to ``threshold - 1``; if that hides exactly one cell, hide the next smallest."""
    shown: dict[Hashable, int | None] = {k: (None if 0 < v < threshold else v) for k, v in counts.items()}
    hidden = [k for k, v in shown.items() if v is None]
    if len(hidden) == 1:
        candidates = sorted((v, str(k), k) for k, v in shown.items() if v)
        if candidates:
            shown[candidates[0][2]] = None
    return shown


def safe_total(total: int, threshold: int = THRESHOLD) -> int | None:
    return None if 0 < total < threshold else total


def safe_rate(part: int, base: int, threshold: int = THRESHOLD) -> float | None:
    """``part / base`` unless it would reveal a small number of cases."""
    if base < threshold or 0 < part < threshold or 0 < base - part < threshold:
        return None
    return part / base


@dataclass
class Row:
    key: str
    label: str
    value: int | None
    extra: dict = field(default_factory=dict)


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row]
    total: int | None = None
    chart: bool = True


@dataclass
class BodyRow:
    code: str
    name: str
    referrals: int | None
    on_time: int | None
    late: int | None
    overdue_now: int | None
    compliance: float | None
    reviewed: int | None
    evasive: int | None
    evasive_rate: float | None


@dataclass
class AnnualReport:
    year: int
    sections: list[Section]
    bodies: list[BodyRow]
    cases_total: int | None

    @property
    def compliance_section(self) -> Section:
        title = str(_l("Share of accepted answers given on time"))
        return Section("compliance", title, [Row(b.code, b.name, b.compliance) for b in self.bodies], chart=True)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The local (Asia/Almaty) calendar year as UTC instants."""
    return deadlines.start_of_local_day(date(year, 1, 1)), deadlines.start_of_local_day(date(year + 1, 1, 1))


def available_years() -> list[int]:
    first = db.session.scalar(select(func.min(Case.created_at)))
    this_year = deadlines.local_date(clock.now()).year
    start = deadlines.local_date(first).year if first else this_year
    return list(range(this_year, start - 1, -1))


def _grouped(column, *conditions) -> dict:
    return dict(db.session.execute(select(column, func.count()).where(*conditions).group_by(column)).all())


def _section(key: str, title, counts: Mapping, labels: Mapping) -> Section:
    shown = suppress(counts)
    rows = [Row(str(k), str(labels.get(k, k)), shown[k]) for k in counts]
    return Section(key, str(title), rows, safe_total(sum(counts.values())))


def _in_order(counts: Mapping[str, int], labels: Mapping) -> tuple[dict[str, int], dict[str, str]]:
    """Every value of a vocabulary in its own order, zeros included."""
    return {k.value: counts.get(k.value, 0) for k in labels}, {k.value: labels[k] for k in labels}


def _by_code(counts: Mapping[int, int], model) -> tuple[dict[str, int], dict[str, str]]:
    """Re-key counts by id to stable codes, and give each code its localised name."""
    objects = {o.id: o for o in db.session.scalars(select(model).where(model.id.in_(list(counts) or [-1])))}
    ordered = sorted(counts, key=lambda i: getattr(objects[i], "path", objects[i].code))
    return {objects[i].code: counts[i] for i in ordered}, {objects[i].code: objects[i].name for i in ordered}


def build(year: int) -> AnnualReport:
    """Compute the report for ``year`` (cases opened that year; referrals referred that year)."""
    start, end = year_bounds(year)
    opened = (Case.created_at >= start, Case.created_at < end)
    sections = [
        _by_month(year, start, end),
        _section("category", _l("Cases by area"), *_by_code(_grouped(Case.category_id, *opened), Category)),
        _section(
            "territory",
            _l("Cases by territory"),
            *_by_code(_territory_rollup(_grouped(Case.territory_id, *opened)), Territory),
        ),
        _section("channel", _l("Cases by channel"), *_in_order(_grouped(Case.channel, *opened), CHANNEL_LABELS)),
        _section(
            "outcome",
            _l("Outcomes of the cases resolved that year"),
            *_in_order(_grouped(Case.outcome, Case.resolved_at >= start, Case.resolved_at < end), OUTCOME_LABELS),
        ),
        _section(
            "follow_up",
            _l("Was the problem solved? (follow-up answers)"),
            *_in_order(
                _grouped(Case.follow_up_result, Case.follow_up_answered_at >= start, Case.follow_up_answered_at < end),
                FOLLOW_UP_LABELS,
            ),
        ),
    ]
    total = db.session.scalar(select(func.count()).select_from(Case).where(*opened)) or 0
    return AnnualReport(year, sections, _bodies(start, end), safe_total(total))


def _by_month(year: int, start: datetime, end: datetime) -> Section:
    bounds = [deadlines.start_of_local_day(date(year, m, 1)) for m in range(2, 13)]
    month = case(*((Case.created_at < b, i + 1) for i, b in enumerate(bounds)), else_=12)
    counts = _grouped(month, Case.created_at >= start, Case.created_at < end)
    full = {m: counts.get(m, 0) for m in range(1, 13)}
    labels = {m: _month_name(year, m) for m in range(1, 13)}
    return _section("month", _l("Cases opened by month"), full, labels)


def _month_name(year: int, month: int) -> str:
    return format_date(date(year, month, 1), "LLLL")


def _territory_rollup(counts: Mapping[int, int]) -> dict[int, int]:
    """Count rural districts under their district so that small places do not single anyone out."""
    territories = {t.id: t for t in db.session.scalars(select(Territory))}
    rolled: dict[int, int] = {}
    for territory_id, count in counts.items():
        territory = territories[territory_id]
        if territory.level == "rural_district" and territory.parent_id:
            territory_id = territory.parent_id
        rolled[territory_id] = rolled.get(territory_id, 0) + count
    return rolled


def _bodies(start: datetime, end: datetime) -> list[BodyRow]:
    referred = (Referral.referred_at >= start, Referral.referred_at < end)
    accepted = Referral.state == ReferralState.ACCEPTED
    stats = db.session.execute(
        select(
            Referral.body_id,
            func.count(),
            func.sum(case((and_(accepted, Referral.answered_late.is_(False)), 1), else_=0)),
            func.sum(case((and_(accepted, Referral.answered_late.is_(True)), 1), else_=0)),
            func.sum(
                case(
                    (and_(Referral.state.in_(CLOCK_REFERRAL_STATES), Referral.due_at < clock.now()), 1),
                    else_=0,
                )
            ),
        )
        .where(*referred)
        .group_by(Referral.body_id)
    ).all()
    reviews = {
        body_id: (reviewed, evasive)
        for body_id, reviewed, evasive in db.session.execute(
            select(
                ReferralAnswer.body_id,
                func.count(),
                func.sum(case((ReferralAnswer.verdict == Verdict.EVASIVE, 1), else_=0)),
            )
            .where(ReferralAnswer.reviewed_at >= start, ReferralAnswer.reviewed_at < end)
            .group_by(ReferralAnswer.body_id)
        ).all()
    }
    bodies = {b.id: b for b in db.session.scalars(select(StateBody))}
    rows = []
    for body_id, total, on_time, late, overdue in stats:
        reviewed, evasive = reviews.get(body_id, (0, 0))
        on_time, late, overdue, evasive = int(on_time or 0), int(late or 0), int(overdue or 0), int(evasive or 0)
        rows.append(
            BodyRow(
                bodies[body_id].code,
                bodies[body_id].name,
                safe_total(total),
                safe_total(on_time),
                safe_total(late),
                safe_total(overdue),
                safe_rate(on_time, on_time + late),
                safe_total(reviewed),
                safe_total(evasive),
                safe_rate(evasive, reviewed),
            )
        )
    return sort_by_name(rows, key=lambda r: r.name)


def csv_rows(report: AnnualReport) -> list[list[str]]:
    """The report as CSV rows (section, item, measure, value); suppressed cells read "<5"."""

    def cell(value) -> str:
        if value is None:
            return f"<{THRESHOLD}"
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    year = str(report.year)
    rows = [
        ["year", "section", "key", "label", "measure", "value"],
        [year, "total", "cases", "", "count", cell(report.cases_total)],
    ]
    for section in report.sections:
        rows.extend([year, section.key, row.key, row.label, "count", cell(row.value)] for row in section.rows)
    for body in report.bodies:
        for measure in (
            "referrals",
            "on_time",
            "late",
            "overdue_now",
            "compliance",
            "reviewed",
            "evasive",
            "evasive_rate",
        ):
            rows.append([year, "bodies", body.code, body.name, measure, cell(getattr(body, measure))])
    return rows
