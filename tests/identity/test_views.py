"""Identity pages: the permission matrix, CSRF, bad input, headers, languages, rate limits, error pages."""

import re

import pytest
from sqlalchemy import func, select

from civic import db
from civic.identity.models import AssuranceLevel, User, UserRole
from tests.factories import DEFAULT_PASSWORD, session_ident

ROLES = [
    "anonymous",
    "resident",
    "council_member",
    "expert",
    "moderator",
    "official",
    "inspector",
    "bureau_consultant",
    "admin",
]
ROLE_SPECS = {
    "official": ("official", None, "KZ-ALA.AKIMAT"),
    "inspector": ("inspector", None, "KZ-ALA.AKIMAT"),
    "moderator": ("moderator", "KZ-ALA"),
}


@pytest.fixture
def language():
    """These tests read English messages (see ``language`` in tests/conftest.py)."""
    return "en"


@pytest.fixture
def as_role(client, make_user, auth, directory):
    """Sign the client in as a user holding ``role`` (or nobody for "anonymous"); returns the user."""

    def _as(role):
        if role == "anonymous":
            return None
        roles = [] if role == "resident" else [ROLE_SPECS.get(role, role)]
        user = make_user(roles=roles)
        auth.login(user)
        return user

    return _as


def _expected(rule, role):
    return rule.get(role, rule["*"])


PAGES = [
    ("GET", "/", {"*": 200}),
    ("GET", "/login", {"*": 302, "anonymous": 200}),
    ("GET", "/register", {"*": 302, "anonymous": 200}),
    ("GET", "/reset", {"*": 200}),
    ("GET", "/account", {"*": 200, "anonymous": 302}),
    ("GET", "/account/password", {"*": 200, "anonymous": 302}),
    ("GET", "/account/delete", {"*": 200, "anonymous": 302}),
    ("GET", "/account/notifications", {"*": 200, "anonymous": 302}),
    ("GET", "/admin/users", {"*": 403, "anonymous": 302, "admin": 200}),
    ("GET", "/admin/users/{target}", {"*": 403, "anonymous": 302, "admin": 200}),
    ("GET", "/admin/audit", {"*": 403, "anonymous": 302, "admin": 200}),
    ("GET", "/admin/bodies", {"*": 403, "anonymous": 302, "admin": 200}),
    ("POST", "/admin/bodies/{body}", {"*": 403, "anonymous": 302, "admin": 302}),
    ("POST", "/admin/users/{target}/roles", {"*": 403, "anonymous": 302, "admin": 400}),
    (
        "POST",
        "/admin/users/{target}/verify-in-person",
        {"*": 403, "anonymous": 302, "admin": 400, "official": 400, "bureau_consultant": 400},
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "rule"), PAGES, ids=[f"{m} {p}" for m, p, _ in PAGES])
def test_permission_matrix(client, make_user, as_role, directory, method, path, rule, role):
    target = make_user()
    as_role(role)
    url = path.format(target=target.id, body=directory.bodies["KZ-ALA.ENERGY"])
    response = client.get(url) if method == "GET" else client.post(url, data={})
    assert response.status_code == _expected(rule, role), response.data[:300]
    if response.status_code == 302 and role == "anonymous" and path.startswith(("/account", "/admin")):
        assert "/login?next=" in response.headers["Location"]


def test_post_without_csrf_token_is_refused(plain_client, make_user):
    user = make_user(email="csrf@example.test")
    response = plain_client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert b"The form has expired" in response.data
    with plain_client.session_transaction() as sess:
        assert "_user_id" not in sess


