"""A panelist's answers and proposals, written under the study pseudonym; drafts until submitted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from civic import db
from civic.core.errors import DomainError, InvalidTransition, NotFound, PermissionDenied
from civic.db import utc_now
from civic.delphi import pseudonyms
from civic.delphi.analysis import effective_config, option_column
from civic.delphi.items import JUSTIFICATION_MAX, AnswerProblem, parse_value
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


@dataclass
class RawAnswer:
    """What the form sent for one item: text (or {option id: rank text} for rankings) and a justification."""

    value: Any = None
    justification: str = ""


class AnswerErrors(DomainError):
    """Some answers were refused; ``errors`` maps item id -> message. Nothing was stored."""

    default_message = _l("Some answers need your attention; nothing was saved.")

    def __init__(self, errors: dict[int, str]):
        self.errors = errors
        super().__init__()


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
        name = pseudonyms.pseudonym(rnd.study, user.id)
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


def justification_bounds(rnd: DelphiRound, item: DelphiItem) -> dict[str, tuple[float, float]] | None:
    """The previous round's interquartile ranges an answer must stay within to need no justification:
    {column: (q1, q3)}; None when the previous round showed no such range for the item (or there is none)."""
    previous = previous_round(rnd)
    if previous is None:
        return None
    n_min = effective_config(rnd.study)["n_min"]
    if item.kind in (ItemKind.LIKERT, ItemKind.NUMERIC):
        stat = _round_entry(previous.report, previous.number).get("items", {}).get(item.code)
        if not stat or stat.get("display_suppressed") or (stat.get("n") or 0) < n_min or stat.get("q1") is None:
            return None
        return {item.code: (stat["q1"], stat["q3"])}
    if item.kind == ItemKind.RANKING:
        quartiles = (previous.extras or {}).get("rank_quartiles", {})
        bounds = {
            c: (q["q1"], q["q3"])
            for c in (option_column(item, o) for o in item.option_ids())
            if (q := quartiles.get(c)) and q["n"] >= n_min
        }
        return bounds or None
    return None


def needs_justification(item: DelphiItem, value: Any, bounds: dict[str, tuple[float, float]] | None) -> bool:
    if value is None or not bounds:
        return False
    cells = (
        {option_column(item, oid): rank for oid, rank in value.items()}
        if item.kind == ItemKind.RANKING
        else {item.code: value}
    )
    return any(
        column in bounds and not bounds[column][0] - TOL <= float(v) <= bounds[column][1] + TOL
        for column, v in cells.items()
    )


def _check(rnd: DelphiRound, raw: dict[int, RawAnswer], final: bool) -> tuple[dict[int, Any], dict[int, str]]:
    values: dict[int, Any] = {}
    errors: dict[int, str] = {}
    for item in rnd.items:
        given = raw.get(item.id, RawAnswer())
        try:
            values[item.id] = parse_value(item, given.value)
        except AnswerProblem as exc:
            errors[item.id] = str(exc)
            continue
        if len(given.justification or "") > JUSTIFICATION_MAX:
            errors[item.id] = str(_l("A justification can have at most %(n)s characters.", n=JUSTIFICATION_MAX))
        elif final and values[item.id] is None:
            errors[item.id] = str(_l("Answer this question before you submit."))
        elif (
            final
            and not (given.justification or "").strip()
            and needs_justification(item, values[item.id], justification_bounds(rnd, item))
        ):
            errors[item.id] = str(
                _l(
                    "Your answer lies outside the middle half of the panel's previous answers: "
                    "explain your reasons in a few words."
                )
            )
    return values, errors


def save_answers(
    rnd: DelphiRound, user, raw: dict[int, RawAnswer], submit: bool, now: datetime | None = None
) -> DelphiParticipation:
    """Save a draft or submit. Every value is checked; on any problem nothing is stored. Once submitted, every
    later change is a full submission again (it must stay complete)."""
    participation = _writable_participation(rnd, user, now or utc_now())
    final = submit or participation.submitted
    values, errors = _check(rnd, raw, final)
    if errors:
        raise AnswerErrors(errors)
    existing = own_answers(rnd, user)
    name = pseudonyms.pseudonym(rnd.study, user.id)
    for item in rnd.items:
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
    participation.submitted = final
    db.session.flush()
    return participation


def own_proposals(rnd: DelphiRound, user) -> list[DelphiProposal]:
    try:
        name = pseudonyms.pseudonym(rnd.study, user.id)
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
        round_id=rnd.id, pseudonym=pseudonyms.pseudonym(rnd.study, user.id), text=text, status=ProposalStatus.NEW
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
