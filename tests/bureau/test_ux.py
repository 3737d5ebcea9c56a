"""What a newcomer trips over (issues 14 and 16): the client's own description and plain status, the consultant's
landing page and the one path from a new case to a referral, the inspector's clock and its escalation, deadline
badges computed when the page is read, consent texts in the reader's language, sizes and length messages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic import db
from civic.bureau import clock
from civic.bureau.formatting import file_size
from civic.bureau.models import Case, CaseEvent, Consent, Referral
from civic.bureau.services import referrals as referral_services
from civic.core import deadlines
from civic.identity.models import AuditEvent, Notification, StateBody
from tests.bureau.conftest import T0, at, body, referral_of, user

DESCRIPTION = "Банк менің несиемді қайта құрылымдаудан бас тартты, не істеуім керек?"
APPEAL = "Өтініш: банк несиені қайта құрылымдаудан негізсіз бас тартты, шара қолдануды сұраймыз."
DUE = deadlines.compute_due(T0 + timedelta(minutes=4))  # the deadline of a case referred by cases.make("referred")


def _page(client, path, when=T0 + timedelta(hours=1)):
    with clock.frozen_at(when):
        response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --------------------------------------------------------------------------- the client's case page


def test_the_client_sees_their_own_description(app, client, auth, cast, cases):
    case_id = cases.make("in_progress")
    auth.login(cast.client)
    assert DESCRIPTION in _page(client, f"/bureau/cases/{case_id}")


def test_consent_entries_read_in_the_clients_language(app, client, auth, cast, cases):
    """The services run in English here (``at``); the Kazakh timeline still words the consents in Kazakh."""
    case_id = cases.make("new")
    with app.app_context():
        bodies = db.session.scalars(select(CaseEvent.body).where(CaseEvent.kind == "consent")).all()
        assert bodies
        assert all(text == "" for text in bodies)
    auth.login(cast.client)  # reads Kazakh
    timeline = _page(client, f"/bureau/cases/{case_id}").split('id="timeline"')[1]
    assert "Маған кеңес беру мақсатында менің мәліметтерімді тіркеу және пайдалану" in timeline
    assert "Record and use my information" not in timeline


@pytest.mark.parametrize(
    ("state", "where", "next_"),
    [
        ("new", "We have received your case.", "A consultant of the bureau will read it"),
        ("triaged", "Your case is waiting for a consultant.", "The first free consultant will take it"),
        ("assigned", "Consultant Consultant Almaty has taken your case.", "write to you here if anything is missing"),
        ("in_progress", "Consultant Consultant Almaty is working on your case.", "You will get the answer"),
        ("referred", "Your appeal is with", "The body must answer by"),
        ("awaiting_client", "We are waiting for information from you.", "Answer the question in the timeline"),
        ("resolved", "Your case is resolved", "you can reopen the case within 30 days"),
        ("closed", "Your case is closed.", "Nothing more will happen on it."),
    ],
)
def test_the_client_reads_where_the_case_is_and_what_happens_next(app, client, auth, cast, cases, state, where, next_):
    case_id = cases.make(state)
    auth.login(cast.other_client)  # reads English; make the case theirs
    with app.app_context():
        db.session.get(Case, case_id).client_id = cast.other_client.id
        db.session.commit()
    status = _text(_page(client, f"/bureau/cases/{case_id}").split('id="case-status"')[1].split("</div>")[0])
    assert where in status
    assert "What happens next:" in status
    assert next_ in status


def test_an_answered_referral_reads_plainly_for_the_client(app, client, auth, cast, cases):
    case_id = cases.make("referred")
    with at(app, T0 + timedelta(days=2)):
        referral_services.answer(referral_of(case_id), user(cast.official), "The akimat asked the bank to reply.")
        db.session.get(Case, case_id).client_id = cast.other_client.id
    auth.login(cast.other_client)
    page = _text(_page(client, f"/bureau/cases/{case_id}", T0 + timedelta(days=3)))
    assert "has answered; an inspector is checking the answer." in page
    assert "Answered, awaiting inspection Answered" not in page


def test_the_client_is_told_when_the_body_missed_its_deadline_before_any_sweep(app, client, auth, cast, cases):
    case_id = cases.make("referred")
    with app.app_context():
        db.session.get(Case, case_id).client_id = cast.other_client.id
        db.session.commit()
        assert referral_of(case_id).sla_state == "on_time"  # no sweep has run
    auth.login(cast.other_client)
    page = _text(_page(client, f"/bureau/cases/{case_id}", DUE + timedelta(days=1)))
    assert "missed its deadline" in page
    assert "sla-overdue" in _page(client, f"/bureau/cases/{case_id}", DUE + timedelta(days=1))


# --------------------------------------------------------------------------- the consultant


def test_consultants_land_on_intake_and_their_cases_with_counts(app, client, auth, cast, cases):
    new = cases.make("new")
    mine = cases.make("in_progress")
    auth.login(cast.resident)
    auth.login(cast.consultant)
    html = _page(client, "/bureau/queue")
    rows = re.findall(r'href="/bureau/cases/(\d+)"', html)
    assert {str(new), str(mine)} <= set(rows)
    text = _text(html)
    assert "1 new case waits in the intake of your territory." in text
    assert "You have 1 open case." in text
    assert "Intake and my cases (2)" in text
    assert "Intake of my territory (1)" in text
    assert "My cases (1)" in text
    assert str(new) not in re.findall(r'href="/bureau/cases/(\d+)"', _page(client, "/bureau/queue?view=mine"))


def test_the_referral_form_suggests_the_routed_body_with_its_reason_in_a_grouped_list(
    app, client, auth, cast, cases, directory
):
    case_id = cases.make("new", category_code="employment", territory_code="KZ-ALA-AUE")
    auth.login(cast.consultant)
    html = _page(client, f"/bureau/cases/{case_id}")
    refer = html.split('class="refer-form"')[1].split("</form>")[0]
    suggested = directory.bodies["KZ-ALA.EMPLOYMENT"]
    assert re.search(rf'<option selected value="{suggested}"|<option value="{suggested}" selected', refer)
    groups = re.findall(r'<optgroup label="([^"]+)"', refer)
    assert groups[0] == "Suggested by the routing rules"
    assert len(groups) > 2  # the bodies grouped by territory, not one flat list
    reason = _text(html.split('id="body-suggestion"')[1].split("</p>")[0])
    assert "Auezov" in reason or "Әуезов" in reason  # the case's territory
    assert "Employment" in reason  # and its area
    assert 'id="body-filter"' in refer
    assert "hidden" in refer.split('id="body-filter"')[0][-200:]
    assert "<details" not in html.split('id="step-refer"')[1].split("</li>")[0]  # Refer is not folded away


def test_one_form_takes_a_new_case_to_a_referral(app, client, auth, cast, cases, directory):
    case_id = cases.make("new", category_code="employment", territory_code="KZ-ALA-AUE")
    auth.login(cast.consultant)
    with clock.frozen_at(T0 + timedelta(hours=1)):
        response = client.post(
            f"/bureau/cases/{case_id}/refer",
            data={"body": str(directory.bodies["KZ-ALA.EMPLOYMENT"]), "summary": APPEAL},
        )
    assert response.status_code == 302
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.state == "referred"
        assert case.consultant_id == cast.consultant.id
        steps = db.session.scalars(
            select(CaseEvent.to_state).where(CaseEvent.case_id == case_id, CaseEvent.kind == "state")
        ).all()
        assert steps == ["triaged", "assigned", "in_progress", "referred"]
        referral = referral_of(case_id)
        assert referral.body_id == referral.suggested_body_id == directory.bodies["KZ-ALA.EMPLOYMENT"]


def test_a_refused_referral_from_the_intake_leaves_the_case_untouched(app, client, auth, cast, cases, directory):
    case_id = cases.make("new", consents=(Consent.DATA,))  # no consent to share with a state body
    auth.login(cast.resident)
    auth.login(cast.consultant)
    with clock.frozen_at(T0 + timedelta(hours=1)):
        response = client.post(
            f"/bureau/cases/{case_id}/refer", data={"body": str(directory.bodies["KZ-ALA.AKIMAT"]), "summary": APPEAL}
        )
    assert response.status_code == 400
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.state, case.consultant_id) == ("new", None)
        assert db.session.scalar(select(func.count()).select_from(Referral)) == 0


def test_taking_a_case_triages_assigns_and_starts_it(app, client, auth, cast, cases, directory):
    case_id = cases.make("new")
    auth.login(cast.consultant)
    with clock.frozen_at(T0 + timedelta(hours=1)):
        response = client.post(
            f"/bureau/cases/{case_id}/take",
            data={
                "category": str(directory.categories["housing"]),
                "territory": str(directory.territories["KZ-ALA-AUE"]),
                "urgent": "y",
            },
        )
    assert response.status_code == 302
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.state, case.consultant_id, case.urgent) == ("in_progress", cast.consultant.id, True)
        assert case.category.code == "housing"


# --------------------------------------------------------------------------- the inspector's clock


def test_the_inspector_sees_overdue_and_due_soon_referrals_by_body_without_a_sweep(app, client, auth, cast, cases):
    late = cases.make("referred")
    soon = cases.make("referred", when=T0 + timedelta(days=2), body_code="KZ-ALA.HOUSING")
    cases.make("referred", when=T0 + timedelta(days=10))  # on time: not listed
    auth.login(cast.inspector)
    html = _page(client, "/bureau/clock", DUE + timedelta(days=1))
    with app.app_context():
        listed = set(re.findall(r'href="/bureau/referrals/(\d+)"', html))
        assert listed == {str(referral_of(late).id), str(referral_of(soon).id)}
        akimat, housing = body("KZ-ALA.AKIMAT"), body("KZ-ALA.HOUSING")
        assert html.index(f'id="body-{akimat.id}"') < html.index(f'id="body-{housing.id}"')  # overdue first
    assert "sla-overdue" in html
    assert "sla-due_soon" in html
    auth.login(cast.vos_inspector)  # another territory's inspector sees none of them
    assert "/bureau/referrals/" not in _page(client, "/bureau/clock", DUE + timedelta(days=1))


def test_escalation_notifies_the_body_head_and_is_audited(app, client, auth, cast, cases):
    case_id = cases.make("referred")
    with app.app_context():
        referral_id = referral_of(case_id).id
    auth.login(cast.inspector)
    with clock.frozen_at(DUE + timedelta(days=2)):
        response = client.post(f"/bureau/referrals/{referral_id}/escalate")
    assert response.status_code == 302
    with app.app_context():
        told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "bureau.escalated")).all()
        assert told == [cast.head.id]
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "bureau.escalate"))
        assert audit.actor_id == cast.inspector.id
        assert audit.after["notified"] == [cast.head.id]
        assert db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "escalated")).visibility == "body"


def test_escalation_without_a_head_reaches_the_bodys_officials(app, client, auth, cast, cases):
    case_id = cases.make("referred", body_code="KZ-ALA.HOUSING")
    with app.app_context():
        assert db.session.scalar(select(StateBody).where(StateBody.code == "KZ-ALA.HOUSING")).head_user_id is None
        referral_id = referral_of(case_id).id
    auth.login(cast.inspector)
    with clock.frozen_at(DUE + timedelta(days=2)):
        assert client.post(f"/bureau/referrals/{referral_id}/escalate").status_code == 302
    with app.app_context():
        told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "bureau.escalated")).all()
        assert told == [cast.housing_official.id]


def test_a_referral_on_time_is_not_escalated(app, client, auth, cast, cases):
    case_id = cases.make("referred")
    with app.app_context():
        referral_id = referral_of(case_id).id
    auth.login(cast.resident)
    auth.login(cast.inspector)
    with clock.frozen_at(T0 + timedelta(days=1)):
        response = client.post(f"/bureau/referrals/{referral_id}/escalate")
    assert response.status_code == 409
    assert "Only a referral that is due soon or overdue can be escalated." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Notification.kind == "bureau.escalated")) == 0
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "bureau.escalate")) == 0


# --------------------------------------------------------------------------- live badges, sizes, messages


def test_queue_badges_and_the_overdue_tab_follow_the_clock_not_the_last_sweep(app, client, auth, cast, cases):
    case_id = cases.make("referred")
    auth.login(cast.supervisor)
    html = _page(client, "/bureau/queue?view=overdue", DUE + timedelta(hours=2))
    assert f'href="/bureau/cases/{case_id}"' in html
    assert "sla-overdue" in html
    with app.app_context():
        assert referral_of(case_id).sla_state == "on_time"  # nothing was written


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 bytes"), (1, "1 byte"), (812, "812 bytes"), (1536, "1.5 KB"), (5 * 1024 * 1024, "5 MB")],
)
def test_file_sizes_read_sensibly(app, size, text):
    with app.test_request_context():
        assert file_size(size) == text


def test_a_too_short_text_is_reported_once_with_formatted_limits(app, client, auth, cast, cases):
    case_id = cases.make("referred")
    auth.login(cast.official)
    with app.app_context():
        referral_id = referral_of(case_id).id
    with clock.frozen_at(T0 + timedelta(days=1)):
        response = client.post(f"/bureau/referrals/{referral_id}/answer", data={"text": "short"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert page.count("Write 20 to 5,000 characters.") == 1
