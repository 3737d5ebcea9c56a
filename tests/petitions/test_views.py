"""Petition pages: the permission matrix, the forms end to end, signing over HTTP, bad input, query counts."""

import re
import threading

import pytest
from sqlalchemy import event, func, select

from civic import db
from civic.db import utc_now
from civic.identity.models import AuditEvent, Category, User
from civic.petitions.models import Petition, PetitionLevelRule, PetitionSignature, PetitionState

S = PetitionState
ROLES = [
    "anonymous",
    "resident",
    "author",
    "moderator",
    "moderator_elsewhere",
    "official",
    "official_elsewhere",
    "admin",
]


@pytest.fixture
def scene(world):
    """One petition in each interesting state, and a user for every role of the matrix."""
    ids = {state: world.petition(state) for state in ("draft", "awaiting_moderation", "open")}
    users = {
        "resident": world.user(),
        "author": world.author,
        "moderator": world.moderator,
        "moderator_elsewhere": world.make_user(roles=[("moderator", "KZ-AST")], home="KZ-AST-YES"),
        "official": world.official_for(ids["open"]),
        "official_elsewhere": world.make_user(roles=[("official", None, "KZ-AST.AKIMAT")], home="KZ-AST-YES"),
        "admin": world.make_user(roles=["admin"], home="KZ-ALA-ALM"),
    }
    return ids, users


# (method, path, {role: status}, "*" = everyone else)
MATRIX = [
    ("GET", "/petitions/", {"*": 200}),
    ("GET", "/petitions/{open}", {"*": 200}),
    ("GET", "/petitions/{draft}", {"*": 404, "author": 200}),
    ("GET", "/petitions/{awaiting_moderation}", {"*": 404, "author": 200, "moderator": 200, "admin": 200}),
    ("GET", "/petitions/new", {"*": 200, "anonymous": 302}),
    ("GET", "/petitions/{draft}/edit", {"*": 404, "author": 200, "anonymous": 302}),
    ("POST", "/petitions/{draft}/submit", {"*": 404, "author": 303, "anonymous": 302}),
    (
        "POST",
        "/petitions/{awaiting_moderation}/withdraw",
        {"*": 404, "author": 303, "anonymous": 302, "moderator": 403, "admin": 403},
    ),
    (
        "GET",
        "/petitions/{awaiting_moderation}/withdraw",
        {"*": 404, "author": 200, "anonymous": 302, "moderator": 403, "admin": 403},
    ),
    ("GET", "/petitions/mine", {"*": 200, "anonymous": 302}),
    ("GET", "/petitions/signed", {"*": 200, "anonymous": 302}),
    (
        "GET",
        "/petitions/moderation",
        {"*": 403, "anonymous": 302, "moderator": 200, "moderator_elsewhere": 200, "admin": 200},
    ),
    (
        "GET",
        "/petitions/{awaiting_moderation}/moderate",
        {"*": 403, "anonymous": 302, "moderator": 200, "moderator_elsewhere": 404, "admin": 200},
    ),
    (
        "POST",
        "/petitions/{awaiting_moderation}/approve",
        {"*": 403, "anonymous": 302, "moderator": 400, "moderator_elsewhere": 404, "admin": 400},
    ),
    (
        "POST",
        "/petitions/{awaiting_moderation}/reject",
        {"*": 403, "anonymous": 302, "moderator": 400, "moderator_elsewhere": 404, "admin": 400},
    ),
    (
        "POST",
        "/petitions/{open}/hide",
        {"*": 403, "anonymous": 302, "moderator": 400, "moderator_elsewhere": 403, "admin": 400},
    ),
    (
        "POST",
        "/petitions/{open}/route",
        {"*": 403, "anonymous": 302, "moderator": 400, "moderator_elsewhere": 403, "admin": 400},
    ),
    (
        "GET",
        "/petitions/integrity",
        {"*": 403, "anonymous": 302, "moderator": 200, "moderator_elsewhere": 200, "admin": 200},
    ),
    (
        "GET",
        "/petitions/{open}/integrity",
        {"*": 403, "anonymous": 302, "moderator": 200, "moderator_elsewhere": 403, "admin": 200},
    ),
    (
        "POST",
        "/petitions/{open}/integrity",
        {"*": 403, "anonymous": 302, "moderator": 400, "moderator_elsewhere": 403, "admin": 400},
    ),
    (
        "GET",
        "/petitions/awaiting-response",
        {"*": 403, "anonymous": 302, "official": 200, "official_elsewhere": 200, "admin": 200},
    ),
    ("GET", "/petitions/{open}/respond", {"*": 403, "anonymous": 302, "official": 200, "admin": 200}),
    ("POST", "/petitions/{open}/respond", {"*": 403, "anonymous": 302, "official": 400, "admin": 400}),
    ("GET", "/petitions/admin", {"*": 403, "anonymous": 302, "admin": 200}),
    ("POST", "/petitions/admin/settings", {"*": 403, "anonymous": 302, "admin": 400}),
    ("POST", "/petitions/admin/levels/district", {"*": 403, "anonymous": 302, "admin": 400}),
    ("GET", "/petitions/admin/categories", {"*": 403, "anonymous": 302, "admin": 200}),
    ("POST", "/petitions/{open}/unsign", {"*": 400, "anonymous": 302}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "rule"), MATRIX, ids=[f"{m} {p}" for m, p, _r in MATRIX])
