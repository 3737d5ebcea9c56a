"""Assembly of the report: single-type and mixed studies, and the aggregates panelists may see (§4)."""

from __future__ import annotations

from typing import Any

import numpy as np

from civic.delphi.stats.binary import _binary_round, _binary_transition
from civic.delphi.stats.common import SPEC_VERSION, Json
from civic.delphi.stats.likert import _likert_round, _likert_transition
from civic.delphi.stats.numeric import _numeric_round, _numeric_transition
from civic.delphi.stats.parsing import _config, _parse, _Study, _unique
from civic.delphi.stats.ranking import _ranking_round, _ranking_transition
from civic.delphi.stats.stopping import _decision, _part_statuses, _rates, _stopping_entry

_ROUND = {"likert": _likert_round, "numeric": _numeric_round, "binary": _binary_round, "ranking": _ranking_round}


_TRANSITION = {"likert": _likert_transition, "numeric": _numeric_transition, "binary": _binary_transition}


def _statistics(st: _Study) -> tuple[list[Json], list[Json]]:
    """Per-round entries and stability transitions of one single-type study (without round headers)."""
    rounds = [_ROUND[st.kind](st, r) for r in range(st.data.shape[0])]
    transitions = []
    for r in range(1, len(rounds)):
        (entry_prev, prev), (entry_next, nxt) = rounds[r - 1], rounds[r]
        if st.kind == "ranking":
            trans = _ranking_transition(st, r, prev, nxt, entry_prev["kendall_w"], entry_next["kendall_w"])
        else:
            trans = _TRANSITION[st.kind](st, r, prev, nxt)
        transitions.append({"from_round": r, "to_round": r + 1, **trans})
    return [entry for entry, _ in rounds], transitions


def _single_report(st: _Study) -> Json:
    """The full report of a single-type study."""
    entries, stability = _statistics(st)
    rates = _rates(st.responded, st.invited)
    per_round = [
        {"round": r, "responding_panelists": int(st.responded[r - 1].sum()), **entry}
        for r, entry in enumerate(entries, start=1)
    ]
    stopping = []
    for r, (statuses, verdicts) in enumerate(_part_statuses(st, entries, stability), start=1):
        decision = _decision(r, statuses, rates[r - 1], st.cfg, schmidt=st.kind == "ranking")
        stopping.append(_stopping_entry(r, statuses, verdicts, rates[r - 1], decision, st.cfg))
    head = {"spec_version": SPEC_VERSION, "type": st.kind, "config": st.cfg}
    if st.kind == "ranking":
        head["id"] = st.sid
    return {**head, "per_round": per_round, "stability": stability, "stopping": stopping}


def analyse_study(study: dict[str, Any]) -> dict[str, Any]:
    """Analyse a Delphi study (single item type per §5, or mixed with "parts") into a JSON-serialisable report."""
    if study.get("type") == "mixed" or "parts" in study:
        return analyse_mixed_study(study)
    return _single_report(_parse(study))


_PART_KEYS = (
    "id",
    "type",
    "scale",
    "bands",
    "iqr_max",
    "categories",
    "yes_category",
    "input_kind",
    "items",
    "options",
    "ratio_scale",
)


def _split_mixed(study: dict[str, Any]) -> list[dict[str, Any]]:
    """Split a mixed study into single-type sub-studies sharing panelists, config and invitations."""
    parts = study.get("parts") or []
    columns: list[Any] = []
    subs = []
    for j, part in enumerate(parts):
        unknown = set(part) - set(_PART_KEYS)
        if unknown:
            raise ValueError(f"unknown part keys: {sorted(unknown)}")
        ids = list(
            part.get("options") if part.get("type") == "ranking" and "options" in part else part.get("items") or []
        )
        sub = {key: part[key] for key in _PART_KEYS if key in part}
        sub["id"] = part.get("id", f"part{j + 1}")
        subs.append((sub, len(columns), ids))
        columns.extend(ids)
    _unique(columns, "item/option ids across parts")
    _unique([sub["id"] for sub, _, _ in subs], "part ids")
    out = []
    for sub, start, ids in subs:
        responses = _slice_responses(study.get("responses"), start, ids, frozenset(columns))
        out.append(
            {
                **sub,
                "panelists": study.get("panelists"),
                "config": study.get("config"),
                "invited": study.get("invited"),
                "responses": responses,
            }
        )
    return out


