"""Words for the engine's codes: verdicts, item statuses, stopping decisions, Schmidt and Landis-Koch labels."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from civic.delphi.items import option_label
from civic.delphi.models import DelphiItem

VERDICTS = {
    "consensus_agree": _l("Consensus: agree"),
    "consensus_disagree": _l("Consensus: disagree"),
    "consensus_in": _l("Consensus: include"),
    "consensus_out": _l("Consensus: exclude"),
    "consensus": _l("Consensus"),
    "consensus_yes": _l("Consensus: yes"),
    "consensus_no": _l("Consensus: no"),
    "no_consensus": _l("No consensus"),
    "insufficient": _l("Too few answers to judge"),
    "appropriate": _l("Appropriate (RAND/UCLA)"),
    "inappropriate": _l("Inappropriate (RAND/UCLA)"),
    "uncertain": _l("Uncertain (RAND/UCLA)"),
}
DECISIONS = {
    "continue": _l("Continue with another round"),
    "stop_all_items_closed": _l("Stop: every item reached a stable verdict"),
    "stop_max_rounds": _l("Stop: the maximum number of rounds is reached"),
    "pause_low_response_rate": _l("Pause: too few panelists answered"),
    "stop_consensus": _l("Stop: the ranking reached strong agreement"),
    "stop_w_plateau": _l("Stop: agreement on the ranking no longer changes"),
    "organiser_decision": _l("Finished by the organiser"),
}
SCHMIDT = {
    "very_weak": _l("very weak agreement"),
    "weak": _l("weak agreement"),
    "moderate": _l("moderate agreement"),
    "strong": _l("strong agreement"),
    "unusually_strong": _l("unusually strong agreement"),
}


def verdict_label(verdict: str | None, item: DelphiItem | None = None) -> str:
    if not verdict:
        return "—"
    if verdict in VERDICTS:
        return str(VERDICTS[verdict])
    if verdict.startswith("consensus_") and item is not None:  # categorical: consensus_<option id>
        return _("Consensus: %(option)s", option=option_label(item, verdict.removeprefix("consensus_")))
    return verdict


def status_label(status: str | None, item: DelphiItem | None = None, final: bool = False) -> str:
    """An item's status in words; ``final`` once the study is over (open items are then unconfirmed)."""
    if not status:
        return "—"
    if status == "open":
        return _("Not settled: no consensus at the end of the study") if final else _("Open: no consensus yet")
    if status == "insufficient_data":
        return _("Too few answers to judge")
    ranking = item is not None and item.kind == "ranking"
    if status == "closed_stable_dissensus":
        # Schmidt's rule closes a ranking when W stops improving, which is not a measured stability test
        return (
            _("Closed: agreement stopped improving (Kendall's W plateau)")
            if ranking
            else _("Closed: stable disagreement")
        )
    head, _sep, verdict = status.partition(":")
    if head == "closed_consensus" and ranking:
        return _("Closed: consensus (Kendall's W strong and significant)")
    if head == "open" and final:
        return _("Unconfirmed: %(verdict)s, not stable when the study ended", verdict=verdict_label(verdict, item))
    if head == "open":
        return _("Open: %(verdict)s, not yet stable", verdict=verdict_label(verdict, item))
    if head == "closed_consensus":
        return _("Closed: %(verdict)s, stable", verdict=verdict_label(verdict, item))
    return status


def status_note(status: str | None, item: DelphiItem | None = None, final: bool = False) -> str:
    """An item's status said right after its verdict ("No consensus · Still open"), so without repeating the
    verdict: where the item stands in the process. Empty when the verdict says it all (too few answers)."""
    if not status or status == "insufficient_data":
        return ""
    ranking = item is not None and item.kind == "ranking"
    head = status.partition(":")[0]
    if head == "open":
        if final:
            return _("Not confirmed: not stable when the study ended")
        return _("Still open") if status == "open" else _("Not yet stable: to be confirmed in another round")
    if status == "closed_stable_dissensus":
        return _("Closed: agreement stopped improving") if ranking else _("Closed: the answers are stable")
    if head == "closed_consensus":
        return _("Closed: Kendall's W strong and significant") if ranking else _("Closed: stable over two rounds")
    return status


def decision_reason(stopping: dict | None, config: dict) -> str:
    """Why the engine decided what it did after a round, in one sentence."""
    if not stopping:
        return ""
    decision, r = stopping.get("decision"), stopping.get("after_round")
    rate = stopping.get("response_rate")
    if decision == "continue" and r is not None and r < config["min_rounds"]:
        return _("Items can only be judged stable after %(n)s rounds.", n=config["min_rounds"])
    if decision == "continue":
        return _(
            "Some items are still open, and round %(r)s of at most %(max)s is done.", r=r, max=config["max_rounds"]
        )
    if decision == "stop_all_items_closed":
        return _("No item is open any more: each one reached consensus or a stable disagreement.")
    if decision == "stop_max_rounds":
        return _(
            "The study's rules allow %(max)s rounds. Items still open are reported with their last verdict, "
            "marked as unconfirmed.",
            max=config["max_rounds"],
        )
    if decision == "pause_low_response_rate":
        return _(
            "Only %(rate)s%% of the panel answered, below the %(min)s%% the rules require. Decide whether to "
            "run another round or finish.",
            rate=round((rate or 0) * 100),
            min=round(config["min_response_rate"] * 100),
        )
    return str(DECISIONS.get(decision, decision))


PRESETS = {
    "default": _l("Default: agreement share and interquartile range"),
    "comet_70_15": _l("COMET/DelphiManager 70/15"),
    "rand_ucla": _l("RAND/UCLA appropriateness classes"),
}


def preset_label(preset: str) -> str:
    return str(PRESETS.get(preset, preset))


def format_p(p: float | None) -> str:
    """A p-value for people: four decimals, or "< 0.0001"."""
    if p is None:
        return "—"
    return "< 0.0001" if p < 0.0001 else f"{p:.4f}"


def decision_label(decision: str | None) -> str:
    return str(DECISIONS.get(decision, decision or "—"))
