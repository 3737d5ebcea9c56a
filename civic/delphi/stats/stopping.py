"""Item statuses and the stopping decision (§3 with the §7 amendment), Schmidt's rule for ranking instruments."""

from __future__ import annotations

from typing import Any

from civic.delphi.stats.common import Array, Json, _ge, _is_consensus
from civic.delphi.stats.parsing import _Study


def _item_status(previous: str | None, verdict: str, stable: bool, r: int, cfg: dict[str, Any]) -> str:
    """Status of one item after round r: retired items stay closed; stable items close at r >= min_rounds."""
    if previous is not None and previous.startswith("closed") and cfg["retire_closed_items"]:
        return previous
    if r >= cfg["min_rounds"] and stable:
        return f"closed_consensus:{verdict}" if _is_consensus(verdict) else "closed_stable_dissensus"
    if verdict == "insufficient":
        return "insufficient_data"
    return f"open:{verdict}" if _is_consensus(verdict) else "open"


def _ranking_status(previous: str | None, verdict: str, stable: bool, r: int, cfg: dict[str, Any]) -> str:
    """Schmidt's rule as a status: strong and significant W closes with consensus, a W plateau closes without."""
    if previous is not None and previous.startswith("closed") and cfg["retire_closed_items"]:
        return previous
    if r >= cfg["min_rounds"] and verdict == "consensus":
        return "closed_consensus:consensus"
    if r >= cfg["min_rounds"] and stable and verdict != "insufficient":
        return "closed_stable_dissensus"
    if verdict == "insufficient":
        return "insufficient_data"
    return "open:consensus" if verdict == "consensus" else "open"


def _decision(r: int, statuses: dict[Any, str], rate: float | None, cfg: dict[str, Any], schmidt: bool) -> str:
    """The first applicable stopping decision after round r (Schmidt's variant for a ranking instrument)."""
    if r < cfg["min_rounds"]:
        return "continue"
    values = list(statuses.values())
    if schmidt and values and values[0].startswith("closed_consensus"):
        return "stop_consensus"
    if schmidt and values and values[0] == "closed_stable_dissensus":
        return "stop_w_plateau"
    low_rate = rate is not None and not _ge(rate, cfg["min_response_rate"])
    if not schmidt and not any(s.startswith("open") for s in values):
        # §7: a round that lost its panel (low response rate, items without enough answers) pauses; it must not
        # read "all items closed". Items skipped by a full panel still do not block stopping.
        if low_rate and "insufficient_data" in values:
            return "pause_low_response_rate"
        return "stop_all_items_closed"
    if r >= cfg["max_rounds"]:
        return "stop_max_rounds"
    if low_rate:
        return "pause_low_response_rate"
    return "continue"


def _stopping_entry(
    r: int, statuses: dict[Any, str], verdicts: dict[Any, str], rate: float | None, decision: str, cfg: dict[str, Any]
) -> Json:
    """One stopping record; at the round limit open items are listed with their last verdict as unconfirmed."""
    unconfirmed = {}
    if decision == "stop_max_rounds":
        unconfirmed = {i: verdicts[i] for i, s in statuses.items() if s.startswith("open")}
    return {
        "after_round": r,
        "response_rate": rate,
        "item_status": dict(statuses),
        "decision": decision,
        "unconfirmed": unconfirmed,
        "low_response_rate": rate is not None and not _ge(rate, cfg["min_response_rate"]),  # flagged every round
    }


def _part_statuses(st: _Study, per_round: list[Json], stability: list[Json]) -> list[tuple[dict, dict]]:
    """Per round: the status and last verdict of every item (a ranking instrument counts as one item)."""
    out: list[tuple[dict, dict]] = []
    previous: dict[Any, str] = {}
    for r, entry in enumerate(per_round, start=1):
        trans = stability[r - 2] if r >= 2 else None
        if st.kind == "ranking":
            verdicts = {st.sid: entry["verdict"]}
            stable = bool(trans and trans["stable"])
            statuses = {st.sid: _ranking_status(previous.get(st.sid), entry["verdict"], stable, r, st.cfg)}
        else:
            verdicts = {i: item["verdict"] for i, item in entry["items"].items()}
            statuses = {
                i: _item_status(previous.get(i), verdicts[i], bool(trans and trans["items"][i]["stable"]), r, st.cfg)
                for i in st.ids
            }
        out.append((statuses, verdicts))
        previous = statuses
    return out


def _rates(responded: Array, invited: tuple[int, ...]) -> list[float | None]:
    """Response rate per round: responding / invited (None when nobody was invited)."""
    return [int(resp.sum()) / inv if inv > 0 else None for resp, inv in zip(responded, invited, strict=True)]
