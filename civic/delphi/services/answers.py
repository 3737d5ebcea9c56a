"""A panelist's answers and proposals, written under the study pseudonym; drafts until submitted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from civic import db
from civic.core.errors import DomainError, InvalidTransition, NotFound, PermissionDenied
from civic.db import utc_now
from civic.delphi import pseudonyms
from civic.delphi.analysis import effective_config, option_column
from civic.delphi.items import JUSTIFICATION_MAX, AnswerProblem, parse_value, scale_range
from civic.delphi.models import (
    DelphiAnswer,
    DelphiItem,
    DelphiPanelist,
    DelphiParticipation,
    DelphiProposal,
    DelphiRound,
    ItemKind,
    ProposalStatus,
)

TOL = 1e-9
PROPOSAL_MAX = 1000
PROPOSALS_PER_PANELIST = 10
#: Default of the ranking rule: a rank this many places from the panel's median rank needs a reason.
RANK_REASON_DISTANCE = 2


@dataclass
class RawAnswer:
    """What the form sent for one item: text (or {option id: rank text} for rankings) and a justification."""

    value: Any = None
    justification: str = ""


class AnswerErrors(DomainError):
    """Some answers were refused or are missing; ``errors`` maps item id -> message. ``kept`` is True when the
    valid answers were saved as a draft (the caller commits); False when nothing changed (a submitted round keeps
    its complete submission)."""

    default_message = _l("Some answers need your attention; nothing was saved.")

    def __init__(self, errors: dict[int, str], kept: bool = False):
        self.errors = errors
        self.kept = kept
        super().__init__(
            _l("Your valid answers are saved as a draft. Complete the marked questions, then submit.") if kept else None
        )


def participation_of(rnd: DelphiRound, user) -> DelphiParticipation | None:
    return db.session.scalar(
        select(DelphiParticipation)
        .join(DelphiPanelist, DelphiPanelist.id == DelphiParticipation.panelist_id)
        .where(DelphiParticipation.round_id == rnd.id, DelphiPanelist.user_id == user.id)
    )


def _writable_participation(rnd: DelphiRound, user, now: datetime) -> DelphiParticipation:
    participation = participation_of(rnd, user) if getattr(user, "is_authenticated", False) else None
    if participation is None:
        raise PermissionDenied(_l("You are not on the panel of this round, so you cannot answer it."))
    if not rnd.is_open:
        raise InvalidTransition(
            rnd, "answer", _l("Round %(n)s is closed: answers can no longer be changed.", n=rnd.number)
        )
    if now >= rnd.deadline:
        raise InvalidTransition(
            rnd, "answer", _l("The deadline of round %(n)s has passed: answers can no longer be changed.", n=rnd.number)
        )
    return participation


def own_answers(rnd: DelphiRound, user) -> dict[int, DelphiAnswer]:
    """The user's own answers in a round, by item id (empty when the study key was destroyed)."""
    try:
        name = pseudonyms.pseudonym(rnd, user.id)
    except pseudonyms.KeyShredded:
        return {}
    rows = db.session.scalars(
        select(DelphiAnswer).where(DelphiAnswer.round_id == rnd.id, DelphiAnswer.pseudonym == name)
    )
    return {row.item_id: row for row in rows}


def previous_round(rnd: DelphiRound) -> DelphiRound | None:
    if rnd.number <= 1:
        return None
    previous = rnd.study.round(rnd.number - 1)
    return previous if previous is not None and previous.report else None


def _round_entry(report: dict, number: int) -> dict:
    return next((e for e in report.get("per_round", []) if e["round"] == number), {})


def rank_reason_distance(study) -> int:
    """How many places a rank may lie from the panel's median rank of that option before a reason is asked:
    the study's ``rank_reason_distance``, else the app's ``DELPHI_RANK_REASON_DISTANCE``, else 2."""
    value = (study.config or {}).get("rank_reason_distance")
    if value is None:
        value = current_app.config.get("DELPHI_RANK_REASON_DISTANCE", RANK_REASON_DISTANCE)
    return int(value)


