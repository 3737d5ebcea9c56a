"""The bridge to the statistics engine: build ``analyse_study``'s input from the database, add what the app needs
(per-round Kendall's W over the items actually asked, rank quartiles for the IQR rule), and redact reports for
display and export (n_min suppression, no attrition comparisons)."""

from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any

import numpy as np
from sqlalchemy import select

from civic import db
from civic.delphi.models import DelphiAnswer, DelphiItem, DelphiRound, DelphiStudy, ItemKind
from civic.delphi.stats import DEFAULT_CONFIG, analyse_study

#: Configuration keys the organiser may set (the spec's §3 keys; bands and iqr_max follow each item's scale).
CONFIG_KEYS = (
    "preset",
    "n_min",
    "agree_threshold",
    "modal_threshold",
    "cv_max",
    "w_min",
    "alpha",
    "tvd_max",
    "rel_median_change_max",
    "cv_change_max",
    "delta_w_max",
    "min_rounds",
    "max_rounds",
    "min_response_rate",
    "tw_min",
    "retire_closed_items",
)


def effective_config(study: DelphiStudy) -> dict[str, Any]:
    """The study's configuration: spec defaults overridden by the organiser's choices."""
    return {key: (study.config or {}).get(key, DEFAULT_CONFIG[key]) for key in CONFIG_KEYS}


def option_column(item: DelphiItem, option_id: str) -> str:
    return f"{item.code}:{option_id}"


def _part_of(item: DelphiItem) -> tuple[str, dict[str, Any]]:
    """The engine part an item belongs to: Likert items by scale length, numeric and yes/no items together,
    every ranking and categorical item on its own (their categories or options differ)."""
    if item.kind == ItemKind.LIKERT:
        return f"likert{item.scale_points}", {"type": "likert", "scale": [1, item.scale_points]}
    if item.kind == ItemKind.NUMERIC:
        return "numeric", {"type": "numeric"}
    if item.kind == ItemKind.YES_NO:
        return "yes_no", {"type": "binary", "categories": ["no", "yes"], "yes_category": "yes"}
    if item.kind == ItemKind.RANKING:
        return item.code, {"type": "ranking", "input_kind": "ranks"}
    return item.code, {"type": "binary", "categories": item.option_ids()}


def build_parts(items: list[DelphiItem]) -> list[dict[str, Any]]:
    parts: dict[str, dict[str, Any]] = {}
    for item in items:
        part_id, head = _part_of(item)
        part = parts.setdefault(part_id, {"id": part_id, **head, "items": []})
        if item.kind == ItemKind.RANKING:
            part["options"] = [option_column(item, oid) for oid in item.option_ids()]
            part.pop("items", None)
        else:
            part["items"].append(item.code)
        if item.kind == ItemKind.NUMERIC:
            part.setdefault("ratio_scale", [])
            if item.ratio_scale:
                part["ratio_scale"].append(item.code)
    return list(parts.values())


def _cells(item: DelphiItem, value: Any) -> dict[str, Any]:
    if item.kind == ItemKind.RANKING:
        return {option_column(item, oid): rank for oid, rank in (value or {}).items()}
    return {item.code: value}


def load_responses(rounds: list[DelphiRound], items_by_id: dict[int, DelphiItem]) -> list[dict[str, dict]]:
    """One {pseudonym: {column: value}} per round."""
    ids = [r.id for r in rounds]
    grids: dict[int, dict[str, dict]] = {rid: defaultdict(dict) for rid in ids}
    rows = db.session.execute(
        select(DelphiAnswer.round_id, DelphiAnswer.pseudonym, DelphiAnswer.item_id, DelphiAnswer.value).where(
            DelphiAnswer.round_id.in_(ids)
        )
    ).all()
    for round_id, pseudonym, item_id, value in rows:
        item = items_by_id.get(item_id)
        if item is not None:
            grids[round_id][pseudonym].update(_cells(item, value))
    return [dict(grids[rid]) for rid in ids]


def study_input(study: DelphiStudy, rounds: list[DelphiRound]) -> dict[str, Any]:
    """analyse_study's input (§5, mixed types in parts) for the given closed voting rounds."""
    asked = {item.id for r in rounds for item in r.items}
    items = [item for item in study.items if item.id in asked]
    responses = load_responses(rounds, {item.id: item for item in items})
    panelists = sorted({p for grid in responses for p in grid})
    return {
        "type": "mixed",
        "parts": build_parts(items),
        "panelists": panelists,
        "responses": responses,
        "invited": [r.invited_count for r in rounds],
        "config": effective_config(study),
    }


