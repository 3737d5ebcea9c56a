"""The results of a study across rounds — convergence per item, Kendall's W, stability, response rates, stopping
decisions — and the exports (report JSON, CSV of per-round statistics). Everything goes through the redacted
report: no individual answer, no raw list, no min/max, nothing below n_min."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from civic.config import LANGUAGES
from civic.core import charts
from civic.core.csv_export import SafeWriter
from civic.delphi.analysis import effective_config, redact_report
from civic.delphi.items import format_number, likert_iqr_text
from civic.delphi.labels import SCHMIDT, decision_label, decision_reason, format_p, status_label, verdict_label
from civic.delphi.links import linked_object
from civic.delphi.models import DelphiItem, DelphiRound, DelphiStudy, ItemKind


def visible_rounds(study: DelphiStudy, organiser: bool) -> list[DelphiRound]:
    """Closed rounds for the organiser; published rounds for everyone else."""
    return study.closed_rounds if organiser else study.published_rounds


def latest_report(study: DelphiStudy, rounds: list[DelphiRound]) -> dict:
    """The redacted report of the last visible round (it covers every round up to it)."""
    if not rounds or not rounds[-1].report:
        return {}
    return redact_report(rounds[-1].report, effective_config(study)["n_min"]) or {}


@dataclass
class Convergence:
    item: DelphiItem
    status: str
    chart: charts.Chart | None
    head: list[str]
    rows: list[list[str]] = field(default_factory=list)
    stability: list[list[str]] = field(default_factory=list)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def asked_in(item: DelphiItem, number: int) -> bool:
    """Whether the item was asked in round ``number`` (from its first round until it was retired)."""
    return (
        item.first_round is not None
        and item.first_round <= number
        and (item.retired_after_round is None or number <= item.retired_after_round)
    )


def _item_series(item: DelphiItem, report: dict) -> list[tuple[int, dict | None]]:
    """(round, redacted statistics or None) for each round that asked the item."""
    out = []
    for entry in report.get("per_round", []):
        if item.kind == ItemKind.RANKING:
            block = (entry.get("parts") or {}).get(item.code)
            stat = None if not block or block.get("display_suppressed") else block
        else:
            stat = (entry.get("items") or {}).get(item.code)
            stat = None if not stat or stat.get("display_suppressed") else stat
        if asked_in(item, entry["round"]):
            out.append((entry["round"], stat))
    return out


def convergence(item: DelphiItem, report: dict, final: bool = False) -> Convergence:
    """How one item converged over the rounds: a chart and a table per round, and the stability tests."""
    series = _item_series(item, report)
    last = (report.get("stopping") or [{}])[-1].get("item_status", {}).get(item.code)
    rounds = [r for r, _s in series]
    if item.kind in (ItemKind.LIKERT, ItemKind.NUMERIC):
        view = _median_convergence(item, series, rounds)
    elif item.kind == ItemKind.RANKING:
        view = _share_convergence(item, series, rounds, "ranking")
    else:
        view = _share_convergence(item, series, rounds, "choice")
    view.status = status_label(last or item.final_status, item, final=final)
    view.stability = _stability_rows(item, report)
    return view


def _median_convergence(item: DelphiItem, series, rounds) -> Convergence:
    med = [s["median"] if s else None for _r, s in series]
    q1 = [s["q1"] if s else None for _r, s in series]
    q3 = [s["q3"] if s else None for _r, s in series]
    if item.kind == ItemKind.LIKERT:
        low, high = 1.0, float(item.scale_points)
    else:  # zoom on the quartiles (never beyond the item's bounds), so the movement is visible
        known = [v for v in q1 + q3 if v is not None] or [0.0, 1.0]
        pad = max((max(known) - min(known)) * 0.25, abs(max(known)) * 0.05, 1.0)
        low, high = min(known) - pad, max(known) + pad
        low = max(low, item.min_value) if item.min_value is not None else low
        high = min(high, item.max_value) if item.max_value is not None else high
    chart = (
        charts.convergence(_("Median and interquartile range per round"), rounds, med, q1, q3, low, high)
        if any(v is not None for v in med)
        else None
    )
    head = [
        _("Round"),
        _("Answers"),
        _("Median"),
        _("Interquartile range"),
        _("Agree") if item.kind == ItemKind.LIKERT else _("Coefficient of variation"),
        _("Verdict"),
    ]
    rows = []
    for number, s in series:
        if s is None:
            rows.append([str(number), _("fewer than the minimum"), "—", "—", "—", verdict_label("insufficient")])
            continue
        extra = _pct(s.get("pct_agree")) if item.kind == ItemKind.LIKERT else format_number(s.get("cv"), 3)
        rows.append(
            [
                str(number),
                str(s["n"]),
                format_number(s["median"]),
                _("%(range)s (IQR %(iqr)s)", range=likert_iqr_text(s), iqr=format_number(s["iqr"]))
                if item.kind == ItemKind.LIKERT
                else f"{format_number(s['q1'])}–{format_number(s['q3'])}",
                extra,
                verdict_label(s["verdict"], item),
            ]
        )
    return Convergence(item, "", chart, head, rows)


def _share_convergence(item: DelphiItem, series, rounds, kind: str) -> Convergence:
    if kind == "ranking":
        values = [(s.get("kendall_w") or {}).get("W") if s else None for _r, s in series]
        title, head = (
            _("Kendall's W per round"),
            [_("Round"), _("Complete rankings"), _("Kendall's W"), _("Agreement"), _("Verdict")],
        )
    else:
        values = [s.get("modal_share") if s else None for _r, s in series]
        title, head = (
            _("Share of the most frequent answer per round"),
            [_("Round"), _("Answers"), _("Most frequent answer"), _("Its share"), _("Verdict")],
        )
    chart = (
        charts.convergence(
            title, rounds, values, [None] * len(values), [None] * len(values), 0.0, 1.0, percent=kind != "ranking"
        )
        if any(v is not None for v in values)
        else None
    )
    rows = []
    for (number, s), value in zip(series, values, strict=True):
        if s is None:
            rows.append([str(number), _("fewer than the minimum"), "—", "—", verdict_label("insufficient")])
        elif kind == "ranking":
            rows.append(
                [
                    str(number),
                    str(s["kendall_w"].get("m")),
                    format_number(value, 3),
                    str(SCHMIDT.get(s.get("schmidt_label"), "—")),
                    verdict_label(s["verdict"], item),
                ]
            )
        else:
            mode = verdict_label(f"consensus_{s['mode']}", item).split(": ", 1)[-1] if s.get("mode") else "—"
            rows.append([str(number), str(s["n"]), mode, _pct(value), verdict_label(s["verdict"], item)])
    return Convergence(item, "", chart, head, rows)


def _stability_rows(item: DelphiItem, report: dict) -> list[list[str]]:
    rows = []
    for trans in report.get("stability", []):
        if not (asked_in(item, trans["from_round"]) and asked_in(item, trans["to_round"])):
            continue
        if item.kind == ItemKind.RANKING:
            block = (trans.get("parts") or {}).get(item.code)
            if block:
                rows.append(
                    [
                        f"{trans['from_round']}→{trans['to_round']}",
                        "—",
                        "—",
                        format_number(block.get("delta_W"), 3),
                        _("yes") if block.get("stable") else _("no"),
                    ]
                )
            continue
        stat = (trans.get("items") or {}).get(item.code)
        if not stat:
            continue
        if stat.get("display_suppressed"):
            rows.append([f"{trans['from_round']}→{trans['to_round']}", _("fewer than the minimum"), "—", "—", _("no")])
            continue
        test = stat.get("wilcoxon") or stat.get("mcnemar_exact") or {}
        rows.append(
            [
                f"{trans['from_round']}→{trans['to_round']}",
                str(stat.get("n_pairs")),
                format_p(test.get("p")),
                _pct(stat.get("tvd")) if stat.get("tvd") is not None else _pct(stat.get("rel_median_change")),
                _("yes") if stat.get("stable") else _("no"),
            ]
        )
    return rows


def kendall_rows(study: DelphiStudy, rounds: list[DelphiRound], report: dict) -> list[list[str]]:
    """Kendall's W per round: across the Likert items asked (per scale) and over the options of each ranking."""
    n_min = effective_config(study)["n_min"]
    rows = []
    for rnd in rounds:
        for part, w in ((rnd.extras or {}).get("likert_w", {}).get(str(rnd.number), {})).items():
            rows.append(
                _w_row(rnd.number, _("Likert items, %(k)s-point scale", k=part.removeprefix("likert")), w, n_min)
            )
        entry = next((e for e in report.get("per_round", []) if e["round"] == rnd.number), {})
        for item in rnd.items:
            if item.kind == ItemKind.RANKING:
                block = (entry.get("parts") or {}).get(item.code) or {}
                rows.append(
                    _w_row(rnd.number, _("Ranking %(code)s", code=item.code), block.get("kendall_w") or {}, n_min)
                )
    return rows


