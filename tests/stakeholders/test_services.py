"""Stakeholder mapping: scores on the 1–5 scale, means over assessors, the four groups, moves kept as history and
making the new group's plan due, the per-map threshold, the default plan."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from civic import db
from civic.core.errors import DomainError, PermissionDenied
from civic.initiatives.models import Initiative
from civic.stakeholders import services as sh
from civic.stakeholders.grid import grid
from civic.stakeholders.models import EngagementPlan, group_of
from tests.initiatives.conftest import territory, user


def test_groups_follow_the_seed():
    assert group_of(4, 2, 3) == 1  # high interest, low influence
    assert group_of(4, 4, 3) == 2
    assert group_of(2, 2, 3) == 3
    assert group_of(2, 4, 3) == 4
    assert group_of(3, 3, 3) == 2  # "high" means a mean of at least the threshold


@pytest.fixture
def mapped(app, cast, initiatives):
    initiative_id = initiatives.make()
    with app.app_context():
        owner = user(cast.owner)
        stakeholder_map = sh.open_map("initiative", initiative_id, owner)
        s = sh.register_stakeholder(
            territory("KZ-VOS"),
            sh.StakeholderData("Association of large families", "ngo", contact_name="Aigul S.", contact_email="a@x.kz"),
            owner,
        )
        entry = sh.add_to_map(stakeholder_map, s, owner)
        db.session.commit()
        return initiative_id, stakeholder_map.id, entry.id


def test_score_outside_the_scale_is_refused(app, cast, mapped):
    with app.app_context():
        entry = sh.find_entry(mapped[2])
        for interest, influence in ((0, 3), (3, 6), (2.5, 3)):
            with pytest.raises(DomainError, match="1 to 5"):
                sh.score(entry, user(cast.owner), interest, influence)
        assert sh.scores(entry) == []
        assert entry.group is None


def test_mean_over_assessors_history_and_plan_due(app, cast, mapped):
    with app.app_context():
        owner = user(cast.owner)
        entry = sh.find_entry(mapped[2])
        sh.score(entry, owner, 2, 2)
        assert entry.group == 3
        stakeholder_map = db.session.get(sh.StakeholderMap, mapped[1])
        plans = sh.plans(stakeholder_map)
        assert {g: p.level for g, p in plans.items()} == {
            1: "informing",
            2: "dialogue",
            3: "monitoring",
            4: "consultation",
        }
        assert not sh.plan_due(entry, plans[3])  # monitoring is never "due"
        sh.score(entry, owner, 4, 4, assessor_label="Delphi panel of 9 experts")
        # the mean of the two assessors' latest scores: (2+4)/2 = 3 each → group 2
        assert (entry.interest, entry.influence, entry.group, entry.previous_group) == (3, 3, 2, 3)
        assert [p.group for p in sh.history(entry)] == [3, 2]
        assert sh.plan_due(entry, plans[2])
        sh.record_engagement(entry, owner, "dialogue", "Invited to the council session")
        assert not sh.plan_due(entry, plans[2])
        # the same assessor scoring again replaces their own score in the mean, the old one stays on record
        sh.score(entry, owner, 5, 5)
        assert (entry.interest, entry.influence) == (4.5, 4.5)
        assert len(sh.scores(entry)) == 3


def test_threshold_per_map_regroups(app, cast, mapped):
    with app.app_context():
        owner = user(cast.owner)
        entry = sh.find_entry(mapped[2])
        sh.score(entry, owner, 3, 3)
        assert entry.group == 2
        stakeholder_map = db.session.get(sh.StakeholderMap, mapped[1])
        sh.set_threshold(stakeholder_map, owner, 3.5)
        assert entry.group == 3
        assert entry.previous_group == 2
        with pytest.raises(DomainError):
            sh.set_threshold(stakeholder_map, owner, 7)


def test_only_the_team_works_on_the_map(app, cast, mapped):
    with app.app_context():
        entry = sh.find_entry(mapped[2])
        for outsider in (cast.resident, cast.other_official):
            with pytest.raises(PermissionDenied):
                sh.score(entry, user(outsider), 3, 3)
            with pytest.raises(PermissionDenied):
                sh.open_map("initiative", mapped[0], user(outsider))
        initiative = db.session.get(Initiative, mapped[0])
        from civic.initiatives import services

        services.add_team_member(initiative, user(cast.owner), user(cast.member).email)
        sh.score(entry, user(cast.member), 3, 3)
        assert entry.group == 2


def test_default_plan_rows_and_register_reuse(app, cast, mapped):
    with app.app_context():
        assert len(db.session.scalars(select(EngagementPlan).where(EngagementPlan.map_id == mapped[1])).all()) == 4
        # a district-level owner reuses the oblast register
        names = [s.name for s in sh.register_of(territory("KZ-VOS-GLU"))]
        assert names == ["Association of large families"]


def test_grid_geometry_shows_moves():
    chart = grid([("A", 1, 1, 3, None), ("B", 5, 5, 2, (1, 1))], threshold=3, width=480, height=360, margin=40)
    a, b = chart.shapes["dots"]
    assert (a.x, a.y) == (40, 320)
    assert a.from_x is None
    assert (b.x, b.y) == (440, 40)
    assert (b.from_x, b.from_y) == (40, 320)
    assert chart.shapes["split_x"] == 240
    assert chart.shapes["split_y"] == 180