def analyse_rounds(study: DelphiStudy, rounds: list[DelphiRound]) -> tuple[dict, dict]:
    """Return (report, extras) over the given closed voting rounds."""
    data = study_input(study, rounds)
    report = analyse_study(data)
    extras = {"likert_w": _likert_w_by_round(study, rounds, data), "rank_quartiles": _rank_quartiles(data, rounds)}
    return report, extras


def _likert_w_by_round(study: DelphiStudy, rounds: list[DelphiRound], data: dict) -> dict[str, dict]:
    """Kendall's W across the Likert items asked in each round (retired items would otherwise drop every judge)."""
    out: dict[str, dict] = {}
    for index, rnd in enumerate(rounds):
        asked = [item for item in rnd.items if item.kind == ItemKind.LIKERT]
        for part in build_parts(asked):
            if len(part["items"]) < 2:
                continue
            sub = {key: part[key] for key in ("type", "scale", "items")}
            grid = {p: {c: row[c] for c in part["items"] if c in row} for p, row in data["responses"][index].items()}
            report = analyse_study(
                {
                    **sub,
                    "panelists": data["panelists"],
                    "responses": [grid],
                    "invited": [rnd.invited_count],
                    "config": data["config"],
                }
            )
            out.setdefault(str(rnd.number), {})[part["id"]] = report["per_round"][0]["kendall_w"]
    return out


def _rank_quartiles(data: dict, rounds: list[DelphiRound]) -> dict[str, dict]:
    """Q1 and Q3 of each ranking option's ranks in the last round (for the justification rule)."""
    last = data["responses"][-1] if data["responses"] else {}
    out: dict[str, dict] = {}
    for part in data["parts"]:
        if part["type"] != "ranking":
            continue
        for column in part["options"]:
            ranks = np.array([row[column] for row in last.values() if row.get(column) is not None], dtype=float)
            if len(ranks):
                q1, q3 = np.quantile(ranks, [0.25, 0.75], method="linear")
                out[column] = {"n": int(len(ranks)), "q1": float(q1), "q3": float(q3)}
    return out


# --- redaction -------------------------------------------------------------------------------------------------

#: Stability fields that compare drop-outs with stayers: with one or two drop-outs they reveal answers of people the
#: organiser can name (they know who responded), so they are never shown or exported.
_NEVER_SHOWN = ("attrition_mwu",)


def redact_report(report: dict | None, n_min: int) -> dict | None:
    """A copy safe to show and export: nothing for items, rankings or tests below n_min answers."""
    if report is None:
        return None
    out = copy.deepcopy(report)
    for entry in out.get("per_round", []):
        entry["items"] = {key: _redact_item(item, n_min) for key, item in entry.get("items", {}).items()}
        for block_id, block in (entry.get("parts") or {}).items():
            entry["parts"][block_id] = _redact_block(block, n_min)
    for trans in out.get("stability", []):
        trans["items"] = {key: _redact_transition(item, n_min) for key, item in trans.get("items", {}).items()}
        for block in (trans.get("parts") or {}).values():
            per_option = block.get("wilcoxon_per_option") or {}
            for column, test in per_option.items():
                if (test or {}).get("n_pairs") is None or test["n_pairs"] < n_min:
                    per_option[column] = {"display_suppressed": True}
    return out


def _redact_item(item: dict, n_min: int) -> dict:
    if item.get("display_suppressed") or (item.get("n") or 0) < n_min:
        return {"display_suppressed": True, "verdict": "insufficient", "n": None}
    return item


def _redact_block(block: dict, n_min: int) -> dict:
    for key in ("kendall_w", "fleiss_kappa"):
        stat = block.get(key)
        if isinstance(stat, dict) and (stat.get("display_suppressed") or (stat.get("m") or 0) < n_min):
            block[key] = {"display_suppressed": True}
            if "n_items" in stat:  # how many items kappa is over (not an answer count): pages skip single items
                block[key]["n_items"] = stat["n_items"]
    if block.get("type") == "ranking" and block.get("display_suppressed"):
        return {
            "type": "ranking",
            "display_suppressed": True,
            "verdict": "insufficient",
            "kendall_w": {"display_suppressed": True},
        }
    return block


def _redact_transition(item: dict, n_min: int) -> dict:
    for key in _NEVER_SHOWN:
        item.pop(key, None)
    if (item.get("n_pairs") or 0) < n_min:
        return {"n_pairs": None, "display_suppressed": True, "stable": bool(item.get("stable"))}
    return item
