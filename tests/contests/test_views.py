"""Contest pages over HTTP: the organiser's form, submitting, screening, voting and the refusals, each a clear
translated 4xx message that changes nothing."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic import db
from civic.contests.models import Contest, Entry, EntryState, Phase, Vote
from civic.core.forms import to_local
from civic.db import utc_now
from civic.identity.models import AuditEvent, StateBody, Territory


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _local(days: float) -> str:
    return to_local(utc_now() + timedelta(days=days), "Asia/Almaty").strftime("%Y-%m-%dT%H:%M")


def _contest_form(app, **changes) -> dict:
    with app.app_context():
        territory = db.session.scalar(select(Territory.id).where(Territory.code == "KZ-ALA"))
        body = db.session.scalar(select(StateBody.id).where(StateBody.code == "KZ-ALA.MOBILITY"))
    data = {
        "title": "Parking in Almaty's courtyards",
        "text": "Propose how to free the courtyards from parked cars.",
        "territory": str(territory),
        "body": str(body),
        "category": "0",
        "reward_kind": "grant",
        "reward_text": "5,000,000 tenge",
        "rules": "",
        "votes_per_voter": "3",
        "submission_opens_at": _local(-0.1),
        "submission_closes_at": _local(5),
        "voting_opens_at": _local(6),
        "voting_closes_at": _local(10),
        "results_at": _local(15),
        "implementation_at": _local(30),
    }
    data.update(changes)
    return data


def test_an_organiser_creates_and_publishes_a_contest(app, client, auth, cast):
    auth.login(cast.organiser)
    assert client.get("/contests/new").status_code == 200
    response = client.post("/contests/new", data=_contest_form(app))
    assert response.status_code == 303
    with app.app_context():
        contest = db.session.scalar(select(Contest))
        assert contest.state == "draft"
        assert contest.votes_per_voter == 3
        contest_id = contest.id
    assert client.get(f"/contests/{contest_id}").status_code == 200
    auth.logout()
    assert client.get(f"/contests/{contest_id}").status_code == 404  # a draft is not public
    auth.login(cast.organiser)
    criterion = {"name": "Impact", "description": "", "weight": "1", "scale_min": "1", "scale_max": "10"}
    assert client.post(f"/contests/{contest_id}/criteria", data=criterion).status_code == 303
    assert client.post(f"/contests/{contest_id}/publish").status_code == 303
    auth.logout()
    page = _text(client.get(f"/contests/{contest_id}"))
    assert "Parking in Almaty" in page
    assert 'data-phase="submission"' in page


def test_phases_out_of_order_are_refused_with_the_field_named(app, client, auth, cast):
    auth.login(cast.organiser)
    response = client.post("/contests/new", data=_contest_form(app, voting_opens_at=_local(1)))
    assert response.status_code == 400
    assert "The phases must follow each other" in _text(response)
    assert _count(app, Contest) == 0


def test_an_official_of_another_body_cannot_organise_here(app, client, auth, cast):
    auth.login(cast.other_official)
    response = client.post("/contests/new", data=_contest_form(app))
    assert response.status_code == 400  # the Almaty body is not among their choices
    assert _count(app, Contest) == 0


def test_submit_screen_and_see_the_reason(app, client, auth, cast, contests):
    cid = contests.make(Phase.SUBMISSION)
    auth.login(cast.author)
    response = client.post(
        f"/contests/{cid}/submit",
        data={"title": "Multi-level car park", "text": "Build one behind the *market*.", "links": "https://ex.kz/a"},
    )
    assert response.status_code == 303
    (entry_id,) = contests.entries(cid)
    auth.logout()
    assert client.get(f"/contests/{cid}/entries/{entry_id}").status_code == 404  # not public before screening
    auth.login(cast.moderator)
    assert "Multi-level car park" in _text(client.get("/contests/screening"))
    response = client.post(
        f"/contests/{cid}/entries/{entry_id}/screen", data={"decision": "reject", "reason": "personal_data", "note": ""}
    )
    assert response.status_code == 303
    auth.login(cast.author)
    page = _text(client.get(f"/contests/{cid}/entries/{entry_id}"))
    assert "Discloses personal data of other people" in page
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "contests.screen_entry"))


def test_screening_out_needs_a_reason(app, client, auth, cast, contests):
    cid = contests.make(Phase.SUBMISSION)
    with app.app_context():
        from civic.contests import services
        from tests.contests.conftest import user

        contest = db.session.get(Contest, cid)
        entry = services.submit_entry(contest, user(cast.author), "Idea", "Text", [])
        db.session.commit()
        entry_id = entry.id
    auth.login(cast.moderator)
    response = client.post(f"/contests/{cid}/entries/{entry_id}/screen", data={"decision": "reject", "reason": ""})
    assert response.status_code == 400
    assert "Choose the reason" in _text(response)
    assert _count(app, Entry, Entry.state == EntryState.SUBMITTED) == 1


def test_submitting_outside_the_submission_phase_is_refused(app, client, auth, cast, contests):
    cid = contests.make(Phase.VOTING)
    auth.login(cast.author)
    response = client.post(f"/contests/{cid}/submit", data={"title": "Late idea", "text": "Too late."})
    assert response.status_code == 409
    assert "only during the submission phase" in _text(response)
    assert _count(app, Entry) == 0


def test_an_unconfirmed_email_cannot_submit(app, client, auth, make_user, contests, cast):
    from civic.identity.models import AssuranceLevel

    cid = contests.make(Phase.SUBMISSION)
    auth.login(make_user(level=AssuranceLevel.REGISTERED))
    assert client.post(f"/contests/{cid}/submit", data={"title": "Idea", "text": "Text"}).status_code == 403
    assert _count(app, Entry) == 0


def test_vote_and_withdraw_over_http(app, client, auth, cast, contests):
    cid = contests.make(Phase.VOTING, entries=2)
    e1, _e2 = contests.entries(cid)
    auth.login(cast.voter)
    assert client.post(f"/contests/{cid}/entries/{e1}/vote").status_code == 303
    page = _text(client.get(f"/contests/{cid}/entries/{e1}"))
    assert 'data-vote-count="1"' in page
    assert client.post(f"/contests/{cid}/entries/{e1}/unvote").status_code == 303
    assert _count(app, Vote) == 0


def test_a_revoked_session_cannot_vote(app, client, auth, cast, contests):
    """The hot path votes from the cookie alone: the INSERT itself must refuse a session ended elsewhere."""
    from sqlalchemy import update

    from civic.identity.models import UserSession

    cid = contests.make(Phase.VOTING, entries=2)
    e1, _e2 = contests.entries(cid)
    auth.login(cast.voter)
    with app.app_context():
        db.session.execute(update(UserSession).values(revoked_at=utc_now()))
        db.session.commit()
    response = client.post(f"/contests/{cid}/entries/{e1}/vote", headers={"Accept": "application/json"})
    assert response.status_code in (302, 401)
    assert "/login" in response.headers.get("Location", "/login")
    assert _count(app, Vote) == 0


@pytest.mark.parametrize(
    ("who", "phase", "second", "status", "message"),
    [
        ("voter", Phase.JURY, False, 409, "Voting is not open in this contest."),
        ("voter", Phase.SCREENING, False, 409, "Voting is not open in this contest."),
        ("author", Phase.VOTING, False, 403, "You cannot vote for your own idea."),
        ("voter", Phase.VOTING, True, 409, "You have already voted for this idea."),
        ("outsider", Phase.VOTING, False, 403, "Only residents of the contest's territory can vote."),
        ("unverified", Phase.VOTING, False, 403, "Only residents with a verified IIN can vote."),
    ],
)
def test_refused_votes_say_why_and_change_nothing(
    app, client, auth, cast, contests, who, phase, second, status, message
):
    cid = contests.make(Phase.VOTING, entries=1)
    (e1,) = contests.entries(cid)
    auth.login(getattr(cast, who))
    if second:
        assert client.post(f"/contests/{cid}/entries/{e1}/vote").status_code == 303
    contests.move(cid, phase)
    before = _count(app, Vote)
    response = client.post(f"/contests/{cid}/entries/{e1}/vote")
    assert response.status_code == status
    assert message in _text(response)
    assert _count(app, Vote) == before


def test_refusals_answer_scripts_in_json_and_hide_what_the_voter_may_not_see(app, client, auth, cast, contests):
    cid, other = contests.make(Phase.VOTING, entries=2), contests.make(Phase.VOTING, entries=1)
    (e1, e2), (elsewhere,) = contests.entries(cid), contests.entries(other)
    as_json = {"Accept": "application/json"}
    auth.login(cast.voter)
    assert client.post(f"/contests/{cid}/entries/{e1}/vote", headers=as_json).status_code == 201
    again = client.post(f"/contests/{cid}/entries/{e1}/vote", headers=as_json)
    assert (again.status_code, again.get_json()) == (
        409,
        {"status": "refused", "message": "You have already voted for this idea."},
    )
    assert client.post(f"/contests/{cid}/entries/{elsewhere}/vote", headers=as_json).status_code == 404
    with app.app_context():
        db.session.get(Entry, e2).state = EntryState.WITHDRAWN
        db.session.get(Contest, other).state = "draft"
        db.session.commit()
    withdrawn = client.post(f"/contests/{cid}/entries/{e2}/vote")
    assert withdrawn.status_code == 409
    assert "This idea is not in the public vote." in _text(withdrawn)
    assert client.post(f"/contests/{other}/entries/{elsewhere}/vote").status_code == 404  # a draft stays hidden
    auth.login(cast.organiser)
    draft = client.post(f"/contests/{other}/entries/{elsewhere}/vote", headers=as_json)
    assert (draft.status_code, draft.get_json()["message"]) == (409, "Voting is not open in this contest.")
    assert _count(app, Vote) == 1


def test_a_refusal_for_a_script_speaks_the_voters_language(app, client, auth, cast, contests):
    """The JSON refusal is explained without loading the account, yet in the language the account prefers."""
    from civic.identity.models import User

    cid = contests.make(Phase.VOTING, entries=1)
    (e1,) = contests.entries(cid)
    auth.login(cast.voter)
    assert client.post(f"/contests/{cid}/entries/{e1}/vote", headers={"Accept": "application/json"}).status_code == 201
    with app.app_context():
        db.session.get(User, cast.voter.id).preferred_locale = "kk"
        db.session.commit()
    again = client.post(f"/contests/{cid}/entries/{e1}/vote", headers={"Accept": "application/json"})
    assert (again.status_code, again.get_json()["message"]) == (409, "Сіз бұл идеяға дауыс беріп қойғансыз.")


def test_over_n_votes_is_refused(app, client, auth, cast, contests):
    cid = contests.make(Phase.VOTING, entries=3, votes_per_voter=2)
    e1, e2, e3 = contests.entries(cid)
    auth.login(cast.voter)
    assert client.post(f"/contests/{cid}/entries/{e1}/vote").status_code == 303
    assert client.post(f"/contests/{cid}/entries/{e2}/vote").status_code == 303
    response = client.post(f"/contests/{cid}/entries/{e3}/vote")
    assert response.status_code == 409
    assert "You have used all your votes" in _text(response)
    assert _count(app, Vote) == 2


def test_voting_is_rate_limited(app, client, auth, cast, contests):
    """A counted vote is capped by the database; refusals (and withdrawals) count against the limit."""
    cid = contests.make(Phase.VOTING, entries=1)
    (e1,) = contests.entries(cid)
    app.config["CONTESTS_VOTE_LIMIT"] = "2 per minute"
    try:
        auth.login(cast.voter)
        statuses = [client.post(f"/contests/{cid}/entries/{e1}/vote").status_code for _ in range(4)]
    finally:
        app.config.pop("CONTESTS_VOTE_LIMIT")
    assert statuses == [303, 409, 409, 429]


def test_comments_reports_hide_until_review(app, client, auth, cast, contests):
    cid = contests.make(Phase.VOTING, entries=1)
    (e1,) = contests.entries(cid)
    auth.login(cast.voter)
    assert (
        client.post(f"/contests/{cid}/entries/{e1}/comments", data={"body": "Where is the money from?"}).status_code
        == 303
    )
    from civic.contests.models import Comment

    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id))
    reply = client.post(
        f"/contests/{cid}/entries/{e1}/comments", data={"body": "A reply", "parent_id": str(comment_id)}
    )
    assert reply.status_code == 303
    auth.login(cast.resident)
    assert client.post(f"/contests/comments/{comment_id}/report", data={"reason": "rude"}).status_code == 303
    auth.logout()
    assert "Where is the money from?" not in _text(client.get(f"/contests/{cid}/entries/{e1}"))
    auth.login(cast.moderator)
    assert "Where is the money from?" in _text(client.get("/contests/screening"))
    assert client.post(f"/contests/comments/{comment_id}/review", data={"decision": "keep"}).status_code == 303
    auth.logout()
    assert "Where is the money from?" in _text(client.get(f"/contests/{cid}/entries/{e1}"))


def test_pledges_are_listed(app, client, auth, cast, contests):
    cid = contests.make(Phase.VOTING, entries=1)
    (e1,) = contests.entries(cid)
    auth.login(cast.resident)
    response = client.post(
        f"/contests/{cid}/entries/{e1}/pledges", data={"kind": "hours", "hours": "12", "description": ""}
    )
    assert response.status_code == 303
    bad = client.post(f"/contests/{cid}/entries/{e1}/pledges", data={"kind": "materials", "description": ""})
    assert bad.status_code == 400
    assert "Describe what you offer." in _text(bad)
    assert "12 hours" in _text(client.get(f"/contests/{cid}/entries/{e1}"))


def test_the_organiser_moves_to_the_next_phase_early_and_it_is_audited(app, client, auth, cast, contests):
    cid = contests.make(Phase.SUBMISSION)
    auth.login(cast.organiser)
    assert client.post(f"/contests/{cid}/advance", data={}).status_code == 400  # must confirm
    assert client.post(f"/contests/{cid}/advance", data={"confirm": "y"}).status_code == 303
    with app.app_context():
        contest = db.session.get(Contest, cid)
        assert contest.phase_at(utc_now()) == Phase.SCREENING
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contests.advance_phase"))
        assert event.before["phase"] == "submission"
        assert event.after["phase"] == "screening"


def test_the_district_breakdown_appears_only_after_voting_closes(app, client, auth, cast, contests):
    cid = contests.make(Phase.VOTING, entries=1)
    (e1,) = contests.entries(cid)
    auth.login(cast.voter)
    client.post(f"/contests/{cid}/entries/{e1}/vote")
    page = _text(client.get(f"/contests/{cid}"))
    assert 'data-votes="1"' in page  # the live count
    assert 'id="district-votes"' not in page
    contests.move(cid, Phase.JURY)
    page = _text(client.get(f"/contests/{cid}"))
    assert 'id="district-votes"' in page
    assert "district-chart-title" in page
    assert "Bostandyk District" in page


def test_editing_after_submission_closes_is_refused(app, client, auth, cast, contests):
    cid = contests.make(Phase.VOTING, entries=1)
    (e1,) = contests.entries(cid)
    auth.login(cast.author)
    response = client.post(f"/contests/{cid}/entries/{e1}/edit", data={"title": "Changed", "text": "Changed"})
    assert response.status_code == 409
    assert "only until submission closes" in _text(response)
    with app.app_context():
        assert db.session.get(Entry, e1).title == "Idea 1"


def test_a_published_contest_keeps_its_territory(app, client, auth, cast, contests):
    cid = contests.make(Phase.SUBMISSION)
    with app.app_context():
        bostandyk = db.session.scalar(select(Territory.id).where(Territory.code == "KZ-ALA-BOS"))
    auth.login(cast.organiser)
    form = _contest_form(app, territory=str(bostandyk))
    with app.app_context():
        contest = db.session.get(Contest, cid)
        for column in ("submission_opens_at", "submission_closes_at", "voting_opens_at", "voting_closes_at"):
            form[column] = to_local(getattr(contest, column), "Asia/Almaty").strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/contests/{cid}/edit", data=form)
    assert response.status_code == 400
    assert "keeps its territory" in _text(response)
    with app.app_context():
        form["territory"] = str(db.session.get(Contest, cid).territory_id)
        before = db.session.get(Contest, cid).submission_opens_at
    form["title"] = "A clearer title"
    assert client.post(f"/contests/{cid}/edit", data=form).status_code == 303  # past dates given back unchanged
    with app.app_context():
        contest = db.session.get(Contest, cid)
        assert contest.title == "A clearer title"
        assert contest.submission_opens_at == before


def test_my_ideas_lists_authored_and_coauthored_ideas(app, client, auth, cast, contests):
    from civic.contests import services
    from tests.contests.conftest import user

    cid = contests.make(Phase.SUBMISSION, entries=1)
    (e1,) = contests.entries(cid)
    with app.app_context():
        contest, entry = db.session.get(Contest, cid), db.session.get(Entry, e1)
        token = services.invite_coauthor(entry, contest, user(cast.author), cast.judge.email)
        services.accept_coauthor(token, user(cast.judge))
        db.session.commit()
    for who in (cast.author, cast.judge):
        auth.login(who)
        assert "Idea 1" in _text(client.get("/contests/my"))
    auth.login(cast.voter)
    assert "Idea 1" not in _text(client.get("/contests/my"))


def test_the_screening_queue_is_linked_for_moderators_and_in_the_administration_menu(app, client, auth, cast):
    auth.login(cast.moderator)
    assert 'href="/contests/screening"' in _text(client.get("/contests/"))
    auth.login(cast.voter)
    assert 'href="/contests/screening"' not in _text(client.get("/contests/"))
    auth.login(cast.admin)
    with app.test_request_context():
        from flask import url_for

        users_page = url_for("identity_admin.users")
    assert 'href="/contests/screening"' in _text(client.get(users_page))


def test_voting_answers_json_to_scripts(app, client, auth, cast, contests):
    """The hot path: JSON in, 201 {"status": "voted"}; a second vote for the same idea is refused as JSON (409)."""
    cid = contests.make(Phase.VOTING, entries=1)
    (e1,) = contests.entries(cid)
    auth.login(cast.voter)
    headers = {"Accept": "application/json"}
    first = client.post(f"/contests/{cid}/entries/{e1}/vote", headers=headers)
    assert first.status_code == 201
    assert first.get_json() == {"status": "voted"}
    again = client.post(f"/contests/{cid}/entries/{e1}/vote", headers=headers)
    assert again.status_code == 409
    assert again.get_json()["message"] == "You have already voted for this idea."
    auth.logout()
    assert client.post(f"/contests/{cid}/entries/{e1}/vote", headers=headers).status_code == 302
