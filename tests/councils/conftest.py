"""Council fixtures: a cast (the akimat's council office, a chair and a secretary, members, an expert, the energy
department's official who answers, an official of another body, residents) and a helper that builds an Almaty
energy council with seats, and meetings standing before or after their start, through the real services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from civic import db
from civic.councils import services
from civic.councils.models import Council, Meeting
from civic.db import utc_now
from civic.identity.models import AssuranceLevel, Category, StateBody, Territory, User
from tests.factories import World, by_code, user  # noqa: F401  (imported by the tests)


@dataclass
class Cast:
    office: User
    chair: User
    secretary: User
    member1: User
    member2: User
    member3: User
    expert: User
    official: User  # KZ-ALA.ENERGY: answers the energy council's recommendations
    other_official: User  # KZ-ALA.MOBILITY: the wrong body
    resident: User
    unverified: User
    admin: User


@pytest.fixture
def cast(app, directory, make_user):
    return Cast(
        office=make_user(roles=[("council_office", "KZ-ALA", None)], display_name="Council Office"),
        chair=make_user(display_name="Chair Chairova"),
        secretary=make_user(display_name="Secretary Sekova"),
        member1=make_user(display_name="Member One"),
        member2=make_user(display_name="Member Two"),
        member3=make_user(display_name="Member Three"),
        expert=make_user(display_name="Expert Expertova"),
        official=make_user(roles=[("official", None, "KZ-ALA.ENERGY")], display_name="Energy Official"),
        other_official=make_user(roles=[("official", None, "KZ-ALA.MOBILITY")], display_name="Mobility Official"),
        resident=make_user(home="KZ-ALA-ALM", display_name="Resident"),
        unverified=make_user(level=AssuranceLevel.REGISTERED, display_name="Unverified"),
        admin=make_user(roles=["admin"], display_name="Admin"),
    )


class Councils(World):
    """Build councils and meetings; every method runs in its own app context and commits."""

    def make(self, territory: str = "KZ-ALA", sector: str | None = "energy", experts: bool = True) -> int:
        with self.app.app_context():
            office = user(self.cast.office)
            council = services.create_council(
                office,
                services.CouncilData(
                    name_kk="Алматы энергетика кеңесі",
                    name_ru="Совет по энергетике Алматы",
                    name_en="Almaty energy council",
                    territory=by_code(Territory, territory),
                    category=by_code(Category, sector) if sector else None,
                    mandate="Advises the akimat on **heating** and power.",
                ),
            )
            start, end = date.today() - timedelta(days=30), date.today() + timedelta(days=700)
            seats = [
                (self.cast.chair, "chair"),
                (self.cast.secretary, "secretary"),
                (self.cast.member1, "member"),
                (self.cast.member2, "member"),
                (self.cast.member3, "member"),
            ]
            for who, role in seats:
                services.appoint(council, office, user(who), role, start, end)
            if experts:
                services.add_expert(
                    council, office, user(self.cast.expert), services.ExpertData("District heating", "kk, ru", "PhD")
                )
            db.session.commit()
            return council.id

    def meeting(self, council_id: int, started: bool = False, items: int = 1, announce: bool = True) -> int:
        """A meeting with ``items`` open free-text items, announced ten days ahead; moved into the past if started."""
        with self.app.app_context():
            council = db.session.get(Council, council_id)
            secretary = user(self.cast.secretary)
            meeting = services.create_meeting(
                council, secretary, "Heating season", utc_now() + timedelta(days=10), "Akimat, hall 2"
            )
            for k in range(items):
                services.add_item(
                    council, secretary, services.ItemData("free_text", f"Item {k + 1}", "Text"), meeting=meeting
                )
            if announce:
                services.announce(meeting, secretary)
            if started:
                meeting.starts_at = utc_now() - timedelta(hours=1)
            db.session.commit()
            return meeting.id

    def adopted(self, council_id: int, body_code: str = "KZ-ALA.ENERGY") -> int:
        """A recommendation adopted at a started meeting (all five members present, all for) and sent to a body."""
        meeting_id = self.meeting(council_id, started=True)
        with self.app.app_context():
            meeting = db.session.get(Meeting, meeting_id)
            secretary = user(self.cast.secretary)
            members = [s.user_id for s in services.sitting_seats(meeting.council)]
            services.set_attendance(meeting, secretary, members)
            rec = services.propose(meeting.items[0], secretary, "Publish the heating schedule a month ahead.")
            services.record_votes(rec, secretary, {m: "for" for m in members}, by_code(StateBody, body_code))
            db.session.commit()
            return rec.id


@pytest.fixture
def councils(app, cast):
    return Councils(app, cast)


@pytest.fixture
def language():
    """These tests read English messages (see ``language`` in tests/conftest.py)."""
    return "en"
