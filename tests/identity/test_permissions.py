"""The one scope rule: ``scopes`` (where a user holds a permission), ``holders`` (who holds it here) and
``user_has_permission`` agree, honour deleted accounts, administrators, territory subtrees and body scopes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from civic import db
from civic.db import utc_now
from civic.identity.models import StateBody, Territory, User
from civic.identity.permissions import (
    ADMIN,
    RESIDENT,
    ROLES,
    Scopes,
    holder_ids,
    holders,
    role_labels,
    scopes,
    user_has_permission,
)
from civic.identity.services import assign_role

MODERATE, RESPOND = "petitions.moderate", "petitions.respond"


@pytest.fixture
def people(directory, make_user):
    return {
        "city_moderator": make_user(roles=[("moderator", "KZ-ALA")]),
        "district_moderator": make_user(roles=[("moderator", "KZ-ALA-ALM")]),
        "east_moderator": make_user(roles=[("moderator", "KZ-VOS")]),
        "national_moderator": make_user(roles=["moderator"]),
        "gone_moderator": make_user(roles=[("moderator", "KZ-ALA")], deleted_at=utc_now()),
        "akimat_official": make_user(roles=[("official", None, "KZ-ALA.AKIMAT")]),
        "housing_official": make_user(roles=[("official", None, "KZ-ALA.HOUSING")]),
        "admin": make_user(roles=["admin"]),
        "resident": make_user(),
    }


def _territory(code: str) -> Territory:
    return db.session.scalar(select(Territory).where(Territory.code == code))


def _body(code: str) -> StateBody:
    return db.session.scalar(select(StateBody).where(StateBody.code == code))


def _names(people, users) -> set[str]:
    ids = {u.id for u in users}
    return {name for name, person in people.items() if person.id in ids}


def test_scopes_of_a_territory_moderator_cover_its_subtree_only(app, people):
    with app.app_context():
        found = scopes(db.session.get(User, people["city_moderator"].id), MODERATE)
        assert not found.everywhere
        assert found.territory_paths == (_territory("KZ-ALA").path,)
        assert found.body_ids == ()
        assert found.covers(_territory("KZ-ALA-ALM"))
        assert found.covers(_territory("KZ-ALA"))
        assert not found.covers(_territory("KZ-VOS"))
        assert not found.covers(_territory("KZ"))
        inside = set(db.session.scalars(select(Territory.code).where(found.territory_condition(Territory.path))))
        assert "KZ-ALA-ALM" in inside
        assert "KZ-ALA" in inside
        assert not any(code.startswith("KZ-VOS") for code in inside)


def test_scopes_of_an_official_name_the_body_and_its_territory(app, people):
    with app.app_context():
        found = scopes(db.session.get(User, people["akimat_official"].id), RESPOND)
        assert found.body_ids == (_body("KZ-ALA.AKIMAT").id,)
        assert found.territory_paths == (_territory("KZ-ALA").path,)
        assert found.covers(body=_body("KZ-ALA.AKIMAT"))
        assert not found.covers(body=_body("KZ-ALA.HOUSING"))
        bodies = set(db.session.scalars(select(StateBody.code).where(found.body_condition(StateBody.id))))
        assert bodies == {"KZ-ALA.AKIMAT"}


def test_a_territory_wide_grant_covers_the_bodies_there(app, people, make_user):
    """A role granting ``petitions.respond`` without naming a body covers every body of its territory."""
    with app.app_context():
        from civic.identity.models import RolePermission

        db.session.add(RolePermission(role_name="moderator", permission=RESPOND))
        db.session.commit()
    with app.app_context():
        found = scopes(db.session.get(User, people["city_moderator"].id), RESPOND)
        bodies = set(db.session.scalars(select(StateBody.code).where(found.body_condition(StateBody.id))))
        assert "KZ-ALA.AKIMAT" in bodies
        assert "KZ-ALA.HOUSING" in bodies
        assert not any(code.startswith("KZ-VOS") for code in bodies)
        assert _names(people, holders(RESPOND, body=_body("KZ-ALA.HOUSING"))) == {
            "city_moderator",
            "national_moderator",
            "housing_official",
        }


def test_scopes_honour_deleted_accounts_administrators_and_residents(app, people):
    with app.app_context():
        assert scopes(db.session.get(User, people["gone_moderator"].id), MODERATE) == Scopes()
        assert not scopes(db.session.get(User, people["resident"].id), MODERATE)
        assert scopes(db.session.get(User, people["admin"].id), MODERATE).everywhere
        assert scopes(db.session.get(User, people["national_moderator"].id), MODERATE).everywhere
        assert not scopes(db.session.get(User, people["city_moderator"].id), RESPOND)


def test_scopes_and_holders_are_one_query_each(app, people):
    from sqlalchemy import event

    with app.app_context():
        user = db.session.get(User, people["akimat_official"].id)
        body = _body("KZ-ALA.AKIMAT")
        territory = body.territory
        statements = []
        engine = db.session.get_bind()
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            scopes(user, RESPOND)
            holders(MODERATE, territory=territory)
            holders(RESPOND, territory=territory, body=body)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert len(statements) == 3


def test_holders_of_a_district_are_the_moderators_above_it(app, people):
    with app.app_context():
        found = holders(MODERATE, territory=_territory("KZ-ALA-ALM"))
        assert _names(people, found) == {"city_moderator", "district_moderator", "national_moderator"}
        assert _names(people, holders(MODERATE, territory=_territory("KZ-ALA"))) == {
            "city_moderator",
            "national_moderator",
        }
        assert _names(people, holders(MODERATE, territory=_territory("KZ-VOS-OSK"))) == {
            "east_moderator",
            "national_moderator",
        }


def test_holders_leave_out_deleted_accounts_administrators_and_residents(app, people):
    with app.app_context():
        everyone = _names(people, holders(MODERATE))
        assert "gone_moderator" not in everyone
        assert "admin" not in everyone
        assert "resident" not in everyone
        assert everyone == {"city_moderator", "district_moderator", "east_moderator", "national_moderator"}


def test_an_administrator_holding_a_role_is_a_holder_through_it(app, people, make_user):
    both = make_user(roles=["admin", ("moderator", "KZ-ALA")])
    with app.app_context():
        assert both.id in {u.id for u in holders(MODERATE, territory=_territory("KZ-ALA-ALM"))}
        assert both.id not in {u.id for u in holders(MODERATE, territory=_territory("KZ-VOS"))}


def test_holders_of_a_body_are_its_officials(app, people):
    with app.app_context():
        assert _names(people, holders(RESPOND, body=_body("KZ-ALA.AKIMAT"))) == {"akimat_official"}
        assert _names(people, holders(RESPOND, body=_body("KZ-ALA.HOUSING"))) == {"housing_official"}
        assert _names(people, holders(RESPOND, body=_body("KZ-VOS.AKIMAT"))) == set()
        ids = set(db.session.scalars(holder_ids(RESPOND, body=_body("KZ-ALA.AKIMAT"))))
        assert ids == {people["akimat_official"].id}


def test_permission_granted_to_residents_is_held_by_every_active_account(app, people):
    with app.app_context():
        from civic.identity.models import RolePermission

        db.session.add(RolePermission(role_name=RESIDENT, permission="test.read"))
        db.session.commit()
    with app.app_context():
        assert _names(people, holders("test.read")) == set(people) - {"gone_moderator"}
        assert scopes(db.session.get(User, people["resident"].id), "test.read").everywhere


@pytest.mark.parametrize("permission", [MODERATE, RESPOND])
@pytest.mark.parametrize(
    ("territory", "body"),
    [
        (None, None),
        ("KZ", None),
        ("KZ-ALA", None),
        ("KZ-ALA-ALM", None),
        ("KZ-VOS-OSK", None),
        (None, "KZ-ALA.AKIMAT"),
        (None, "KZ-ALA.HOUSING"),
        (None, "KZ-VOS.AKIMAT"),
        ("KZ-ALA", "KZ-ALA.AKIMAT"),
    ],
)
def test_check_scopes_and_holders_agree(app, people, permission, territory, body):
    """For everyone but administrators: has_permission == scopes(...).covers == being one of the holders."""
    with app.app_context():
        t = _territory(territory) if territory else None
        b = _body(body) if body else None
        held = {u.id for u in holders(permission, territory=t, body=b)}
        for name, person in people.items():
            user = db.session.get(User, person.id)
            check = user_has_permission(user, permission, territory=t, body=b)
            assert scopes(user, permission).covers(t, b) == check, name
            if name != "admin":
                assert (user.id in held) == check, name
            else:
                assert check


def test_role_labels_come_from_the_modules(app):
    with app.app_context():
        labels = role_labels()
    names = list(labels)
    assert names[0] == RESIDENT
    assert names[-1] == ADMIN
    assert len(names) == len(set(names))
    for module_role in ("moderator", "council_member", "expert", "bureau_consultant", "bureau_supervisor"):
        assert module_role in labels
        assert module_role not in ROLES
    assert set(ROLES) == {"resident", "official", "inspector", "admin"}


def test_a_module_role_can_be_assigned(app, directory, make_user):
    admin, target = make_user(roles=["admin"]), make_user()
    with app.app_context():
        actor = db.session.get(User, admin.id)
        assign_role(db.session.get(User, target.id), "bureau_supervisor", actor, territory=_territory("KZ-ALA"))
        db.session.commit()
    with app.app_context():
        user = db.session.get(User, target.id)
        assert user.has_permission("bureau.supervise", territory=_territory("KZ-ALA-ALM"))
        assert not user.has_permission("bureau.supervise", territory=_territory("KZ-VOS"))