def test_login_rotates_session_and_honours_only_local_next(client, make_user):
    user = make_user()
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    response = client.post(
        "/login?next=https://evil.example/steal", data={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"].startswith(f"{user.id}:{user.session_version}:")
    client.post("/logout", data={})
    response = client.post(
        "/login?next=/account/notifications", data={"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.headers["Location"] == "/account/notifications"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)"])
def test_open_redirects_are_refused(client, make_user, target):
    user = make_user()
    response = client.post(f"/login?next={target}", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.headers["Location"] == "/account"


def test_wrong_password_and_unknown_email_look_the_same(client, make_user):
    user = make_user()
    wrong = client.post("/login", data={"email": user.email, "password": "not the password"})
    unknown = client.post("/login", data={"email": "nobody@example.test", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 400

    def message(r):
        return re.search(rb'class="form-errors" role="alert"><p>(.*?)</p>', r.data).group(1)

    assert message(wrong) == message(unknown)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"email": "not-an-email"}, b"Invalid email address"),
        ({"password": "short", "confirm": "short"}, b"between 8 and 128"),
        ({"confirm": "something else"}, b"The passwords do not match"),
        ({"display_name": "x" * 81}, b"longer than 80"),
        ({"home_territory": "999999"}, b"Not a valid choice"),
        ({"home_territory": "abc"}, b"Invalid Choice"),
        ({"password": "password123", "confirm": "password123"}, b"too common"),
    ],
)
def test_registration_bad_input_gets_400_and_writes_nothing(client, app, data, needle):
    form = {
        "email": "new@example.kz",
        "display_name": "New",
        "password": "a fine pass phrase",
        "confirm": "a fine pass phrase",
        "home_territory": "0",
        "locale": "en",
    }
    form.update(data)
    response = client.post("/register", data=form)
    assert response.status_code == 400
    assert needle in response.data
    with app.app_context():
        assert db.session.scalar(select(User.id)) is None


def test_registration_does_not_tell_which_emails_have_accounts(client, app, make_user, outbox):
    """Security review finding 5: a taken email gets the same answer as a new one; its owner gets a mail."""
    make_user(email="taken@example.kz")

    def register(email):
        return client.post(
            "/register",
            data={
                "email": email,
                "display_name": "Again",
                "password": "a fine pass phrase",
                "confirm": "a fine pass phrase",
                "home_territory": "0",
                "locale": "en",
            },
            headers={"Accept-Language": "en"},
        )

    taken, new = register("TAKEN@example.kz"), register("fresh@example.kz")
    assert taken.status_code == new.status_code == 302
    assert taken.headers["Location"] == new.headers["Location"]
    messages = outbox()
    assert {m["To"] for m in messages} == {"taken@example.kz", "fresh@example.kz"}
    owner = next(m for m in messages if m["To"] == "taken@example.kz")
    assert "already has an account" in owner.get_content()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 2


@pytest.mark.parametrize("language", ["ru"])
def test_registration_messages_are_translated(client):
    response = client.post(
        "/register",
        data={"email": "x", "display_name": "", "password": "a", "confirm": "b", "home_territory": "0", "locale": "ru"},
    )
    assert response.status_code == 400
    assert '<html lang="ru">' in response.text
    assert "Invalid email address" not in response.text  # WTForms' own messages come in Russian too


def test_iin_form_explains_errors(client, make_user, auth):
    user = make_user(level=AssuranceLevel.EMAIL_VERIFIED)
    auth.login(user)
    response = client.post("/account/iin", data={"iin": "850808301073", "confirm": "y"})
    assert response.status_code == 400
    assert b"check digit" in response.data
    response = client.post("/account/iin", data={"iin": "850808301077", "confirm": "y"})
    assert response.status_code == 302


def test_the_verification_link_confirms_only_with_its_button(client, app, make_user):
    from civic.identity import tokens

    user = make_user(level=AssuranceLevel.REGISTERED)
    with app.test_request_context():
        token = tokens.make_token(tokens.VERIFY_EMAIL, user)
    page = client.get(f"/verify/{token}", headers={"Accept-Language": "en"}, follow_redirects=True)
    assert page.status_code == 200
    assert "Confirm my email" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).email_verified_at is None  # opening the link wrote nothing
    assert client.post(f"/verify/{token}").status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).assurance_level == AssuranceLevel.EMAIL_VERIFIED
    moved = client.get(f"/verify/{token}")  # the token leaves the URL first
    assert client.get(moved.headers["Location"]).status_code == 302  # already confirmed: straight on


