"""The public vote: one guarded INSERT per vote, like petition signing (``civic/petitions/signing.py``).

Every rule is in the statement ``INSERT INTO contest_votes .. SELECT .. WHERE <rules> ON CONFLICT DO NOTHING``:
the contest is in its voting phase, the entry is accepted, the voter's account is live and IIN-verified and lives in
the contest's territory (subtree), the voter is neither the author nor a co-author, and the voter has a free vote.
The database's constraints decide the rest (models/entries.py ``Vote``):

- UNIQUE(entry_id, voter_iin_hmac): one vote per entry and person, even after erasing the account and registering
  again (``users.iin_hmac`` is unique among live accounts; the vote keeps the fingerprint). An account's IIN is set
  once, so this is also one vote per entry and account (migration contests_0006 dropped the separate constraint);
- UNIQUE(competition_id, voter_iin_hmac, slot): the INSERT takes the lowest free slot in 1..N, so two requests
  racing for a person's last vote collide on the slot and only one is stored: the count guard holds on PostgreSQL's
  READ COMMITTED too, without locking anything.

When the INSERT adds nothing, ``refusal_facts`` reads what its rules looked at in one query and ``explain``
checks them in the same order to say why (``explain_refusal`` does both for services). ``refusal`` is that check
without raising: the idea page asks it before the click, so a voter the INSERT would refuse is told why instead of
being offered the button.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, bindparam, delete, exists, func, literal, select, union_all
from sqlalchemy.orm import aliased

from civic import db
from civic.contests.models import Coauthor, Contest, ContestState, Entry, EntryState, Phase, Vote
from civic.contests.services import VOTES_PER_VOTER_MAX, PhaseClosed
from civic.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from civic.db import AwareDateTime, utc_now
from civic.identity.models import AssuranceLevel, Territory, User, UserSession


class AlreadyVoted(Conflict):
    default_message = _l("You have already voted for this idea.")


class NoVotesLeft(Conflict):
    default_message = _l("You have used all your votes in this contest. Withdraw one to vote for another idea.")


class OwnEntry(PermissionDenied):
    default_message = _l("You cannot vote for your own idea.")


class VotingClosed(PhaseClosed):
    default_message = _l("Voting is not open in this contest.")


class NotVerified(PermissionDenied):
    """Fixed on the account page: the IIN is added there."""

    default_message = _l("Only residents with a verified IIN can vote. Add your IIN on your account page.")


class NoHome(PermissionDenied):
    """Fixed on the account page: the home territory is set there."""

    default_message = _l("Set where you live on your account page: only residents of the territory can vote.")


class OutsideTerritory(PermissionDenied):
    default_message = _l("Only residents of the contest's territory can vote.")


def _dialect_insert(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(Vote)


def _vote_statement(dialect: str, session_checked: bool):
    area, home = aliased(Territory), aliased(Territory)
    slots = union_all(*(select(literal(k).label("k")) for k in range(1, VOTES_PER_VOTER_MAX + 1))).subquery("slots")
    taken = aliased(Vote)
    free_slot = (
        select(func.min(slots.c.k))
        .where(
            slots.c.k <= Contest.votes_per_voter,
            ~exists()
            .where(
                taken.competition_id == Entry.competition_id,
                taken.voter_iin_hmac == User.iin_hmac,
                taken.slot == slots.c.k,
            )
            .correlate(Entry, User, slots),
        )
        .correlate(Contest, Entry, User)
        .scalar_subquery()
    )
    coauthor = exists().where(
        Coauthor.entry_id == Entry.id, Coauthor.user_id == User.id, Coauthor.accepted_at.is_not(None)
    )
    now = bindparam("now", type_=AwareDateTime())
    values = (
        select(
            Entry.competition_id,
            Entry.id,
            User.id,
            User.iin_hmac,
            free_slot,
            func.coalesce(User.home_territory_id, 0),
            now,
        )
        .select_from(Entry)
        .join(Contest, Contest.competition_id == Entry.competition_id)
        .join(area, area.id == Contest.territory_id)
        .join(User, User.id == bindparam("user_id", type_=Integer))
        .join(home, home.id == User.home_territory_id)
        .where(
            Entry.id == bindparam("entry_id", type_=Integer),
            Contest.id == bindparam("contest_id", type_=Integer),
            Entry.state == EntryState.ACCEPTED.value,
            Contest.state == ContestState.PUBLISHED.value,
            Contest.voting_opens_at <= now,
            Contest.voting_closes_at > now,
            User.session_version == bindparam("session_version", type_=Integer),
            User.deleted_at.is_(None),
            User.assurance_level >= int(AssuranceLevel.IIN_VERIFIED),
            User.iin_hmac.is_not(None),
            home.path.startswith(area.path),
            func.coalesce(Entry.author_id, 0) != User.id,
            ~coauthor,
            free_slot.is_not(None),
        )
    )
    if session_checked:  # the signed-in session is recorded and not revoked (logout, "log out other devices")
        values = values.where(
            exists().where(
                UserSession.token_hash == bindparam("session_hash", type_=String),
                UserSession.user_id == User.id,
                UserSession.revoked_at.is_(None),
            )
        )
    columns = ["competition_id", "entry_id", "voter_id", "voter_iin_hmac", "slot", "territory_id", "created_at"]
    return _dialect_insert(dialect).from_select(columns, values).on_conflict_do_nothing().returning(Vote.id)


def insert_vote(
    contest_id: int,
    entry_id: int,
    user_id: int,
    session_version: int,
    session_hash: str | None = None,
    now=None,
    connection=None,
) -> int | None:
    """Run the voting INSERT; the new vote's id, or None when a rule or a constraint refused it.

    From a request, ``session_hash`` names the signed-in session, which must be recorded and not revoked; services
    acting for a loaded account (demo data, tests) pass None. It runs on ``connection`` (the vote view's
    ``db.statement_transaction``), or in the session's transaction."""
    params = {
        "contest_id": contest_id,
        "entry_id": entry_id,
        "user_id": user_id,
        "session_version": session_version,
        "session_hash": session_hash,
        "now": now or utc_now(),
    }
    connection = connection or db.session.connection()
    checked = session_hash is not None
    prepared = db.precompiled(("vote", checked), connection, lambda dialect: _vote_statement(dialect, checked))
    return prepared.execute(connection, params).scalar()