def _w_row(number: int, scope: str, w: dict, n_min: int) -> list[str]:
    if w.get("display_suppressed") or (w.get("m") or 0) < n_min:
        return [str(number), scope, _("fewer than the minimum"), "—", "—"]
    return [str(number), scope, str(w["m"]), format_number(w.get("W"), 3), format_p(w.get("p"))]


def response_rows(rounds: list[DelphiRound]) -> list[dict[str, Any]]:
    return [
        {
            "round": r.number,
            "responded": r.responded_count or 0,
            "invited": r.invited_count,
            "rate": (r.responded_count or 0) / r.invited_count if r.invited_count else 0,
        }
        for r in rounds
    ]


def stopping_rows(study: DelphiStudy, rounds: list[DelphiRound]) -> list[dict[str, Any]]:
    config = effective_config(study)
    return [
        {
            "round": r.number,
            "decision": decision_label((r.stopping or {}).get("decision")),
            "code": (r.stopping or {}).get("decision"),
            "reason": decision_reason(r.stopping, config),
        }
        for r in rounds
    ]


# --- exports ---------------------------------------------------------------------------------------------------


def export_json(study: DelphiStudy, rounds: list[DelphiRound], viewer=None) -> dict[str, Any]:
    """The redacted report with the study's description, configuration, items and round dates (the linked object
    only if ``viewer``, None for the public, may see it)."""
    report = latest_report(study, rounds)
    link = linked_object(study, viewer)
    return {
        "study": {
            "id": study.id,
            **{f"title_{lang}": getattr(study, f"title_{lang}") for lang in LANGUAGES},
            "status": study.status,
            "linked_object": {"type": link.type, "id": link.id} if link else None,
            "finish_reason": study.finish_reason,
            "configuration": effective_config(study),
        },
        "items": [_item_json(item) for item in study.items if item.first_round is not None],
        "rounds": [
            {
                "round": r.number,
                "opened_at": r.opened_at.isoformat(),
                "deadline": r.deadline.isoformat(),
                "closed_at": r.closed_at.isoformat() if r.closed_at else None,
                "invited": r.invited_count,
                "responded": r.responded_count,
                "items": [i.code for i in r.items],
            }
            for r in rounds
        ],
        "report": report,
        "kendall_w_items_asked": _redacted_likert_w(study, rounds),
    }