def test_expired_verification_link_answers_400(client, app, make_user, monkeypatch):
    from civic.identity import tokens

    user = make_user(level=AssuranceLevel.REGISTERED)
    with app.test_request_context():
        token = tokens.make_token(tokens.VERIFY_EMAIL, user)
    monkeypatch.setitem(app.config, "EMAIL_TOKEN_MAX_AGE", -1)
    response = client.get(f"/verify/{token}", headers={"Accept-Language": "en"}, follow_redirects=True)
    assert response.status_code == 400
    assert b"expired" in response.data
    assert client.get("/verify/garbage", follow_redirects=True).status_code == 400


def test_password_reset_flow_does_not_reveal_accounts(client, make_user, outbox):
    user = make_user(email="reset@example.kz")
    for email in ("reset@example.kz", "nobody@example.kz"):
        response = client.post("/reset", data={"email": email})
        assert response.status_code == 302
    messages = outbox()
    assert [m["To"] for m in messages] == ["reset@example.kz"]
    link = re.search(r"http://localhost(/reset/\S+)", messages[0].get_content()).group(1)
    assert client.post(link, data={"password": "brand new phrase", "confirm": "brand new phrase"}).status_code == 302
    assert client.post(link, data={"password": "other new phrase", "confirm": "other new phrase"}).status_code == 400
    assert client.post("/login", data={"email": user.email, "password": "brand new phrase"}).status_code == 302