@dataclass(frozen=True)
class ReasonRule:
    """When an answer needs a reason, from the statistics the panel saw after the previous round.

    ``range`` (Likert, numeric): ``limits`` maps the item's column to (low, high); an answer below low or above
    high needs a reason. For a Likert item the range is the scale points that hold the middle half of the answers,
    from ⌊Q1⌋ to ⌈Q3⌉ (what the feedback shows: "from 3 to 5" for Q1 3.25 and Q3 4.75). ``rank``: ``limits`` maps
    each option's column to (the panel's median rank, distance); a rank at least ``distance`` places from the
    median needs a reason."""

    kind: str
    limits: dict[str, tuple[float, float]]

    def flagged(self, item: DelphiItem, value: Any) -> list[str]:
        """The columns of ``value`` that need a reason (one per ranking option; the item code otherwise)."""
        if value is None:
            return []
        cells = (
            {option_column(item, oid): rank for oid, rank in value.items()}
            if item.kind == ItemKind.RANKING
            else {item.code: value}
        )
        out = []
        for column, v in cells.items():
            if column not in self.limits or v is None:
                continue
            a, b = self.limits[column]
            far = abs(float(v) - a) >= b - TOL if self.kind == "rank" else not a - TOL <= float(v) <= b + TOL
            if far:
                out.append(column)
        return out

    def needs(self, item: DelphiItem, value: Any) -> bool:
        return bool(self.flagged(item, value))


def _shown(stat: dict | None, n_min: int, count_key: str = "n") -> bool:
    return bool(stat) and not stat.get("display_suppressed") and (stat.get(count_key) or 0) >= n_min


def reason_rule(rnd: DelphiRound, item: DelphiItem) -> ReasonRule | None:
    """The rule that says when an answer to ``item`` in ``rnd`` needs a reason; None when reasons are optional:
    round 1, yes/no and choice items, and items whose statistics the panel was not shown (fewer than n_min)."""
    previous = previous_round(rnd)
    if previous is None:
        return None
    n_min = effective_config(rnd.study)["n_min"]
    entry = _round_entry(previous.report, previous.number)
    if item.kind in (ItemKind.LIKERT, ItemKind.NUMERIC):
        stat = entry.get("items", {}).get(item.code)
        if not _shown(stat, n_min) or stat.get("q1") is None:
            return None
        q1, q3 = float(stat["q1"]), float(stat["q3"])
        if item.kind == ItemKind.LIKERT:
            q1, q3 = scale_range(q1, q3)  # the points the feedback shows
        return ReasonRule("range", {item.code: (q1, q3)})
    if item.kind == ItemKind.RANKING:
        block = (entry.get("parts") or {}).get(item.code)
        if not block or block.get("display_suppressed") or not _shown(block.get("kendall_w"), n_min, "m"):
            return None
        distance = rank_reason_distance(rnd.study)
        limits = {
            column: (float(stat["median_rank"]), float(distance))
            for column, stat in (block.get("options") or {}).items()
            if stat.get("median_rank") is not None
        }
        return ReasonRule("rank", limits) if limits else None
    return None


def justification_bounds(rnd: DelphiRound, item: DelphiItem) -> ReasonRule | None:
    """Kept for callers of the first release: the same as :func:`reason_rule`."""
    return reason_rule(rnd, item)


def needs_justification(item: DelphiItem, value: Any, rule: ReasonRule | None) -> bool:
    return rule is not None and rule.needs(item, value)


MISSING = _l("Answer this question before you submit.")
REASON_NEEDED = _l("Your answer is far from the panel's previous answers: explain your reasons in a few words.")


def _check(rnd: DelphiRound, raw: dict[int, RawAnswer], final: bool) -> tuple[dict[int, Any], dict[int, str], set[int]]:
    """Parse every answer: (values of the valid ones, errors by item, items whose value is invalid)."""
    values: dict[int, Any] = {}
    errors: dict[int, str] = {}
    invalid: set[int] = set()
    for item in rnd.items:
        given = raw.get(item.id, RawAnswer())
        try:
            values[item.id] = parse_value(item, given.value)
        except AnswerProblem as exc:
            errors[item.id] = str(exc)
            invalid.add(item.id)
            continue
        if len(given.justification or "") > JUSTIFICATION_MAX:
            errors[item.id] = str(_l("A justification can have at most %(n)s characters.", n=JUSTIFICATION_MAX))
            invalid.add(item.id)
        elif final and values[item.id] is None:
            errors[item.id] = str(MISSING)
        elif (
            final
            and not (given.justification or "").strip()
            and needs_justification(item, values[item.id], reason_rule(rnd, item))
        ):
            errors[item.id] = str(REASON_NEEDED)
    return values, errors, invalid