def vote(contest: Contest, entry: Entry, user: User, now: datetime | None = None) -> int:
    """Cast ``user``'s vote for ``entry`` (one statement), or raise a DomainError saying why not."""
    now = now or utc_now()
    new_id = insert_vote(contest.id, entry.id, user.id, user.session_version, now=now)
    if new_id is None:
        explain_refusal(contest.id, entry.id, user.id, now)
    return new_id


@dataclass(frozen=True)
class RefusalFacts:
    """Everything the explanation of a refused vote looks at, read in one query (``refusal_facts``)."""

    signed_in: bool  # the session the vote came with is still valid (as the INSERT checks it)
    language: str  # the account's preferred language, for the message
    published: bool
    voting_opens_at: datetime
    voting_closes_at: datetime
    votes_per_voter: int
    area_path: str
    entry_accepted: bool
    verified: bool
    home_path: str | None
    author: bool
    voted: bool
    used: int

    def voting_open_at(self, now: datetime) -> bool:
        return self.published and self.voting_opens_at <= now < self.voting_closes_at


def refusal_facts(
    contest_id: int, entry_id: int, user_id: int, session: tuple[int, str] | None = None, connection=None
) -> RefusalFacts | None:
    """The facts about this contest, entry and voter; None when the entry is not one of the contest's.

    ``session`` (session version, token hash) is checked as the INSERT checks it (``signed_in``); without it the
    account is taken as signed in (services acting for a loaded account). One Core query, on ``connection`` (the
    vote view's ``db.statement_transaction``) or in the session's transaction, instead of loading the account,
    contest, entry, territories, co-authors and votes through the ORM: refusals are a few per cent of the votes in
    a spike (double clicks, a fourth vote), and explaining them took more time than the votes themselves."""
    params = {"contest_id": contest_id, "entry_id": entry_id, "user_id": user_id}
    if session is not None:
        params.update(session_version=session[0], session_hash=session[1])
    row = (connection or db.session).execute(_facts_statement(session is not None), params).one_or_none()
    if row is None:
        return None
    signed_in, language, state, opens, closes, per_voter, area, entry_state, author, level, iin_hmac, home, voted, n = (
        row
    )
    return RefusalFacts(
        signed_in=bool(signed_in),
        language=language,
        published=state == ContestState.PUBLISHED,
        voting_opens_at=opens,
        voting_closes_at=closes,
        votes_per_voter=per_voter,
        area_path=area,
        entry_accepted=entry_state == EntryState.ACCEPTED,
        verified=level >= AssuranceLevel.IIN_VERIFIED and bool(iin_hmac),
        home_path=home,
        author=bool(author),
        voted=bool(voted),
        used=n or 0,
    )


