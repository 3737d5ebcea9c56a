"""The bureau's pages end to end: bad input answers 4xx with a clear message, queues, bulk actions, admin pages."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from civic import db
from civic.bureau import clock
from civic.bureau.models import Attachment, BureauArea, Case, CaseEvent, Referral, ResponseTemplate
from civic.identity.models import AuditEvent, Category, StateBody
from tests.bureau.conftest import PDF, T0, category, referral_of, territory

NEW_CASE = {
    "description": "Менің жалақымды үш ай бойы төлемей жүр, не істеуге болады?",
    "preferred_language": "kk",
    "contact_channel": "in_app",
    "consent_data": "y",
    "consent_referral": "y",
}


def _new_case_data(app, **overrides):
    with app.app_context():
        data = {**NEW_CASE, "category": str(category("employment").id), "territory": str(territory("KZ-ALA-AUE").id)}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_resident_opens_a_case_online_and_sees_its_number(app, client, auth, cast):
    auth.login(cast.client)
    assert client.get("/bureau/cases/new").status_code == 200
    data = _new_case_data(app, attachments=(io.BytesIO(PDF), "contract.pdf"))
    with clock.frozen_at(T0):
        response = client.post("/bureau/cases/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "CAB-000001" in page
    assert "contract.pdf" in page
    with app.app_context():
        case = db.session.get(Case, 1)
        assert case.client_id == cast.client.id
        assert case.consent_follow_up_at is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"consent_data": None}, "consent to record and use"),
        ({"description": "short"}, 'id="description-error"'),
        ({"contact_channel": "phone"}, "Give a phone number"),
        ({"attachments": (io.BytesIO(b"GIF89a fake"), "photo.gif")}, "not a PDF, PNG or JPEG"),
        ({"attachments": (io.BytesIO(PDF + b"0" * (5 * 1024 * 1024)), "scan.pdf")}, "larger than 5 MB"),
    ],
)
def test_bad_case_input_is_refused_with_400_and_nothing_is_saved(app, client, auth, cast, overrides, message):
    auth.login(cast.resident)  # reads English
    response = client.post(
        "/bureau/cases/new", data=_new_case_data(app, **overrides), content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 0
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_a_form_without_csrf_token_is_refused(app, client, auth, cast, cases):
    case_id = cases.make("in_progress")
    auth.login(cast.consultant)
    response = client.post(f"/bureau/cases/{case_id}/notes", data={"note": "x"}, csrf=False)
    assert response.status_code == 400


def test_an_out_of_order_step_answers_409_with_the_reason(app, client, auth, cast, cases):
    case_id = cases.make("new")
    auth.login(cast.consultant)
    with clock.frozen_at(T0):
        response = client.post(
            f"/bureau/cases/{case_id}/resolve",
            data={"outcome": "advice_given", "answer": "A long enough answer to the client."},
        )
    assert response.status_code == 409
    assert "You cannot resolve a case that is" in response.get_data(as_text=True)


def test_referral_without_consent_is_refused_on_the_page(app, client, auth, cast, cases):
    case_id = cases.make("in_progress", consents=("data",))
    auth.login(cast.consultant)
    with app.app_context():
        body_id = db.session.scalar(select(Category.id))  # any id: refused before the body matters
    with clock.frozen_at(T0):
        response = client.post(
            f"/bureau/cases/{case_id}/refer",
            data={"body": str(body_id), "summary": "An appeal text long enough to send."},
        )
    assert response.status_code == 400
    assert "Share my case with a state body" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Case, case_id).state == "in_progress"


def test_extension_without_reason_and_a_second_extension_are_refused(app, client, auth, cast, cases):
    case_id = cases.make("referred")
    with app.app_context():
        referral_id = referral_of(case_id).id
    auth.login(cast.official)
    with clock.frozen_at(T0 + timedelta(days=1)):
        missing = client.post(f"/bureau/referrals/{referral_id}/extend", data={"reason": ""})
        first = client.post(f"/bureau/referrals/{referral_id}/extend", data={"reason": "commission"})
        second = client.post(f"/bureau/referrals/{referral_id}/extend", data={"reason": "analysis"})
    assert missing.status_code == 400
    assert "Choose the reason" in missing.get_data(as_text=True)
    assert first.status_code == 302
    assert second.status_code == 400
    assert "already extended" in second.get_data(as_text=True)


def test_stale_consent_is_explained_on_the_case_page_and_blocks_work(app, client, auth, cast, cases):
    case_id = cases.make("in_progress")
    auth.login(cast.consultant)
    with clock.frozen_at(T0 + timedelta(days=200)):
        page = client.get(f"/bureau/cases/{case_id}").get_data(as_text=True)
        response = client.post(f"/bureau/cases/{case_id}/notes", data={"note": "Called the bank."})
    assert "older than 6 months" in page
    assert response.status_code == 400
    assert "must be renewed" in response.get_data(as_text=True)


def test_consultant_records_a_walk_in_case(app, client, auth, cast):
    auth.login(cast.consultant)
    data = _new_case_data(
        app, channel="walk_in", client_name="Гүлнәр", contact_channel="phone", client_phone="+7 701 000 00 00"
    )
    with clock.frozen_at(T0):
        response = client.post("/bureau/intake", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        case = db.session.get(Case, 1)
        assert (case.channel, case.client_id, case.client_name) == ("walk_in", None, "Гүлнәр")


def test_bulk_triage_and_assign_is_all_or_nothing(app, client, auth, cast, cases):
    mine = [cases.open() for _ in range(2)]
    foreign = cases.open(territory_code="KZ-VOS-GLU")
    auth.login(cast.consultant)
    with clock.frozen_at(T0):
        refused = client.post(
            "/bureau/queue/bulk?view=intake", data={"case_ids": [*map(str, mine), str(foreign)], "action": "assign_me"}
        )
    assert refused.status_code == 404
    with app.app_context():
        assert {db.session.get(Case, i).state for i in mine} == {"new"}
    with clock.frozen_at(T0):
        done = client.post(
            "/bureau/queue/bulk?view=intake", data={"case_ids": list(map(str, mine)), "action": "assign_me"}
        )
    assert done.status_code == 302
    with app.app_context():
        assert {(db.session.get(Case, i).state, db.session.get(Case, i).consultant_id) for i in mine} == {
            ("assigned", cast.consultant.id)
        }


def _count_queries(app, client, path) -> int:
    statements = []
    engine = app.extensions["civic_engine"]

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_queue_page_uses_a_fixed_number_of_queries(app, client, auth, cast, cases):
    for _ in range(2):
        cases.make("referred")
    auth.login(cast.consultant)
    few = _count_queries(app, client, "/bureau/queue")
    for _ in range(8):
        cases.make("referred")
        cases.make("in_progress")
    many = _count_queries(app, client, "/bureau/queue")
    assert few == many
    assert "CAB-000018" in client.get("/bureau/queue").get_data(as_text=True)


def test_supervisor_manages_templates_used_on_case_pages(app, client, auth, cast, cases):
    case_id = cases.make("in_progress")
    auth.login(cast.supervisor)
    with app.app_context():
        debts = category("debts").id
    response = client.post(
        "/bureau/templates/new",
        data={
            "category": str(debts),
            "language": "kk",
            "title": "Қарызды қайта құрылымдау",
            "body": "Банкке жазбаша өтініш беріңіз.",
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/bureau/cases/{case_id}").get_data(as_text=True)
    assert "Қарызды қайта құрылымдау" in page
    assert "bureau-template-1" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ResponseTemplate)) == 1
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "bureau.template"))


def test_admin_adds_a_bureau_area_used_by_the_case_form(app, client, auth, cast):
    auth.login(cast.admin)
    bad = client.post("/bureau/admin/areas", data={"existing": "0", "code": "Pensions!", "name_kk": "a"})
    assert bad.status_code == 400
    assert "latin letters" in bad.get_data(as_text=True)
    response = client.post(
        "/bureau/admin/areas",
        data={"existing": "0", "code": "pensions", "name_kk": "Зейнетақы", "name_ru": "Пенсии", "name_en": "Pensions"},
    )
    assert response.status_code == 302
    auth.login(cast.client)
    assert "Зейнетақы" in client.get("/bureau/cases/new").get_data(as_text=True)  # the client reads Kazakh
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BureauArea)) == 1
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "bureau.add_area"))


def test_pages_render_for_each_step_of_a_referred_case(app, client, auth, cast, cases):
    case_id = cases.make("referred")
    with app.app_context():
        referral_id = referral_of(case_id).id
    for person, path in [
        (cast.consultant, f"/bureau/cases/{case_id}"),
        (cast.client, f"/bureau/cases/{case_id}"),
        (cast.official, "/bureau/referrals"),
        (cast.official, f"/bureau/referrals/{referral_id}"),
        (cast.supervisor, "/bureau/workload"),
        (cast.supervisor, "/bureau/queue?view=overdue"),
        (cast.client, "/bureau/my"),
        (cast.consultant, "/bureau/"),
    ]:
        auth.login(person)
        with clock.frozen_at(T0 + timedelta(days=1)):
            response = client.get(path)
        assert response.status_code == 200, path
        assert 'style="' not in response.get_data(as_text=True)


def test_a_crash_in_the_middle_of_an_action_leaves_the_case_unchanged(app, client, auth, cast, cases, monkeypatch):
    from civic.bureau.services import referrals

    case_id = cases.make("in_progress")
    with app.app_context():
        body_id = db.session.scalar(select(StateBody.id).where(StateBody.code == "KZ-ALA.AKIMAT"))
        events_before = db.session.scalar(select(func.count()).select_from(CaseEvent))

    def explode(*_args):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(referrals, "_announce_referral", explode)  # after the state change, the referral, events
    auth.login(cast.consultant)
    with clock.frozen_at(T0):
        response = client.post(
            f"/bureau/cases/{case_id}/refer",
            data={"body": str(body_id), "summary": "An appeal text long enough to send."},
        )
    assert response.status_code == 500
    with app.app_context():
        assert db.session.get(Case, case_id).state == "in_progress"
        assert db.session.scalar(select(func.count()).select_from(Referral)) == 0
        assert db.session.scalar(select(func.count()).select_from(CaseEvent)) == events_before


def test_the_head_of_a_body_sees_its_referrals_without_the_official_role(
    app, client, auth, cast, cases, make_user, directory
):
    cases.make("referred")
    head = make_user(display_name="Head only")
    with app.app_context():
        db.session.get(StateBody, directory.bodies["KZ-ALA.AKIMAT"]).head_user_id = head.id
        db.session.commit()
    auth.login(head)
    page = client.get("/bureau/referrals")
    assert page.status_code == 200
    assert "CAB-000001" in page.get_data(as_text=True)