def test_permission_matrix(client, auth, scene, method, path, rule, role):
    ids, users = scene
    if role != "anonymous":
        auth.login(users[role])
    url = path.format(**ids)
    response = client.get(url) if method == "GET" else client.post(url, data={})
    assert response.status_code == rule.get(role, rule["*"]), (role, url, response.data[:300])


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_every_public_page_renders_in_each_language(client, world, residents, language):
    pid = world.petition("open")
    world.sign(pid, residents(1)[0])
    for url in ("/petitions/", f"/petitions/{pid}", "/petitions/?state=all&sort=newest&per_page=10"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.text, url
    for url in ("/api/v1/petitions", f"/api/v1/petitions/{pid}"):
        assert client.get(url).status_code == 200, url


def test_create_submit_support_and_see_the_link(client, auth, world, app):
    auth.login(world.author)
    with app.app_context():
        territory = world.directory.territories["KZ-ALA-ALM"]
        category = db.session.scalar(select(Category.id).where(Category.code == "landscaping"))
    bad = client.post(
        "/petitions/new",
        data={"title": "Short", "text": "too short", "territory": territory, "category": category, "language": "kk"},
    )
    assert bad.status_code == 400
    assert b"field-error" in bad.data
    response = client.post(
        "/petitions/new",
        data={
            "title": "Plant trees along Tole Bi street",
            "territory": territory,
            "category": category,
            "language": "kk",
            "text": "The old elms were cut in 2024 and the street has no shade in summer. Plant 200 new trees.",
        },
    )
    assert response.status_code == 302
    pid = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    page = client.get(f"/petitions/{pid}").get_data(as_text=True)
    assert "similar" in page.lower()
    assert client.post(f"/petitions/{pid}/submit").status_code == 303
    page = client.get(f"/petitions/{pid}").get_data(as_text=True)
    link = re.search(r'value="http://localhost(/petitions/support/[^"]+)"', page).group(1)
    auth.logout()
    assert client.get(link, follow_redirects=True).status_code == 200
    for n, supporter in enumerate(world.supporters):
        auth.login(supporter)
        assert client.post(link, data={"notify": "y"}).status_code == 303
        if n == 0:
            again = client.post(link, data={"notify": "y"})
            assert again.status_code == 409
            assert "already support" in again.get_data(as_text=True)
    assert world.get(pid).state == S.AWAITING_MODERATION
    late = client.post(link, data={})
    assert late.status_code == 400
    assert "not collecting supporters" in late.get_data(as_text=True)


def test_signing_over_http_json_and_form(client, auth, world, residents):
    pid = world.petition("open")
    first, second = residents(2)
    auth.login(first)
    response = client.post(f"/petitions/{pid}/sign", data={"notify": "y"}, headers={"Accept": "application/json"})
    assert response.status_code == 201
    assert response.json["status"] == "signed"
    again = client.post(f"/petitions/{pid}/sign", headers={"Accept": "application/json"})
    assert again.status_code == 409
    assert again.json["status"] == "already_signed"
    auth.login(second)
    response = client.post(f"/petitions/{pid}/sign", data={})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You signed this petition" in page
    assert 'data-signature-count="7"' in page
    assert client.post(f"/petitions/{pid}/unsign").status_code == 303
    assert world.count(pid) == 6


def test_signing_refusals_are_explained_with_4xx(client, auth, world, make_user):
    pid = world.petition("open")
    outsider = make_user(home="KZ-AST-YES")
    auth.login(outsider)
    page = client.get(f"/petitions/{pid}").get_data(as_text=True)
    assert "Only residents of the petition" in page
    assert "Sign this petition" not in page
    response = client.post(f"/petitions/{pid}/sign", data={})
    assert response.status_code == 403
    assert "Only residents" in response.get_data(as_text=True)
    assert client.post("/petitions/999999/sign", data={}).status_code == 404


def test_signing_without_csrf_token_is_refused(plain_client, world, residents):
    from tests.factories import AuthActions

    pid = world.petition("open")
    AuthActions(plain_client).login(residents(1)[0])
    response = plain_client.post(f"/petitions/{pid}/sign", data={})
    assert response.status_code == 400
    assert b"The form has expired" in response.data
    assert world.count(pid) == 5


def test_signing_is_rate_limited_per_account(client, auth, world, residents, app):
    app.config["PETITIONS_SIGN_LIMIT_PER_ACCOUNT"] = "2 per minute"
    try:
        ids = [world.petition("open", title=f"Repair the roads of microdistrict {n} quickly") for n in range(3)]
        auth.login(residents(1)[0])
        statuses = [client.post(f"/petitions/{pid}/sign", data={}).status_code for pid in ids]
    finally:
        app.config.pop("PETITIONS_SIGN_LIMIT_PER_ACCOUNT")
    assert statuses == [303, 303, 429]


def test_http_signing_from_many_threads_counts_exactly(app, world, residents):
    """The view itself under concurrency: each resident posts three times at once from separate clients."""
    from tests.conftest import CivicClient
    from tests.factories import AuthActions

    pid = world.petition("open")
    signers = residents(8)
    app.test_client_class = CivicClient
    statuses, lock = [], threading.Lock()

    clients = []
    for user in signers:  # sign in first (each sign-in writes a session record), then race
        for _ in range(3):
            client = app.test_client()
            AuthActions(client).login(user)
            clients.append((user, client))

    def post(user, client):
        status = client.post(f"/petitions/{pid}/sign", data={}, headers={"Accept": "application/json"}).status_code
        with lock:
            statuses.append((user.id, status))

    threads = [threading.Thread(target=post, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted({s for _u, s in statuses}) in ([201, 409], [201])
    assert sorted(u for u, s in statuses if s == 201) == sorted(u.id for u in signers)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(PetitionSignature).where(PetitionSignature.petition_id == pid)
            )
            == 13
        )
    assert world.count(pid) == 13


def test_moderator_decisions_through_the_pages(client, auth, world, app):
    pid = world.petition("awaiting_moderation")
    other = world.petition("awaiting_moderation", title="Open a library in the Almaly district")
    auth.login(world.moderator)
    queue = client.get("/petitions/moderation").get_data(as_text=True)
    assert f"/petitions/{pid}/moderate" in queue
    bad = client.post(f"/petitions/{pid}/reject", data={"reject-code": "duplicate", "reject-details": "Same."})
    assert bad.status_code == 400
    assert "duplicates" in bad.get_data(as_text=True)
    assert (
        client.post(
            f"/petitions/{pid}/reject", data={"reject-code": "unclear", "reject-details": "Say what to build."}
        ).status_code
        == 303
    )
    page = client.get(f"/petitions/{pid}").get_data(as_text=True)
    assert "Unclear request" in page
    assert "Say what to build." in page
    body = world.body("KZ-ALA.URBAN")
    unconfirmed = client.post(f"/petitions/{other}/approve", data={"approve-state_body": body.id})
    assert unconfirmed.status_code == 400  # the routing must be confirmed explicitly
    assert "Confirm the state body" in unconfirmed.get_data(as_text=True)
    assert world.get(other).state == S.AWAITING_MODERATION
    confirmed = {"approve-state_body": body.id, "approve-body_confirmed": "y"}
    assert client.post(f"/petitions/{other}/approve", data=confirmed).status_code == 303
    assert world.get(other).state_body_id == body.id
    assert world.get(other).state == S.OPEN


def test_official_publishes_response_and_it_is_visible(client, auth, world):
    pid = world.petition("open")
    official = world.official_for(pid)
    auth.login(official)
    assert b"Awaiting our response" in client.get("/petitions/awaiting-response").data
    short = client.post(f"/petitions/{pid}/respond", data={"text": "No."})
    assert short.status_code == 400
    text = "We will **build** the crossing by May.\n\n<script>alert(1)</script>"
    preview = client.post(f"/petitions/{pid}/respond", data={"text": text})
    assert preview.status_code == 200  # the confirmation step: nothing is published yet
    assert "<strong>build</strong>" in preview.get_data(as_text=True)
    assert world.get(pid).responded_at is None
    response = client.post(f"/petitions/{pid}/respond", data={"text": text, "confirmed": "1"})
    assert response.status_code == 303
    page = client.get(f"/petitions/{pid}").get_data(as_text=True)
    assert "<strong>build</strong>" in page
    assert "<script>alert(1)" not in page


def test_admin_changes_rules_and_categories_with_audit(client, auth, world, app):
    admin = world.make_user(roles=["admin"])
    auth.login(admin)
    bad = client.post(
        "/petitions/admin/levels/district",
        data={
            "district-level": "district",
            "district-response_threshold": 500,
            "district-hearing_threshold": 100,
            "district-signing_days": 90,
        },
    )
    assert bad.status_code == 400
    assert "higher than the response" in bad.get_data(as_text=True)
    ok = client.post(
        "/petitions/admin/levels/district",
        data={
            "district-level": "district",
            "district-response_threshold": 300,
            "district-hearing_threshold": 1500,
            "district-signing_days": 60,
        },
    )
    assert ok.status_code == 303
    assert client.post("/petitions/admin/settings", data={"supporters_needed": 3}).status_code == 303
    with app.app_context():
        category = db.session.scalar(select(Category).where(Category.code == "ecology"))
        row = db.session.get(PetitionLevelRule, "district")
        assert (row.response_threshold, row.hearing_threshold, row.signing_days) == (300, 1500, 60)
        cid = category.id
    response = client.post(
        "/petitions/admin/categories",
        data={
            "category_id": cid,
            f"c{cid}-name_kk": "Экология",
            f"c{cid}-name_ru": "Экология",
            f"c{cid}-name_en": "Environment",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        category = db.session.get(Category, cid)
        assert category.name_en == "Environment"
        assert category.is_active is False
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"petitions.rules_changed", "petitions.settings_changed", "petitions.category_changed"} <= actions
    new_form = client.get("/petitions/new").get_data(as_text=True)
    assert "Environment" not in new_form


def test_list_search_filters_and_sorts(client, world, residents):
    quiet = world.petition("open", title="Repair the playground in Almaly", category="landscaping")
    busy = world.petition("open", title="Extend bus route 32 to Almaly market", category="transport_roads")
    for signer in residents(2):
        world.sign(busy, signer)
    world.tally(busy)
    world.tally(quiet)
    page = client.get("/petitions/?q=BUS+route").get_data(as_text=True)
    assert "route 32" in page
    assert "playground" not in page
    page = client.get("/petitions/?sort=signed").get_data(as_text=True)
    assert page.index("route 32") < page.index("playground")
    with client.application.app_context():
        landscaping = db.session.scalar(select(Category.id).where(Category.code == "landscaping"))
    page = client.get(f"/petitions/?category={landscaping}").get_data(as_text=True)
    assert "playground" in page
    assert "route 32" not in page
    assert client.get("/petitions/?page=-4&per_page=7&sort=nonsense&state=zzz").status_code == 200


@pytest.mark.parametrize("per_page", [10, 100])
def test_list_page_runs_a_fixed_number_of_queries(client, world, app, per_page):
    """Same statement count for 10 and 100 petitions per page (no query per row)."""
    for n in range(12):
        world.petition("open", title=f"Petition number {n} about the Almaly district parks")
    engine = app.extensions["civic_engine"]
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(f"/petitions/?per_page={per_page}").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    queries = [s for s in statements if not s.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))]
    assert len(queries) == 4, queries


