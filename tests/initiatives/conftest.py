"""Initiative fixtures: a cast (the East Kazakhstan official who owns the initiative, a team member, an official of
another oblast, an Almaty official, residents, an administrator) and a helper that builds initiatives at any step
through the real services."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from civic import db
from civic.identity.models import StateBody, Territory, User
from civic.initiatives import services, values
from civic.initiatives.models import Initiative
from civic.stakeholders import services as stakeholders
from tests.factories import World, by_code, user  # noqa: F401  (user: imported by the tests)


@dataclass
class Cast:
    owner: User  # official of the East Kazakhstan akimat
    member: User  # resident added to the team
    district: User  # official of Glubokoye district akimat (sends weak spots up)
    other_official: User  # Astana official
    resident: User
    follower: User
    admin: User
    contact: User  # a stakeholder's contact person with an account


@pytest.fixture
def cast(app, directory, make_user):
    return Cast(
        owner=make_user(roles=[("official", None, "KZ-VOS.AKIMAT")], home="KZ-VOS-OSK", display_name="Owner"),
        member=make_user(home="KZ-VOS-OSK", display_name="Member"),
        district=make_user(roles=[("official", None, "KZ-VOS-GLU.AKIMAT")], home="KZ-VOS-GLU", display_name="District"),
        other_official=make_user(roles=[("official", None, "KZ-AST.AKIMAT")], home="KZ-AST"),
        resident=make_user(home="KZ-VOS-OSK", display_name="Resident"),
        follower=make_user(home="KZ-VOS-OSK", display_name="Follower"),
        admin=make_user(roles=["admin"], display_name="Admin"),
        contact=make_user(home="KZ-VOS-OSK", display_name="Contact"),
    )


def territory(code: str) -> Territory:
    return by_code(Territory, code)


CSV_HEADER = "indicator,territory,period,value,unit\n"


class Initiatives(World):
    """Build initiatives; every method runs in its own app context and commits."""

    def make(self, step: int = 1, public: bool = True, with_values: bool = False) -> int:
        with self.app.app_context():
            services.load_templates()
            from civic.initiatives.models import Template

            template = db.session.scalar(select(Template).where(Template.case_no == 17))
            owner = user(self.cast.owner)
            data = services.InitiativeData(
                title="Kindergarten places in East Kazakhstan",
                summary="Queues are long in rural districts.",
                territory=territory("KZ-VOS"),
                sector="education",
                horizon_years=5,
                body=by_code(StateBody, "KZ-VOS.AKIMAT"),
                is_public=public,
            )
            initiative = services.start_initiative(owner, data, template)
            rural = values.IndicatorData("RURAL_KG", "Kindergarten places", "places", "higher", "rural_district", "sum")
            values.add_indicator(initiative, owner, rural)
            if with_values:
                self.upload(initiative, owner)
            self.advance_to(initiative, owner, step)
            db.session.commit()
            return initiative.id

    @staticmethod
    def upload(initiative: Initiative, owner: User) -> None:
        rows = []
        for year, base in (("2023", 10), ("2024", 20), ("2025", 30)):
            for i, code in enumerate(("KZ-VOS-GLU-BOB", "KZ-VOS-GLU-TAR", "KZ-VOS-GLU-KIR", "KZ-VOS-ULA-BOZ")):
                rows.append(f"RURAL_KG,{code},{year},{base + i},places")
        report = values.import_csv(initiative, owner, CSV_HEADER + "\n".join(rows) + "\n")
        assert report.ok, report

    @staticmethod
    def advance_to(initiative: Initiative, owner: User, step: int) -> None:
        while initiative.step < step:
            if initiative.step == 3:
                indicator = values.indicators_of(initiative)[0]
                values.set_target(indicator, initiative, owner, 150, "2027")
                services.advance(initiative, owner, "Decided", decision_text="Open 150 places by 2027")
            elif initiative.step == 6:
                stakeholders.open_map("initiative", initiative.id, owner)
                services.advance(initiative, owner, "Checked")
            else:
                services.advance(initiative, owner, f"Step {initiative.step} done")


@pytest.fixture
def initiatives(app, cast):
    return Initiatives(app, cast)


@pytest.fixture
def language():
    """These tests read English messages (see ``language`` in tests/conftest.py)."""
    return "en"