@cache
def _facts_statement(session_checked: bool):
    """Built once per variant: constructing it (aliases, subqueries) cost more than running it."""
    area, home = aliased(Territory), aliased(Territory)
    voter = bindparam("user_id", type_=Integer)
    signed_in = User.deleted_at.is_(None)
    if session_checked:  # the INSERT's own session conditions (_vote_statement)
        signed_in = signed_in & (User.session_version == bindparam("session_version", type_=Integer))
        signed_in = signed_in & exists().where(
            UserSession.token_hash == bindparam("session_hash", type_=String),
            UserSession.user_id == User.id,
            UserSession.revoked_at.is_(None),
        )
    coauthor = exists().where(
        Coauthor.entry_id == Entry.id, Coauthor.user_id == voter, Coauthor.accepted_at.is_not(None)
    )
    voted = exists().where(Vote.entry_id == Entry.id, (Vote.voter_id == voter) | (Vote.voter_iin_hmac == User.iin_hmac))
    used = (
        select(func.count())
        .where(Vote.competition_id == Entry.competition_id, Vote.voter_iin_hmac == User.iin_hmac)
        .scalar_subquery()
    )
    return (
        select(
            signed_in,
            User.preferred_locale,
            Contest.state,
            Contest.voting_opens_at,
            Contest.voting_closes_at,
            Contest.votes_per_voter,
            area.path,
            Entry.state,
            (func.coalesce(Entry.author_id, 0) == voter) | coauthor,
            User.assurance_level,
            User.iin_hmac,
            home.path,
            voted,
            used,
        )
        .select_from(Entry)
        .join(Contest, Contest.competition_id == Entry.competition_id)
        .join(area, area.id == Contest.territory_id)
        .join(User, User.id == voter)
        .outerjoin(home, home.id == User.home_territory_id)
        .where(Entry.id == bindparam("entry_id", type_=Integer), Contest.id == bindparam("contest_id", type_=Integer))
    )


def explain_refusal(contest_id: int, entry_id: int, user_id: int, now: datetime) -> None:
    """Raise the DomainError that says why the voting INSERT added nothing, checking its rules in order."""
    facts = refusal_facts(contest_id, entry_id, user_id)
    if facts is None:
        raise NotFound()
    explain(facts, now)


def explain(facts: RefusalFacts, now: datetime) -> None:
    """Raise why the voting INSERT added nothing (``refusal``); all its rules passing means a race lost."""
    error = refusal(facts, now)
    if error is not None:
        raise error
    raise Conflict(_l("Your vote was not counted because of a simultaneous vote. Try again."))


def refusal(facts: RefusalFacts, now: datetime) -> DomainError | None:
    """The first of the voting INSERT's rules ``facts`` fail, in its order, as the error that says so; None when the
    INSERT would count the vote. Pages ask it before the click (the idea page's vote box), ``explain`` after it."""
    if not facts.voting_open_at(now):
        return VotingClosed()
    if not facts.entry_accepted:
        return VotingClosed(message=_l("This idea is not in the public vote."))
    if not facts.verified:
        return NotVerified()
    if facts.home_path is None:
        return NoHome()
    if not facts.home_path.startswith(facts.area_path):
        return OutsideTerritory()
    if facts.author:
        return OwnEntry()
    if facts.voted:
        return AlreadyVoted()
    if facts.used >= facts.votes_per_voter:
        return NoVotesLeft()
    return None


def my_votes(contest: Contest, user) -> set[int]:
    """The entries the viewer voted for (by account or by IIN fingerprint)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    condition = Vote.voter_id == user.id
    if user.iin_hmac:
        condition = condition | (Vote.voter_iin_hmac == user.iin_hmac)
    return set(
        db.session.scalars(select(Vote.entry_id).where(Vote.competition_id == contest.competition_id, condition))
    )


def withdraw_vote(contest: Contest, entry: Entry, user: User, now: datetime | None = None) -> None:
    """Take a vote back while voting is open; the slot is free again."""
    now = now or utc_now()
    if contest.phase_at(now) != Phase.VOTING:
        raise VotingClosed(message=_l("Votes can be changed only while voting is open."))
    condition = Vote.voter_id == user.id
    if user.iin_hmac:
        condition = condition | (Vote.voter_iin_hmac == user.iin_hmac)
    removed = db.session.execute(delete(Vote).where(Vote.entry_id == entry.id, condition).returning(Vote.id)).all()
    if not removed:
        raise DomainError(_l("You have not voted for this idea."))


def vote_counts(competition_id: int) -> Counter:
    rows = db.session.execute(
        select(Vote.entry_id, func.count()).where(Vote.competition_id == competition_id).group_by(Vote.entry_id)
    )
    return Counter(dict(rows.all()))


def votes_by_territory(competition_id: int) -> list[tuple[int, int]]:
    """(territory id, votes) per voter's home territory as recorded when voting, most votes first; 0 = unknown."""
    return [
        (tid, count)
        for tid, count in db.session.execute(
            select(Vote.territory_id, func.count())
            .where(Vote.competition_id == competition_id)
            .group_by(Vote.territory_id)
            .order_by(func.count().desc(), Vote.territory_id)
        )
    ]


def votes_by_district(competition_id: int) -> list[tuple[str, int]]:
    """Votes per voter's home territory, named in the current language, most votes first."""
    return district_names(votes_by_territory(competition_id))


def district_names(rows) -> list[tuple[str, int]]:
    """``(territory id, count)`` rows with the territories' names in the current language."""
    names = {
        t.id: t.name
        for t in db.session.scalars(select(Territory).where(Territory.id.in_([r[0] for r in rows if r[0]])))
    }
    return [(names.get(tid, str(_l("Unknown"))), count) for tid, count in rows]


__all__ = [
    "AlreadyVoted",
    "NoHome",
    "NoVotesLeft",
    "NotVerified",
    "OutsideTerritory",
    "OwnEntry",
    "VotingClosed",
]