def test_password_change_signs_out_other_sessions(app, make_user, auth, client):
    user = make_user()
    other = app.test_client()
    with other.session_transaction() as sess:
        sess["_user_id"] = session_ident(app, user)
    assert other.get("/account").status_code == 200
    auth.login(user)
    response = client.post(
        "/account/password",
        data={"current_password": DEFAULT_PASSWORD, "password": "new pass phrase", "confirm": "new pass phrase"},
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # this session continues
    assert other.get("/account").status_code == 302  # the other one is signed out


def test_account_deletion_through_the_page(client, app, make_user, auth):
    user = make_user(roles=["moderator"])
    auth.login(user)
    assert client.post("/account/delete", data={"password": "wrong", "confirm": "y"}).status_code == 400
    response = client.post("/account/delete", data={"password": DEFAULT_PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 302
    with app.app_context():
        gone = db.session.get(User, user.id)
        assert gone.is_deleted
        assert gone.display_name is None


@pytest.mark.parametrize("language", ["kk"])  # the app's own default, Kazakh, is what is tested
def test_language_choice_order(client, make_user, auth):
    assert '<html lang="kk">' in client.get("/").text
    assert '<html lang="ru">' in client.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9"}).text
    client.post("/language", data={"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "ru"}).text
    user = make_user(locale="kk")
    auth.login(user)
    assert '<html lang="kk">' in client.get("/").text  # the account's preference wins over the cookie
    response = client.post("/language", data={"language": "ru", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert '<html lang="ru">' in client.get("/").text


def test_dates_are_formatted_for_the_language(client, app, make_user, auth):
    from civic.identity.notifications import notify

    user = make_user(locale="ru")
    with app.app_context():
        notify(db.session.get(User, user.id), "test", "Привет")
        db.session.commit()
    auth.login(user)
    page = client.get("/account/notifications").text
    # The house format for Russian: medium date and short time ("22 нояб. 2026 г., 14:05"), never seconds.
    assert re.search(r"\d{1,2} [а-я]+\.? \d{4}\s?г\., \d{1,2}:\d{2}<", page)
    assert not re.search(r"\d{1,2}:\d{2}:\d{2}", re.sub(r"<[^>]*>", "", page))  # attributes may carry seconds


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_security_headers_keep_what_a_view_set_and_come_once(app, monkeypatch):
    from flask import Response

    add_headers = next(f for f in app.after_request_funcs[None] if getattr(f, "__name__", "") == "_security_headers")
    with app.test_request_context("/"):
        own = add_headers(Response("x", headers={"content-security-policy": "default-src 'none'"}))
        monkeypatch.setitem(app.config, "SECURE_COOKIES", True)
        secure = add_headers(Response("x"))
    assert own.headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
    assert own.headers.getlist("X-Frame-Options") == ["DENY"]
    assert "Strict-Transport-Security" not in own.headers
    assert secure.headers.getlist("Strict-Transport-Security") == ["max-age=31536000; includeSubDomains"]
    assert "script-src 'self'" in secure.headers["Content-Security-Policy"]


def test_login_is_rate_limited(client, make_user):
    user = make_user()
    statuses = [client.post("/login", data={"email": user.email, "password": "wrong!"}).status_code for _ in range(7)]
    assert statuses[:5] == [400] * 5
    assert statuses[-1] == 429
    response = client.post("/login", data={"email": user.email, "password": "wrong!"})
    assert b"Too many requests" in response.data


@pytest.mark.parametrize(("path", "status"), [("/no-such-page", 404), ("/admin/users/999999", 404)])
@pytest.mark.parametrize("language", ["ru"])
def test_error_pages_are_translated(client, make_user, auth, path, status):
    auth.login(make_user(roles=["admin"]))
    response = client.get(path)
    assert response.status_code == status
    assert '<html lang="ru">' in response.text


def test_admin_assigns_role_through_the_screen(client, app, make_user, auth, directory):
    admin, user = make_user(roles=["admin"]), make_user()
    auth.login(admin)
    body_id = directory.bodies["KZ-ALA.ENERGY"]
    response = client.post(
        f"/admin/users/{user.id}/roles", data={"role": "official", "territory": "0", "state_body": str(body_id)}
    )
    assert response.status_code == 302
    response = client.post(
        f"/admin/users/{user.id}/roles",
        data={"role": "official", "territory": "0", "state_body": "0"},
    )
    assert response.status_code == 400
    assert b"must belong to a state body" in response.data
    with app.app_context():
        roles = db.session.scalars(select(UserRole).where(UserRole.user_id == user.id)).all()
        assert [(r.role_name, r.state_body_id) for r in roles] == [("official", body_id)]
    audit_page = client.get("/admin/audit?action=identity.assign_role")
    assert audit_page.status_code == 200
    assert b"identity.assign_role" in audit_page.data
    assert client.get("/admin/audit?from=not-a-date").status_code == 400


def test_admin_sets_the_head_of_a_state_body(client, app, make_user, auth, directory):
    admin, head = make_user(roles=["admin"]), make_user(email="head@akimat.kz")
    auth.login(admin)
    body_id = (
        directory.bodies["KZ-ALA-ALM.AKIMAT"]
        if "KZ-ALA-ALM.AKIMAT" in directory.bodies
        else directory.bodies["KZ-ALA.AKIMAT"]
    )
    assert client.get("/admin/bodies").status_code == 200
    response = client.post(
        f"/admin/bodies/{body_id}",
        data={"head_email": "nobody@akimat.kz", "categories": [str(directory.categories["housing"])]},
    )
    assert response.status_code == 400
    assert b"No account has this email" in response.data
    response = client.post(
        f"/admin/bodies/{body_id}",
        data={"head_email": "head@akimat.kz", "categories": [str(directory.categories["housing"])]},
    )
    assert response.status_code == 302
    with app.app_context():
        from civic.identity.models import AuditEvent, StateBody

        body = db.session.get(StateBody, body_id)
        assert body.head_user_id == head.id
        assert [c.code for c in body.categories] == ["housing"]
        assert (
            db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_id == str(body_id)))
            == "identity.update_state_body"
        )
