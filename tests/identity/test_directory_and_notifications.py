"""Routing by competence, and notifications delivered as each user chose."""

from sqlalchemy import select

from civic import db
from civic.identity import notifications
from civic.identity.directory import route_to_body
from civic.identity.models import Category, Notification, NotificationMode, User


def _category(code):
    return db.session.scalar(select(Category).where(Category.code == code))


def test_routing_prefers_the_nearest_competent_department(app, directory):
    with app.app_context():
        almaly = directory.territory("KZ-ALA-ALM")
        assert route_to_body(almaly, _category("energy")).code == "KZ-ALA.ENERGY"
        assert route_to_body(almaly, _category("landscaping")).territory.code == "KZ-ALA-ALM"
        assert route_to_body(directory.territory("KZ-ALA"), _category("education")).code == "KZ-ALA.EDUCATION"


def test_routing_falls_back_to_the_akimat(app, directory):
    with app.app_context():
        body = route_to_body(directory.territory("KZ-AST"), _category("energy"))
        assert body is not None
        assert body.kind in ("akimat", "department", "other")


def _user(user):
    return db.session.get(User, user.id)


def test_immediate_digest_and_none_modes(app, make_user, outbox):
    immediate = make_user(notification_mode=NotificationMode.IMMEDIATE, locale="ru")
    digest = make_user(notification_mode=NotificationMode.DIGEST)
    silent = make_user(notification_mode=NotificationMode.NONE)
    with app.app_context():
        for user in (immediate, digest, silent):
            notifications.notify(_user(user), "test", "Petition answered", "Body text", link="/petitions/1")
            notifications.notify(_user(user), "test", "Second event")
        db.session.commit()
    assert [m["To"] for m in outbox()] == [immediate.email, immediate.email]
    assert "http://localhost/petitions/1" in outbox()[0].get_content()
    with app.app_context():
        assert notifications.send_digests() == 1
        db.session.commit()
        assert notifications.send_digests() == 0  # nothing new: no second digest
        db.session.commit()
    digest_mail = outbox()[-1]
    assert digest_mail["To"] == digest.email
    assert "2" in digest_mail["Subject"]
    with app.app_context():
        assert notifications.unread_count(_user(silent)) == 2
        notifications.mark_all_read(_user(silent))
        db.session.commit()
        assert notifications.unread_count(_user(silent)) == 0
        assert db.session.scalar(select(Notification).where(Notification.user_id == silent.id)).emailed_at is None