def save_answers(
    rnd: DelphiRound, user, raw: dict[int, RawAnswer], submit: bool, now: datetime | None = None
) -> DelphiParticipation:
    """Save a draft or submit.

    A draft keeps every valid answer (an empty one removes the stored answer); a submission also needs every
    item answered and a reason where :func:`reason_rule` asks for one. When something is wrong, the valid answers
    are still kept as a draft and :class:`AnswerErrors` (``kept=True``) names the rest: an invalid answer leaves
    the stored one as it was. Once submitted, every change is a full submission again: an incomplete or invalid
    change is refused whole (``kept=False``), so the submission stays complete."""
    participation = _writable_participation(rnd, user, now or utc_now())
    final = submit or participation.submitted
    values, errors, invalid = _check(rnd, raw, final)
    if errors and participation.submitted:
        raise AnswerErrors(errors, kept=False)
    existing = own_answers(rnd, user)
    name = pseudonyms.pseudonym(rnd, user.id)
    for item in rnd.items:
        if item.id in invalid:
            continue
        value, row = values[item.id], existing.get(item.id)
        text = (raw.get(item.id, RawAnswer()).justification or "").strip()
        if value is None:
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = DelphiAnswer(round_id=rnd.id, item_id=item.id, pseudonym=name)
            db.session.add(row)
        row.value, row.justification, row.justification_hidden = value, text, False
    participation.submitted = final and not errors
    db.session.flush()
    if errors:
        raise AnswerErrors(errors, kept=True)
    return participation


def previous_answers(rnd: DelphiRound, user) -> dict[int, Any]:
    """The panelist's own answers of the previous round, by item id, for the items asked again: what round 2
    starts from. Found through the pseudonym (never stored next to an identity); reasons are not carried over,
    since they are not linkable across rounds."""
    previous = previous_round(rnd)
    if previous is None:
        return {}
    asked = {item.id for item in rnd.items}
    return {item_id: answer.value for item_id, answer in own_answers(previous, user).items() if item_id in asked}


def own_proposals(rnd: DelphiRound, user) -> list[DelphiProposal]:
    try:
        name = pseudonyms.pseudonym(rnd, user.id)
    except pseudonyms.KeyShredded:
        return []
    return list(
        db.session.scalars(
            select(DelphiProposal).where(DelphiProposal.round_id == rnd.id, DelphiProposal.pseudonym == name)
        )
    )


def add_proposal(rnd: DelphiRound, user, text: str, now: datetime | None = None) -> DelphiProposal:
    """Propose an item in round 0."""
    if not rnd.is_proposals:
        raise InvalidTransition(rnd, "propose", _l("Items are proposed in round 0 only."))
    participation = _writable_participation(rnd, user, now or utc_now())
    text = (text or "").strip()
    if not text:
        raise DomainError(_l("Write your proposal."), field="text")
    if len(text) > PROPOSAL_MAX:
        raise DomainError(_l("A proposal can have at most %(n)s characters.", n=PROPOSAL_MAX), field="text")
    if len(own_proposals(rnd, user)) >= PROPOSALS_PER_PANELIST:
        raise DomainError(_l("You can make at most %(n)s proposals.", n=PROPOSALS_PER_PANELIST), field="text")
    proposal = DelphiProposal(
        round_id=rnd.id, pseudonym=pseudonyms.pseudonym(rnd, user.id), text=text, status=ProposalStatus.NEW
    )
    db.session.add(proposal)
    participation.submitted = True
    db.session.flush()
    return proposal


def delete_proposal(rnd: DelphiRound, user, proposal_id: str, now: datetime | None = None) -> None:
    """Withdraw one's own proposal while round 0 is open."""
    participation = _writable_participation(rnd, user, now or utc_now())
    proposal = next((p for p in own_proposals(rnd, user) if p.id == proposal_id), None)
    if proposal is None:
        raise NotFound(_l("This proposal does not exist."))
    db.session.delete(proposal)
    db.session.flush()
    participation.submitted = bool(own_proposals(rnd, user))
    db.session.flush()
