"""Permission matrix of the staff side of petitions: who gets notified, and whose queues show a petition.

Recipients and queues come from ``civic.identity.permissions`` (``holders`` and ``scopes``): by permission and
scope, never by role name; deleted accounts and administrators (who hold every permission but are not on duty) are
not notified."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from civic import db
from civic.db import utc_now
from civic.identity.models import Notification, StateBody, User
from civic.petitions import moderation, queries
from civic.petitions.models import Petition

CAST = (
    "moderator",
    "district_moderator",
    "national_moderator",
    "moderator_elsewhere",
    "gone_moderator",
    "official",
    "housing_official",
    "official_elsewhere",
    "gone_official",
    "admin",
    "resident",
)


@pytest.fixture
def cast(world):
    """Everyone who might be told about a petition of the Almaly district (its author aside)."""
    body = world.body_for("KZ-ALA-ALM", "transport_roads")
    return {
        "moderator": world.moderator,  # moderator of KZ-ALA, the city around the district
        "district_moderator": world.make_user(roles=[("moderator", "KZ-ALA-ALM")]),
        "national_moderator": world.make_user(roles=["moderator"]),
        "moderator_elsewhere": world.make_user(roles=[("moderator", "KZ-AST")]),
        "gone_moderator": world.make_user(roles=[("moderator", "KZ-ALA")], deleted_at=utc_now()),
        "official": world.make_user(roles=[("official", None, body)]),
        "housing_official": world.make_user(roles=[("official", None, "KZ-ALA.HOUSING")]),
        "official_elsewhere": world.make_user(roles=[("official", None, "KZ-AST.AKIMAT")]),
        "gone_official": world.make_user(roles=[("official", None, body)], deleted_at=utc_now()),
        "admin": world.make_user(roles=["admin"]),
        "resident": world.user(),
    }


def _told(app, cast, kind: str) -> set[str]:
    with app.app_context():
        ids = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == kind)))
    return {name for name, user in cast.items() if user.id in ids}


def test_moderators_of_the_territory_are_told_a_petition_awaits_moderation(app, world, cast):
    world.petition("awaiting_moderation")
    assert _told(app, cast, "petitions.to_moderate") == {"moderator", "district_moderator", "national_moderator"}


def test_officials_of_the_new_body_are_told_about_a_rerouted_petition(app, world, cast):
    pid = world.petition("open")
    with app.app_context():
        housing = db.session.scalar(select(StateBody).where(StateBody.code == "KZ-ALA.HOUSING"))
        moderation.reroute(db.session.get(Petition, pid), db.session.get(User, world.moderator.id), housing)
        db.session.commit()
    assert _told(app, cast, "petitions.routed") == {"housing_official"}


def test_officials_of_the_body_are_told_when_the_response_threshold_is_reached(app, world, cast, residents):
    pid = world.petition("open")
    world.set_thresholds(pid, response=len(world.supporters) + 1, hearing=1000)
    world.sign(pid, residents(1)[0])
    world.tally(pid)
    assert _told(app, cast, "petitions.threshold_response") == {"official"}


def test_nobody_on_staff_hears_of_a_draft(app, world, cast):
    world.petition("gathering_supporters")
    with app.app_context():
        staff = set(db.session.scalars(select(Notification.user_id)))
    assert staff.isdisjoint(user.id for user in cast.values())


MODERATION_QUEUE = {"moderator", "district_moderator", "national_moderator", "admin"}
RESPONSE_QUEUE = {"official", "admin"}


@pytest.mark.parametrize("who", CAST)
def test_staff_queues_follow_the_same_scopes(app, world, cast, who):
    waiting, open_ = world.petition("awaiting_moderation"), world.petition("open")
    with app.app_context():
        user = db.session.get(User, cast[who].id)
        in_moderation = [p.id for p in queries.moderation_queue(user)]
        to_answer = [p.id for p in queries.awaiting_response(user)]
        moderated = queries.moderated_petition_ids(user)
        assert (in_moderation == [waiting]) == (who in MODERATION_QUEUE)
        assert (moderated == [open_]) == (who in MODERATION_QUEUE)
        assert (to_answer == [open_]) == (who in RESPONSE_QUEUE)
        if who not in MODERATION_QUEUE:
            assert in_moderation == []
            assert moderated == []
        if who not in RESPONSE_QUEUE:
            assert to_answer == []
        petition = db.session.get(Petition, open_)
        assert user.has_permission("petitions.moderate", territory=petition.territory) == (who in MODERATION_QUEUE)
        assert user.has_permission("petitions.respond", body=petition.state_body) == (who in RESPONSE_QUEUE)