def test_petition_page_shows_thresholds_overdue_and_days(client, world, app, residents):
    from datetime import timedelta

    from civic.db import utc_now

    pid = world.petition("open")
    world.set_thresholds(pid, response=5, hearing=100)
    world.tally(pid)
    with app.app_context():
        petition = db.session.get(Petition, pid)
        petition.response_due_at = utc_now() - timedelta(days=3, hours=2)
        db.session.commit()
    page = client.get(f"/petitions/{pid}").get_data(as_text=True)
    assert "4 days overdue" in page
    assert "days left to sign" in page
    assert "<svg" in page
    assert "<table" in page
    assert "<progress" in page


def test_expired_petition_reads_as_closed_until_the_job_closes_it(client, auth, world, app, residents, runner):
    """The page never writes: past its closing time it offers no signing; ``close-expired`` changes the state."""
    from datetime import timedelta

    from civic.db import utc_now

    pid = world.petition("open")
    with app.app_context():
        db.session.get(Petition, pid).closes_at = utc_now() - timedelta(minutes=1)
        db.session.commit()
    auth.login(residents(1)[0])
    page = client.get(f"/petitions/{pid}").get_data(as_text=True)
    assert "Closed on" in page
    assert "Sign this petition" not in page
    assert world.get(pid).state == S.OPEN
    assert "1 petitions closed." in runner.invoke(args=["petitions", "close-expired"]).output
    assert world.get(pid).state == S.CLOSED


