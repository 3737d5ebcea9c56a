"""The flask CLI: demo data, administrators, role grants, reference data, digests."""

from sqlalchemy import func, select

from civic import db
from civic.identity.models import StateBody, Territory, User, UserRole


def test_seed_demo_is_deterministic_and_idempotent(app, runner):
    result = runner.invoke(args=["seed", "demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "identity" in result.output
    assert "Demo data loaded." in result.output
    with app.app_context():
        users = db.session.scalar(select(func.count()).select_from(User))
        admin = db.session.scalar(select(User).where(User.email == "admin@demo.civic.kz"))
        assert users >= 40
        assert admin is not None
    again = runner.invoke(args=["seed", "demo", "--if-empty"])
    assert again.exit_code == 0
    assert "nothing to do" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == users


def test_reference_data_has_the_real_directory(app, runner):
    result = runner.invoke(args=["identity", "load-reference"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        levels = dict(db.session.execute(select(Territory.level, func.count()).group_by(Territory.level)).all())
        assert levels["oblast"] == 17
        assert levels["republic"] == 1
        almaty = db.session.scalar(select(Territory).where(Territory.code == "KZ-ALA"))
        districts = db.session.scalars(select(Territory).where(Territory.parent_id == almaty.id)).all()
        assert len(districts) == 8
        assert all(d.level == "district" for d in districts)
        assert (
            db.session.scalar(select(func.count()).select_from(Territory).where(Territory.level == "rural_district"))
            >= 3
        )
        assert all(t.name_kk and t.name_ru and t.name_en for t in db.session.scalars(select(Territory)))
        assert db.session.scalar(select(func.count()).select_from(StateBody)) > 10
    assert "0 territories added" in runner.invoke(args=["identity", "load-reference"]).output


def test_create_admin(app, runner):
    result = runner.invoke(
        args=["identity", "create-admin", "--email", "Root@Akimat.kz"],
        env={"CIVIC_ADMIN_PASSWORD": "a long admin phrase"},
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "root@akimat.kz"))
        roles = db.session.scalars(select(UserRole.role_name).where(UserRole.user_id == user.id)).all()
        assert roles == ["admin"]
    short = runner.invoke(args=["identity", "create-admin", "--email", "x@akimat.kz", "--password", "short"])
    assert short.exit_code != 0


def test_sync_roles_reports_grants(runner):
    result = runner.invoke(args=["identity", "sync-roles"])
    assert result.exit_code == 0
    assert "role grants in place" in result.output
