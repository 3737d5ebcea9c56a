"""Permission matrix: every bureau page, file and export against every kind of user.

Refusals of existing cases, referrals and files answer 404 (never confirming they exist) and are audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic import db
from civic.bureau import clock
from civic.bureau.models import Attachment
from civic.bureau.services import referrals
from civic.db import utc_now
from civic.identity.models import AuditEvent, Notification
from tests.bureau.conftest import PNG, T0, at, referral_of, upload, user

ROLES = [
    "anonymous",
    "client",
    "other_client",
    "resident",
    "consultant",
    "other_consultant",
    "vos_consultant",
    "supervisor",
    "official",
    "housing_official",
    "head",
    "inspector",
    "vos_inspector",
    "admin",
]
CASE_VIEWERS = {"client", "consultant", "supervisor", "admin"}
STAFF = {"consultant", "supervisor", "admin"}
CONSULTANTS = {"consultant", "other_consultant", "vos_consultant", "supervisor", "admin"}
REFERRAL_VIEWERS = {"consultant", "supervisor", "admin", "official", "head", "inspector"}


def _expect(allowed: set, role: str, refused: int, ok: int = 200) -> int:
    if role == "anonymous":
        return 302
    return ok if role in allowed else refused


# (path template, expected status for a role)
PAGES = [
    ("/bureau/", lambda r: 200),
    ("/bureau/report", lambda r: 200),
    ("/bureau/report.csv", lambda r: 200),
    ("/bureau/my", lambda r: _expect(set(ROLES), r, 200)),
    ("/bureau/cases/new", lambda r: _expect(set(ROLES), r, 200)),
    ("/bureau/cases/{case}", lambda r: _expect(CASE_VIEWERS, r, 404)),
    ("/bureau/cases/{case}/export", lambda r: _expect(CASE_VIEWERS, r, 404)),
    ("/bureau/files/{private_file}", lambda r: _expect(CASE_VIEWERS, r, 404)),
    ("/bureau/files/{shared_file}", lambda r: _expect(CASE_VIEWERS | REFERRAL_VIEWERS, r, 404)),
    ("/bureau/referrals/{referral}", lambda r: _expect(REFERRAL_VIEWERS, r, 404)),
    (
        "/bureau/cases/{other_case}",
        lambda r: _expect({"other_client", "supervisor", "admin", "consultant", "other_consultant"}, r, 404),
    ),
    ("/bureau/queue", lambda r: _expect(CONSULTANTS, r, 403)),
    ("/bureau/queue?view=intake", lambda r: _expect(CONSULTANTS, r, 403)),
    ("/bureau/queue?view=all", lambda r: _expect(CONSULTANTS, r, 403)),
    ("/bureau/intake", lambda r: _expect(CONSULTANTS, r, 403)),
    ("/bureau/workload", lambda r: _expect({"supervisor", "admin"}, r, 403)),
    ("/bureau/workload/cases.csv", lambda r: _expect({"supervisor", "admin"}, r, 403)),
    ("/bureau/templates", lambda r: _expect({"supervisor", "admin"}, r, 403)),
    ("/bureau/templates/new", lambda r: _expect({"supervisor", "admin"}, r, 403)),
    ("/bureau/admin/areas", lambda r: _expect({"admin"}, r, 403)),
    ("/bureau/referrals", lambda r: _expect({"official", "housing_official", "head", "admin"}, r, 403)),
    ("/bureau/inspection", lambda r: _expect({"inspector", "vos_inspector", "admin"}, r, 403)),
    ("/bureau/clock", lambda r: _expect({"inspector", "vos_inspector", "admin"}, r, 403)),
]


@pytest.fixture
def scene(app, cast, cases):
    """A referred case of ``client`` with a private and a shared file, and a new case (intake) of another client."""
    case_id = cases.make("referred", uploads=[upload(PNG, "passport.png", "image/png")])
    other_case = cases.open(territory_code="KZ-ALA-BOS", client="other_client")
    with app.test_request_context(), clock.frozen_at(T0):
        from civic.bureau.models import Case
        from civic.bureau.services.attachments import add_attachment
        from tests.bureau.conftest import user

        shared = add_attachment(db.session.get(Case, case_id), upload(), user(cast.consultant), shared_with_body=True)
        db.session.commit()
        private = db.session.scalar(select(Attachment.id).where(Attachment.original_name == "passport.png"))
        from tests.bureau.conftest import category, territory

        return {
            "case": case_id,
            "other_case": other_case,
            "referral": referral_of(case_id).id,
            "private_file": private,
            "shared_file": shared.id,
            "debts": category("debts").id,
            "bostandyk": territory("KZ-ALA-BOS").id,
        }


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_for_every_page_and_export(app, client, auth, cast, scene, role):
    if role != "anonymous":
        auth.login(getattr(cast, role))
    wrong = {}
    for template, rule in PAGES:
        path = template.format(**scene)
        with clock.frozen_at(T0 + timedelta(hours=1)):
            status = client.get(path).status_code
        if status != rule(role):
            wrong[path] = (status, rule(role))
    assert wrong == {}, f"{role}: path -> (got, expected)"


POSTS = [
    (
        "/bureau/cases/{case}/notes",
        {"note": "A confidential note."},
        lambda r: 302 if r in STAFF | {"anonymous"} else 404 if r in CONSULTANTS else 403,
    ),
    (
        "/bureau/cases/{case}/messages",
        {"message": "A message."},
        lambda r: 302 if r in CASE_VIEWERS | {"anonymous"} else 404,
    ),
    (
        "/bureau/referrals/{referral}/extend",
        {"reason": "analysis"},
        lambda r: 302 if r in {"official", "head", "admin", "anonymous"} else 403 if r in REFERRAL_VIEWERS else 404,
    ),
    (
        "/bureau/referrals/{referral}/answer",
        {"text": "An answer of the state body to the appeal."},
        lambda r: 302 if r in {"official", "head", "admin", "anonymous"} else 403 if r in REFERRAL_VIEWERS else 404,
    ),
    (
        "/bureau/referrals/{referral}/request-info",
        {"question": "Which flat number?"},
        lambda r: 302 if r in {"official", "head", "admin", "anonymous"} else 403 if r in REFERRAL_VIEWERS else 404,
    ),
    (
        "/bureau/cases/{case}/consents",
        {"consent_data": "y", "consent_referral": "y"},
        lambda r: 302 if r in CASE_VIEWERS | {"anonymous"} else 404,
    ),
    (
        "/bureau/cases/{other_case}/triage",
        {"category": "{debts}", "territory": "{bostandyk}"},
        lambda r: (
            302
            if r in {"consultant", "other_consultant", "supervisor", "admin", "anonymous"}
            else 404
            if r in CONSULTANTS
            else 403
        ),
    ),
    (
        "/bureau/queue/bulk",
        {"case_ids": "{other_case}", "action": "triage"},
        lambda r: (
            302
            if r in {"consultant", "other_consultant", "supervisor", "admin", "anonymous"}
            else 404
            if r in CONSULTANTS
            else 403
        ),
    ),
    (
        "/bureau/templates/new",
        {"category": "0", "language": "kk", "title": "T", "body": "Text"},
        lambda r: 302 if r in {"supervisor", "admin", "anonymous"} else 403,
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("template", "data", "rule"), POSTS, ids=[p[0] for p in POSTS])
def test_permission_matrix_for_actions(app, client, auth, cast, scene, role, template, data, rule):
    if role != "anonymous":
        auth.login(getattr(cast, role))
    data = {key: value.format(**scene) for key, value in data.items()}
    with clock.frozen_at(T0 + timedelta(hours=1)):
        response = client.post(template.format(**scene), data=data)
    assert response.status_code == rule(role)
    if role == "anonymous":
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_for_escalation(app, client, auth, cast, scene, role):
    """Only an inspector of the body's territory (or an administrator) escalates an overdue referral; other people
    who may read the referral get 403, everyone else 404 (audited), and only the allowed escalation notifies."""
    if role != "anonymous":
        auth.login(getattr(cast, role))
    with clock.frozen_at(T0 + timedelta(days=20)):
        response = client.post(f"/bureau/referrals/{scene['referral']}/escalate")
    expected = 302 if role in {"inspector", "admin", "anonymous"} else 403 if role in REFERRAL_VIEWERS else 404
    assert response.status_code == expected
    told = _told(app, cast, "bureau.escalated")
    assert told == ({"head"} if role in {"inspector", "admin"} else set())


def test_reading_another_clients_case_is_refused_and_audited(app, client, auth, cast, scene):
    auth.login(cast.other_client)
    assert client.get(f"/bureau/cases/{scene['case']}").status_code == 404
    assert client.get(f"/bureau/files/{scene['private_file']}").status_code == 404
    assert client.get("/bureau/cases/999999").status_code == 404
    with app.app_context():
        denied = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "bureau.access_denied")).all()
        assert [(e.actor_id, e.object_type, e.object_id) for e in denied] == [
            (cast.other_client.id, "bureau_cases", str(scene["case"])),
            (cast.other_client.id, "bureau_attachments", str(scene["private_file"])),
        ]


def test_an_official_sees_only_the_referred_content(app, client, auth, cast, scene):
    auth.login(cast.official)
    page = client.get(f"/bureau/referrals/{scene['referral']}").get_data(as_text=True)
    assert "Өтініш: банк несиені" in page  # the referral text
    assert "Банк менің несиемді" not in page  # the client's own description stays with the bureau
    assert "passport.png" not in page
    assert "letter.pdf" in page
    assert "Айжан" not in page


def test_files_download_as_attachments_with_nosniff(app, client, auth, cast, scene):
    auth.login(cast.client)
    response = client.get(f"/bureau/files/{scene['private_file']}")
    assert response.status_code == 200
    assert response.data.startswith(b"\x89PNG")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]


def test_staff_case_export_is_audited(app, client, auth, cast, scene):
    auth.login(cast.supervisor)
    response = client.get(f"/bureau/cases/{scene['case']}/export")
    assert response.status_code == 200
    assert response.json["case"].startswith("CAB-")
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "bureau.export_case")
            )
            == 1
        )


def _told(app, cast, kind: str) -> set[str]:
    with app.app_context():
        ids = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == kind)))
    return {role for role in ROLES if role != "anonymous" and getattr(cast, role).id in ids}


def test_who_is_told_of_a_referral_and_of_its_answer(app, cast, cases):
    """Recipients are the holders of the permission over the body or territory (identity's ``holders``), plus the
    body's head and the case's consultant: never the administrator, other bodies or other territories."""
    case_id = cases.make("referred")
    assert _told(app, cast, "bureau.referral_received") == {"official", "head"}
    with at(app, T0 + timedelta(days=2)):
        referrals.answer(
            referral_of(case_id), user(cast.official), "The akimat instructed the bank to reply in a week."
        )
    assert _told(app, cast, "bureau.answer_to_review") == {"inspector", "consultant"}


def test_a_deleted_official_is_not_told_of_a_referral(app, cast, cases, make_user):
    gone = make_user(roles=[("official", None, "KZ-ALA.AKIMAT")], deleted_at=utc_now())
    cases.make("referred")
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Notification.user_id == gone.id)) == 0