def test_users_see_their_petitions_and_signatures(client, auth, world, residents):
    pid = world.petition("open")
    draft = world.draft(title="My private draft about street lights")
    signer = residents(1)[0]
    world.sign(pid, signer)
    auth.login(world.author)
    mine = client.get("/petitions/mine").get_data(as_text=True)
    assert "street lights" in mine
    assert "pedestrian crossing" in mine
    auth.login(signer)
    signed = client.get("/petitions/signed").get_data(as_text=True)
    assert "pedestrian crossing" in signed
    assert "street lights" not in signed
    assert client.get(f"/petitions/{draft}").status_code == 404


def test_cli_jobs(runner, world, app, residents):
    pid = world.petition("open")
    world.sign(pid, residents(1)[0])
    result = runner.invoke(args=["petitions", "update-counts"])
    assert "6 signatures tallied" in result.output
    result = runner.invoke(args=["petitions", "close-expired"])
    assert "0 petitions closed" in result.output
    assert world.get(pid).signature_count == 6
    with app.app_context():
        assert db.session.get(User, world.author.id) is not None


def test_demo_data_loads_with_every_state(runner, app):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "petitions: 15 petitions" in result.output
    with app.app_context():
        states = set(db.session.scalars(select(Petition.state)))
        assert states == {s.value for s in S}
        overdue = [p for p in db.session.scalars(select(Petition)) if p.response_overdue_days(utc_now())]
        assert overdue, "the demo shows an overdue response"
        hearing = db.session.scalar(
            select(func.count()).select_from(Petition).where(Petition.hearing_threshold_reached_at.is_not(None))
        )
        assert hearing >= 1