def _slice_responses(responses: Any, start: int, ids: list[Any], known: frozenset[Any]) -> Any:
    """Cut one part's columns out of the shared responses (array, list rows by position, dict rows by id)."""
    if isinstance(responses, np.ndarray):
        return responses[:, :, start : start + len(ids)]
    wanted = frozenset(ids)

    def cut(row: Any) -> Any:
        """Return one panelist's row restricted to this part."""
        if row is None:
            return None
        if isinstance(row, dict):
            if not row.keys() <= known:
                raise ValueError(f"responses name unknown items: {sorted(map(str, row.keys() - known))[:5]}")
            return {i: v for i, v in row.items() if i in wanted}
        return list(row)[start : start + len(ids)]

    out = []
    for rnd in responses or []:
        out.append({p: cut(row) for p, row in rnd.items()} if isinstance(rnd, dict) else [cut(row) for row in rnd])
    return out


def analyse_mixed_study(study: dict[str, Any]) -> dict[str, Any]:
    """Analyse a study mixing item types; items merge into one report and the stopping decision is combined."""
    subs = _split_mixed(study)
    parts = [_parse(sub) for sub in subs]
    if not parts:
        raise ValueError("a mixed study needs at least one part")
    cfg = _config(study.get("config"))
    rounds = parts[0].data.shape[0]
    if any(st.data.shape[0] != rounds for st in parts):
        raise ValueError("all parts need the same number of rounds")
    responded = np.logical_or.reduce([st.responded for st in parts])
    invited = parts[0].invited
    rates = _rates(responded, invited)
    stats_by_part = [(st, *_statistics(st)) for st in parts]
    per_round = [_merge_round(r, int(responded[r].sum()), stats_by_part) for r in range(rounds)]
    stability = [_merge_transition(t, stats_by_part) for t in range(max(rounds - 1, 0))]
    return {
        "spec_version": SPEC_VERSION,
        "type": "mixed",
        "config": cfg,
        "parts": {st.sid: st.kind for st in parts},
        "per_round": per_round,
        "stability": stability,
        "stopping": _merge_stopping(stats_by_part, rates, cfg),
    }


def _merge_round(r: int, responding: int, stats_by_part: list[tuple[_Study, list[Json], list[Json]]]) -> Json:
    """One merged per-round entry: items of all parts together, round-level blocks under parts[part_id]."""
    items: Json = {}
    blocks: Json = {}
    for st, entries, _ in stats_by_part:
        entry = entries[r]
        items.update(entry.get("items", {}))
        blocks[st.sid] = {"type": st.kind, **{key: v for key, v in entry.items() if key != "items"}}
    return {"round": r + 1, "responding_panelists": responding, "items": items, "parts": blocks}


def _merge_transition(t: int, stats_by_part: list[tuple[_Study, list[Json], list[Json]]]) -> Json:
    """One merged stability entry: item transitions together, transition-level blocks under parts[part_id]."""
    items: Json = {}
    blocks: Json = {}
    for st, _, transitions in stats_by_part:
        trans = transitions[t]
        items.update(trans.get("items", {}))
        blocks[st.sid] = {
            "type": st.kind,
            **{key: v for key, v in trans.items() if key not in ("items", "from_round", "to_round")},
        }
    return {"from_round": t + 1, "to_round": t + 2, "items": items, "parts": blocks}


def _merge_stopping(
    stats_by_part: list[tuple[_Study, list[Json], list[Json]]], rates: list[float | None], cfg: dict[str, Any]
) -> list[Json]:
    """Combined stopping: stop when no item of any part is open, or at the round limit; part decisions kept."""
    tracks = [(st, _part_statuses(st, entries, stability)) for st, entries, stability in stats_by_part]
    out = []
    for r in range(1, len(rates) + 1):
        statuses: dict[Any, str] = {}
        verdicts: dict[Any, str] = {}
        part_decisions = {}
        for st, track in tracks:
            part_status, part_verdicts = track[r - 1]
            statuses.update(part_status)
            verdicts.update(part_verdicts)
            part_decisions[st.sid] = _decision(r, part_status, rates[r - 1], st.cfg, schmidt=st.kind == "ranking")
        decision = _decision(r, statuses, rates[r - 1], cfg, schmidt=False)
        entry = _stopping_entry(r, statuses, verdicts, rates[r - 1], decision, cfg)
        entry["part_decisions"] = part_decisions
        out.append(entry)
    return out


def panel_feedback(item: dict[str, Any], n_min: int = 5) -> dict[str, Any] | None:
    """Return the aggregates §4 lets panelists see for one per-round item, or None below the n_min threshold."""
    if item.get("display_suppressed") or (item.get("n") or 0) < n_min:
        return None
    allowed = ("n", "median", "q1", "q3", "iqr", "counts", "proportions", "pct_agree", "pct_disagree", "tw_consensus")
    return {key: item[key] for key in allowed if key in item}
