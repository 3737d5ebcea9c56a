"""Contest fixtures: a cast (organiser, moderator, residents inside and outside Almaty, judges) and a helper that
creates an idea contest standing in any phase now, with entries, through the real services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from civic import db
from civic.contests import jury, services
from civic.contests.models import Contest, Entry, Phase
from civic.db import utc_now
from civic.identity.models import AssuranceLevel, StateBody, Territory, User
from tests.factories import World, by_code, user  # noqa: F401  (user: imported by the tests)

#: How far each phase start lies from now, so that the contest stands in the named phase.
OFFSETS = {
    Phase.ANNOUNCED: (1, 2, 3, 4, 5, 6),
    Phase.SUBMISSION: (-1, 1, 2, 3, 4, 5),
    Phase.SCREENING: (-2, -1, 1, 2, 3, 4),
    Phase.VOTING: (-3, -2, -1, 1, 2, 3),
    Phase.JURY: (-4, -3, -2, -1, 1, 2),
    Phase.RESULTS: (-5, -4, -3, -2, -1, 1),
    Phase.IMPLEMENTATION: (-6, -5, -4, -3, -2, -1),
}


@dataclass
class Cast:
    organiser: User
    other_official: User
    moderator: User
    author: User
    coauthor: User
    voter: User
    voter2: User
    outsider: User  # IIN-verified, lives in Astana
    unverified: User  # email confirmed only
    judge: User
    judge2: User
    admin: User
    resident: User


@pytest.fixture
def cast(app, directory, make_user):
    return Cast(
        organiser=make_user(roles=[("official", None, "KZ-ALA.MOBILITY")], home="KZ-ALA-BOS", display_name="Organiser"),
        other_official=make_user(roles=[("official", None, "KZ-AST.AKIMAT")], home="KZ-AST"),
        moderator=make_user(roles=[("moderator", "KZ-ALA", None)], home="KZ-ALA-ALM", display_name="Moderator"),
        author=make_user(home="KZ-ALA-ALM", display_name="Aigerim Author"),
        coauthor=make_user(home="KZ-ALA-MED", display_name="Coauthor"),
        voter=make_user(home="KZ-ALA-BOS", display_name="Voter One"),
        voter2=make_user(home="KZ-ALA-AUE", display_name="Voter Two"),
        outsider=make_user(home="KZ-AST", display_name="Outsider"),
        unverified=make_user(level=AssuranceLevel.EMAIL_VERIFIED, home="KZ-ALA-ALM", display_name="Unverified"),
        judge=make_user(home="KZ-ALA-MED", display_name="Judge A"),
        judge2=make_user(home="KZ-ALA-BOS", display_name="Judge B"),
        admin=make_user(roles=["admin"], display_name="Admin"),
        resident=make_user(home="KZ-ALA-TUR", display_name="Resident"),
    )


class Contests(World):
    """Build contests in a phase; every method runs in its own app context and commits."""

    def data(self, phase: Phase = Phase.SUBMISSION, **changes) -> services.ContestData:
        now = utc_now()
        starts = [now + timedelta(days=d) for d in OFFSETS[phase]]
        fields = dict(
            title="Where should Almaty's cars park?",
            text="Courtyards are full of parked cars; ambulances cannot pass. **Propose** a solution.",
            rules="One idea per entry.",
            territory=by_code(Territory, "KZ-ALA"),
            category=None,
            body=by_code(StateBody, "KZ-ALA.MOBILITY"),
            reward_kind="grant",
            reward_text="A grant of 5,000,000 tenge",
            votes_per_voter=2,
            submission_opens_at=starts[0],
            submission_closes_at=starts[1],
            voting_opens_at=starts[2],
            voting_closes_at=starts[3],
            results_at=starts[4],
            implementation_at=starts[5],
        )
        fields.update(changes)
        return services.ContestData(**fields)

    def make(self, phase: Phase = Phase.SUBMISSION, entries: int = 0, judges: int = 0, **changes) -> int:
        """A published contest standing in ``phase`` with ``entries`` accepted entries (by author, voter2, ...)."""
        with self.app.app_context():
            organiser = user(self.cast.organiser)
            contest = services.create_contest(organiser, self.data(Phase.SUBMISSION, **changes))
            jury.add_criterion(contest.competition, organiser, "Impact", "", 2, 1, 10)
            jury.add_criterion(contest.competition, organiser, "Feasibility", "", 1, 0, 5)
            services.publish_contest(contest, organiser)  # a jury that counts needs its criteria first
            authors = [self.cast.author, self.cast.voter2, self.cast.resident, self.cast.coauthor]
            for k in range(entries):
                entry = services.submit_entry(
                    contest, user(authors[k % len(authors)]), f"Idea {k + 1}", f"Text of idea {k + 1}", []
                )
                services.screen_entry(entry, contest, user(self.cast.moderator), True, None, "")
            for judge in [self.cast.judge, self.cast.judge2][:judges]:
                token = jury.invite_judge(contest.competition, organiser, judge.email, contest.title)
                jury.accept_judge(token, user(judge))
            self._move(contest, phase)
            db.session.commit()
            return contest.id

    @staticmethod
    def _move(contest: Contest, phase: Phase) -> None:
        now = utc_now()
        starts = [now + timedelta(days=d) for d in OFFSETS[phase]]
        for column, when in zip(services.DATE_FIELDS, starts, strict=True):
            setattr(contest, column, when)
        db.session.flush()

    def move(self, contest_id: int, phase: Phase) -> None:
        with self.app.app_context():
            self._move(db.session.get(Contest, contest_id), phase)
            db.session.commit()

    def entries(self, contest_id: int) -> list[int]:
        with self.app.app_context():
            contest = db.session.get(Contest, contest_id)
            return list(
                db.session.scalars(
                    select(Entry.id).where(Entry.competition_id == contest.competition_id).order_by(Entry.id)
                )
            )


@pytest.fixture
def contests(app, cast):
    return Contests(app, cast)


@pytest.fixture
def language():
    """These tests read English messages (see ``language`` in tests/conftest.py)."""
    return "en"


# --------------------------------------------------------------------------- hackathons

HACKATHON_OFFSETS = {  # days from now of (start, submission deadline, pitching)
    "registration": (1, 2, 3),
    "hacking": (-1, 1, 2),
    "review": (-2, -1, 1),
    "jury": (-3, -2, -1),
}


class Hackathons:
    """Build a published hackathon in a phase, with a team that submitted (optionally reviewed and judged)."""

    def __init__(self, app, cast: Cast):
        self.app, self.cast = app, cast

    @staticmethod
    def _dates(phase: str):
        now = utc_now()
        return [now + timedelta(days=d) for d in HACKATHON_OFFSETS[phase]]

    def make(self, phase: str = "hacking", team: bool = False, reviewed: bool = False, judges: int = 0, **kw) -> dict:
        from civic.contests import hackathons as hk

        with self.app.app_context():
            organiser = user(self.cast.organiser)
            s, d, j = self._dates("hacking")
            hackathon = hk.create_hackathon(
                organiser,
                title="East Kazakhstan hackathon",
                text="Three problems of the region.",
                regulation="Teams of up to five.",
                territory=db.session.scalar(select(Territory).where(Territory.code == "KZ-ALA")),
                body=db.session.scalar(select(StateBody).where(StateBody.code == "KZ-ALA.MOBILITY")),
                starts_at=s,
                submission_deadline=d,
                jury_opens_at=j,
                **kw,
            )
            track = hk.add_track(hackathon, organiser, "Smart transport", "Buses are late.", hackathon.body)
            jury.add_criterion(track.competition, organiser, "Impact", "", 2, 1, 10)
            jury.add_criterion(track.competition, organiser, "Quality", "", 1, 0, 5)
            hk.add_mentor(track, organiser, self.cast.coauthor.email, "Data")
            hk.publish_hackathon(hackathon, organiser)
            out = {"hackathon": hackathon.id, "track": track.id}
            if team:
                author = user(self.cast.author)
                hk.register(hackathon, author, ["backend", "data"])
                hk.register(hackathon, user(self.cast.voter2), ["frontend"])
                t = hk.create_team(hackathon, author, track, "Team Alpha")
                hk.join_by_code(hackathon, user(self.cast.voter2), t.invite_code)
                submission = hk.submit(
                    t,
                    author,
                    repo_url="https://git.example.kz/alpha",
                    demo_url="https://alpha.example.kz",
                    slides_url="",
                    description="A bus tracker.",
                )
                out.update(team=t.id, submission=submission.id, code=t.invite_code)
            for judge in [self.cast.judge, self.cast.judge2][:judges]:
                token = jury.invite_judge(track.competition, organiser, judge.email, track.title)
                jury.accept_judge(token, user(judge))
            self._move(hackathon, "review" if reviewed else phase)
            if team and reviewed:
                hk.review(submission, organiser, True, "Runs.")
                out["entry"] = submission.entry_id
                self._move(hackathon, phase)
            db.session.commit()
            return out

    def _move(self, hackathon, phase: str) -> None:
        hackathon.starts_at, hackathon.submission_deadline, hackathon.jury_opens_at = self._dates(phase)
        db.session.flush()

    def move(self, hackathon_id: int, phase: str) -> None:
        from civic.contests.models import Hackathon

        with self.app.app_context():
            self._move(db.session.get(Hackathon, hackathon_id), phase)
            db.session.commit()


@pytest.fixture
def hackathons(app, cast):
    return Hackathons(app, cast)