def test_signing_is_rate_limited_per_address(client, auth, world, residents, app):
    app.config["PETITIONS_SIGN_LIMIT_PER_IP"] = "2 per minute"
    try:
        pid = world.petition("open")
        statuses = []
        for signer in residents(3):
            auth.login(signer)
            statuses.append(
                client.post(f"/petitions/{pid}/sign", data={}, headers={"Accept": "application/json"}).status_code
            )
    finally:
        app.config.pop("PETITIONS_SIGN_LIMIT_PER_IP")
    assert statuses == [201, 201, 429]
    assert world.count(pid) == 7


def test_a_stale_or_erased_session_cannot_sign(client, auth, world, residents, app):
    """The hot path signs from the session cookie; the INSERT re-checks the account as the login loader does."""
    from civic.identity.services import erase_user

    pid = world.petition("open")
    logged_out, erased = residents(2)
    auth.login(logged_out)
    with app.app_context():
        db.session.get(User, logged_out.id).session_version += 1  # "log out everywhere"
        db.session.commit()
    response = client.post(f"/petitions/{pid}/sign", data={}, headers={"Accept": "application/json"})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    auth.login(erased)
    with app.app_context():
        erase_user(db.session.get(User, erased.id))
        db.session.commit()
    response = client.post(f"/petitions/{pid}/sign", data={}, headers={"Accept": "application/json"})
    assert response.status_code == 302
    assert world.count(pid) == 5
