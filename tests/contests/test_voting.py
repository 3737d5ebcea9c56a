"""The public vote: the rules live in one guarded INSERT and in the database's constraints."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from civic import db
from civic.contests import services, voting
from civic.contests.models import Contest, Entry, Phase, Vote
from civic.core.errors import DomainError
from civic.db import utc_now
from tests.contests.conftest import user


def _vote_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Vote))


def _vote(app, contest_id, entry_id, who):
    with app.app_context():
        contest = db.session.get(Contest, contest_id)
        entry = db.session.get(Entry, entry_id)
        voting.vote(contest, entry, user(who))
        db.session.commit()


def _refusal(app, contest_id, entry_id, who) -> DomainError:
    with app.app_context():
        contest = db.session.get(Contest, contest_id)
        entry = db.session.get(Entry, entry_id)
        with pytest.raises(DomainError) as caught:
            voting.vote(contest, entry, user(who))
        db.session.rollback()
        return caught.value


def test_a_resident_votes_up_to_n_and_can_move_a_vote(app, cast, contests):
    cid = contests.make(Phase.VOTING, entries=4)  # entries by author, voter2, resident, coauthor; N = 2
    e1, e2, e3, e4 = contests.entries(cid)
    _vote(app, cid, e1, cast.voter)
    _vote(app, cid, e2, cast.voter)
    refused = _refusal(app, cid, e3, cast.voter)
    assert isinstance(refused, voting.NoVotesLeft)
    assert refused.status_code == 409
    assert _vote_count(app) == 2
    with app.app_context():
        voting.withdraw_vote(db.session.get(Contest, cid), db.session.get(Entry, e1), user(cast.voter))
        db.session.commit()
    _vote(app, cid, e3, cast.voter)
    with app.app_context():
        contest = db.session.get(Contest, cid)
        assert voting.my_votes(contest, user(cast.voter)) == {e2, e3}
        assert voting.vote_counts(contest.competition_id) == {e2: 1, e3: 1}
        slots = sorted(db.session.scalars(select(Vote.slot).where(Vote.voter_id == cast.voter.id)))
        assert slots == [1, 2]  # the freed slot 1 was taken again


def test_a_second_vote_on_the_same_entry_is_refused(app, cast, contests):
    cid = contests.make(Phase.VOTING, entries=1)
    (e1,) = contests.entries(cid)
    _vote(app, cid, e1, cast.voter)
    refused = _refusal(app, cid, e1, cast.voter)
    assert isinstance(refused, voting.AlreadyVoted)
    assert "already voted" in str(refused)
    assert _vote_count(app) == 1


def test_nobody_votes_for_their_own_entry_author_or_coauthor(app, cast, contests):
    cid = contests.make(Phase.SUBMISSION, entries=1)
    (e1,) = contests.entries(cid)
    with app.app_context():
        contest, entry = db.session.get(Contest, cid), db.session.get(Entry, e1)
        token = services.invite_coauthor(entry, contest, user(cast.author), cast.voter.email)
        services.accept_coauthor(token, user(cast.voter))
        db.session.commit()
    contests.move(cid, Phase.VOTING)
    assert isinstance(_refusal(app, cid, e1, cast.author), voting.OwnEntry)
    assert isinstance(_refusal(app, cid, e1, cast.voter), voting.OwnEntry)
    assert _vote_count(app) == 0


@pytest.mark.parametrize("phase", [Phase.SUBMISSION, Phase.SCREENING, Phase.JURY, Phase.RESULTS])
def test_voting_outside_the_voting_phase_is_refused(app, cast, contests, phase):
    cid = contests.make(Phase.VOTING, entries=1)
    (e1,) = contests.entries(cid)
    contests.move(cid, phase)
    refused = _refusal(app, cid, e1, cast.voter)
    assert isinstance(refused, voting.VotingClosed)
    assert refused.status_code == 409
    assert _vote_count(app) == 0


def test_only_iin_verified_residents_of_the_territory_vote(app, cast, contests):
    cid = contests.make(Phase.VOTING, entries=1)
    (e1,) = contests.entries(cid)
    assert "verified IIN" in str(_refusal(app, cid, e1, cast.unverified))
    assert "territory" in str(_refusal(app, cid, e1, cast.outsider))
    assert _vote_count(app) == 0


def test_one_person_counts_once_even_with_a_new_account(app, cast, contests, make_user):
    """The vote keeps the IIN fingerprint: a person who erased the account and registered again cannot vote twice
    for the same entry, and their earlier votes still use up their N."""
    cid = contests.make(Phase.VOTING, entries=3)
    e1, e2, e3 = contests.entries(cid)
    _vote(app, cid, e1, cast.voter)
    _vote(app, cid, e2, cast.voter)
    with app.app_context():
        old = user(cast.voter)
        fingerprint = old.iin_hmac
        old.iin_hmac, old.deleted_at = None, old.created_at  # erased: the account gives its IIN up
        db.session.commit()
    again = make_user(home="KZ-ALA-BOS")
    with app.app_context():
        user(again).iin_hmac = fingerprint  # the same person verifies the same IIN on the new account
        db.session.commit()
    before = _vote_count(app)
    assert isinstance(_refusal(app, cid, e1, again), voting.AlreadyVoted)
    assert isinstance(_refusal(app, cid, e3, again), voting.NoVotesLeft)
    assert _vote_count(app) == before


def test_withdrawing_an_entry_gives_the_votes_back(app, cast, contests):
    cid = contests.make(Phase.VOTING, entries=2)
    e1, _e2 = contests.entries(cid)
    _vote(app, cid, e1, cast.voter)
    with app.app_context():
        services.withdraw_entry(db.session.get(Entry, e1), db.session.get(Contest, cid), user(cast.author))
        db.session.commit()
    assert _vote_count(app) == 0


def test_votes_by_district_use_the_voters_home(app, cast, contests):
    cid = contests.make(Phase.VOTING, entries=2)
    e1, e2 = contests.entries(cid)
    _vote(app, cid, e1, cast.voter)  # Bostandyk
    _vote(app, cid, e2, cast.voter)
    _vote(app, cid, e1, cast.judge)  # Medeu
    with app.test_request_context():
        contest = db.session.get(Contest, cid)
        assert voting.votes_by_district(contest.competition_id) == [("Bostandyk District", 2), ("Medeu District", 1)]


def test_the_slot_constraint_caps_votes_even_if_a_statement_miscounts(app, cast, contests):
    """A vote whose slot is already taken is refused by UNIQUE(competition_id, voter_iin_hmac, slot): what stops
    two concurrent requests that both saw one free vote."""
    from sqlalchemy.exc import IntegrityError

    cid = contests.make(Phase.VOTING, entries=2, votes_per_voter=1)
    e1, e2 = contests.entries(cid)
    _vote(app, cid, e1, cast.voter)
    with app.app_context():
        taken = db.session.scalar(select(Vote).where(Vote.entry_id == e1))
        db.session.add(
            Vote(
                competition_id=taken.competition_id,
                entry_id=e2,
                voter_id=taken.voter_id,
                voter_iin_hmac=taken.voter_iin_hmac,
                slot=taken.slot,
            )
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_the_database_refuses_a_second_vote_of_a_person_on_one_idea_even_with_a_free_slot(app, cast, contests):
    """UNIQUE(entry_id, voter_iin_hmac) alone holds one vote per idea, per account and per person (the separate
    constraint on the account was dropped, migration contests_0006): a row that skips the INSERT's rules, with a free
    slot, is still refused, whether it names the same account or another one carrying the same IIN fingerprint."""
    from sqlalchemy.exc import IntegrityError

    cid = contests.make(Phase.VOTING, entries=2, votes_per_voter=3)
    e1, _e2 = contests.entries(cid)
    _vote(app, cid, e1, cast.voter)
    with app.app_context():
        taken = db.session.scalar(select(Vote).where(Vote.entry_id == e1))
        for voter_id in (taken.voter_id, cast.judge.id):  # the same account; another account, the same person
            db.session.add(
                Vote(
                    competition_id=taken.competition_id,
                    entry_id=e1,
                    voter_id=voter_id,
                    voter_iin_hmac=taken.voter_iin_hmac,
                    slot=taken.slot + 1,
                )
            )
            with pytest.raises(IntegrityError):
                db.session.flush()
            db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Vote).where(Vote.entry_id == e1)) == 1


@pytest.mark.skipif(os.environ.get("CIVIC_TEST_DB") != "postgres", reason="a real race needs PostgreSQL's concurrency")
def test_two_concurrent_votes_for_the_last_slot_store_one(app, cast, contests):
    """Two transactions both see one free vote; the second waits on the slot's unique index and inserts nothing."""
    import threading

    cid = contests.make(Phase.VOTING, entries=2, votes_per_voter=1)
    e1, e2 = contests.entries(cid)
    engine = app.extensions["civic_engine"]
    with app.app_context():
        voter = user(cast.voter)
        args = (voter.id, voter.session_version)
        statement = voting._vote_statement("postgresql", session_checked=False)
    params = {"contest_id": cid, "user_id": args[0], "session_version": args[1], "now": utc_now()}
    first = engine.connect()
    first.begin()
    assert first.execute(statement, {**params, "entry_id": e1}).scalar() is not None
    outcome = {}

    def second():
        with engine.begin() as conn:
            outcome["id"] = conn.execute(statement, {**params, "entry_id": e2}).scalar()

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(timeout=1)
    assert thread.is_alive()  # waiting on the unique index entry the first transaction holds
    first.commit()
    first.close()
    thread.join(timeout=10)
    assert outcome == {"id": None}
    assert _vote_count(app) == 1
