"""Finding 4: server-side session records. Logging out ends the session for a copied cookie too; "log out of other
devices" ends the others; the account page lists the active sessions."""

from sqlalchemy import select

from civic import db
from civic.identity.models import UserSession
from tests.factories import DEFAULT_PASSWORD


def _cookie(app, client):
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def _as_cookie(app, value):
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], value)
    other.set_cookie("civic_lang", "en")
    return other


def test_a_copied_cookie_stops_working_after_logout(app, client, make_user):
    user = make_user(email="ayan@example.test")
    response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    stolen = _cookie(app, client)
    assert _as_cookie(app, stolen).get("/account").status_code == 200
    assert client.post("/logout").status_code == 302
    response = _as_cookie(app, stolen).get("/account")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_log_out_of_other_devices(app, client, make_user):
    user = make_user(email="bota@example.test")
    phone = app.test_client_class(app)  # CivicClient: adds CSRF tokens
    for c in (client, phone):
        c.set_cookie("civic_lang", "en")
        c.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD}, headers={"User-Agent": "Phone/1"})
    page = client.get("/account")
    assert page.status_code == 200
    assert "Phone/1" in page.get_data(as_text=True)
    assert client.post("/account/sessions/revoke-others").status_code == 302
    assert client.get("/account").status_code == 200
    response = phone.get("/account")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    with app.app_context():
        rows = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
        assert sum(1 for row in rows if row.revoked_at is None) == 1


def test_revoke_one_session_from_the_account_page(app, client, make_user):
    user = make_user(email="dana@example.test")
    other = app.test_client_class(app)
    for c in (client, other):
        c.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    with app.app_context():
        ids = db.session.scalars(select(UserSession.id).where(UserSession.user_id == user.id).order_by(UserSession.id))
        other_id = list(ids)[-1]
    assert client.post(f"/account/sessions/{other_id}/revoke").status_code == 302
    assert other.get("/account").status_code == 302
    assert client.get("/account").status_code == 200


def test_someone_else_cannot_revoke_my_session(app, client, make_user):
    me, stranger = make_user(email="erlan@example.test"), make_user(email="farida@example.test")
    other = app.test_client_class(app)
    client.post("/login", data={"email": me.email, "password": DEFAULT_PASSWORD})
    other.post("/login", data={"email": stranger.email, "password": DEFAULT_PASSWORD})
    with app.app_context():
        mine = db.session.scalar(select(UserSession.id).where(UserSession.user_id == me.id))
    assert other.post(f"/account/sessions/{mine}/revoke").status_code == 404
    assert client.get("/account").status_code == 200


def test_a_session_without_a_record_is_refused(app, client, make_user):
    """A cookie naming an account but no server-side session (forged with the key, or from before the records)."""
    user = make_user()
    with client.session_transaction() as sess:
        sess["_user_id"] = f"{user.id}:{user.session_version}"
        sess["_fresh"] = True
    response = client.get("/account")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_signing_with_a_revoked_session_is_refused(app, client, make_user, directory):
    """The signing hot path reads the account from the cookie without loading the user: it checks the record too."""
    from tests.petitions.conftest import World

    world = World(app=app, make_user=make_user, directory=directory)
    world.author = world.user()
    world.moderator = make_user(roles=[("moderator", "KZ-ALA")], home="KZ-ALA-ALM")
    world.supporters = [world.user() for _ in range(5)]
    pid = world.petition("open")
    signer = world.user(email="gulnar@example.test")
    client.post("/login", data={"email": signer.email, "password": DEFAULT_PASSWORD})
    stolen = _cookie(app, client)
    client.post("/logout")
    before = world.count(pid)
    thief_client = app.test_client_class(app)
    thief_client.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    response = thief_client.post(f"/petitions/{pid}/sign")
    assert response.status_code in (302, 303, 400, 401, 403)
    assert world.count(pid) == before


def test_a_copied_remember_me_cookie_stops_working_after_logout(app, client, make_user):
    user = make_user(email="remember@example.test")
    client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "remember": "y"})
    remember = client.get_cookie(app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    assert remember is not None
    thief = app.test_client()
    thief.set_cookie(remember.key, remember.value)
    assert thief.get("/account").status_code == 200  # the remember-me cookie alone restores the session
    client.post("/logout")
    later = app.test_client()
    later.set_cookie(remember.key, remember.value)
    response = later.get("/account")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