def _item_json(item: DelphiItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "kind": item.kind,
        **{f"text_{lang}": getattr(item, f"text_{lang}") for lang in LANGUAGES},
        "scale_points": item.scale_points,
        "scale_preset": item.scale_preset,
        "options": item.options,
        "unit": item.unit,
        "min_value": item.min_value,
        "max_value": item.max_value,
        "first_round": item.first_round,
        "retired_after_round": item.retired_after_round,
        "final_status": item.final_status,
    }


def _redacted_likert_w(study: DelphiStudy, rounds: list[DelphiRound]) -> dict[str, Any]:
    n_min = effective_config(study)["n_min"]
    out: dict[str, Any] = {}
    for rnd in rounds:
        for part, w in ((rnd.extras or {}).get("likert_w", {}).get(str(rnd.number), {})).items():
            hidden = w.get("display_suppressed") or (w.get("m") or 0) < n_min
            out.setdefault(str(rnd.number), {})[part] = {"display_suppressed": True} if hidden else w
    return out


CSV_FIELDS = (
    "round",
    "item",
    "kind",
    "question",
    "n",
    "median",
    "q1",
    "q3",
    "iqr",
    "mean",
    "sd",
    "cv",
    "pct_agree",
    "pct_disagree",
    "mode",
    "modal_share",
    "kendall_w",
    "verdict",
    "status",
    "suppressed",
)


def export_csv(study: DelphiStudy, rounds: list[DelphiRound]) -> str:
    """Aggregated statistics per round and item (one row each); suppressed rows carry no figures."""
    report = latest_report(study, rounds)
    buffer = io.StringIO()
    writer = SafeWriter(buffer, fieldnames=CSV_FIELDS)
    writer.writeheader()
    stops = {s["after_round"]: s.get("item_status", {}) for s in report.get("stopping", [])}
    for entry in report.get("per_round", []):
        rnd = next((r for r in rounds if r.number == entry["round"]), None)
        for item in rnd.items if rnd else []:
            writer.writerow(_csv_row(entry, item, stops.get(entry["round"], {}).get(item.code)))
    return buffer.getvalue()


def _csv_row(entry: dict, item: DelphiItem, status: str | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "round": entry["round"],
        "item": item.code,
        "kind": item.kind,
        "question": item.text,
        "status": status or "",
    }
    if item.kind == ItemKind.RANKING:
        block = (entry.get("parts") or {}).get(item.code) or {}
        if block.get("display_suppressed") or not block:
            return {**row, "suppressed": "yes", "verdict": "insufficient"}
        return {
            **row,
            "n": block["kendall_w"].get("m"),
            "kendall_w": block["kendall_w"].get("W"),
            "verdict": block.get("verdict"),
            "suppressed": "no",
        }
    stat = (entry.get("items") or {}).get(item.code) or {}
    if stat.get("display_suppressed") or not stat:
        return {**row, "suppressed": "yes", "verdict": "insufficient"}
    keys = (
        "n",
        "median",
        "q1",
        "q3",
        "iqr",
        "mean",
        "sd",
        "cv",
        "pct_agree",
        "pct_disagree",
        "mode",
        "modal_share",
        "verdict",
    )
    return {**row, **{key: stat.get(key) for key in keys if key in stat}, "suppressed": "no"}
