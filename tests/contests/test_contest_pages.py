"""What a newcomer's walk through the contest pages found: each page says what the user may do, and why not, before
the click; empty sections stay hidden; refusals are translated and shown next to the field; badges are not red for
normal states."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from civic import db
from civic.contests import jury, services
from civic.contests.models import Contest, ContestState, Criterion, Phase, Vote
from civic.identity.models import AuditEvent, Territory
from tests.contests.conftest import user


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _vote_box(page: str) -> str:
    return re.search(r'<section class="vote-box" id="vote-box">(.*?)</section>', page, re.S).group(1)


def _draft(app, cast, contests) -> int:
    """A draft contest without jury criteria (the jury weight is the default 1)."""
    with app.app_context():
        contest = services.create_contest(user(cast.organiser), contests.data(Phase.SUBMISSION))
        db.session.commit()
        return contest.id


# --------------------------------------------------------------------------- 1. who cannot vote is told before


@pytest.mark.parametrize(
    ("who", "message", "fix"),
    [
        ("east", "Only residents of the contest's territory can vote.", None),
        ("unverified", "Only residents with a verified IIN can vote.", "/account#verification-heading"),
        ("homeless", "Set where you live on your account page", "/account#profile-heading"),
        ("author", "You cannot vote for your own idea.", None),
    ],
)
def test_the_idea_page_says_why_a_resident_cannot_vote_instead_of_the_button(
    app, client, auth, cast, contests, make_user, who, message, fix
):
    people = {
        "east": lambda: make_user(home="KZ-VOS-OSK", display_name="East Kazakhstan resident"),
        "unverified": lambda: cast.unverified,
        "homeless": lambda: make_user(home=None, display_name="No home"),
        "author": lambda: cast.author,
    }
    cid = contests.make(Phase.VOTING, entries=1)
    (e1,) = contests.entries(cid)
    auth.login(people[who]())
    box = _vote_box(_text(client.get(f"/contests/{cid}/entries/{e1}")))
    assert message in box
    assert 'id="vote-refusal"' in box
    assert "data-vote-form" not in box
    assert "votes left" not in box
    if fix:
        assert f'href="{fix}"' in box
    else:
        assert 'id="vote-fix"' not in box


def test_a_resident_who_may_vote_gets_the_button_and_one_who_used_every_vote_is_told(app, client, auth, cast, contests):
    cid = contests.make(Phase.VOTING, entries=3, votes_per_voter=2)
    e1, e2, e3 = contests.entries(cid)
    auth.login(cast.voter)
    box = _vote_box(_text(client.get(f"/contests/{cid}/entries/{e1}")))
    assert "data-vote-form" in box
    assert "You have 2 votes left." in box
    assert 'id="vote-refusal"' not in box
    for entry_id in (e1, e2):
        assert client.post(f"/contests/{cid}/entries/{entry_id}/vote").status_code == 303
    assert "Withdraw my vote" in _vote_box(_text(client.get(f"/contests/{cid}/entries/{e1}")))
    box = _vote_box(_text(client.get(f"/contests/{cid}/entries/{e3}")))
    assert "You have used all your votes in this contest." in box
    assert "data-vote-form" not in box


def test_a_vote_refused_for_want_of_an_iin_links_to_the_account_page(app, client, auth, cast, contests):
    cid = contests.make(Phase.VOTING, entries=1)
    (e1,) = contests.entries(cid)
    auth.login(cast.unverified)
    response = client.post(f"/contests/{cid}/entries/{e1}/vote")
    assert response.status_code == 403
    page = _text(response)
    assert page.count("Only residents with a verified IIN can vote.") == 1  # said once, beside its fix
    assert 'role="alert">Only residents with a verified IIN can vote.' in page
    assert 'href="/account#verification-heading"' in page
    assert _count(app, Vote) == 0


def test_the_page_reads_the_voters_standing_in_one_query(app, client, auth, cast, contests):
    """The vote box costs at most one query over the same page outside the voting phase."""
    cid = contests.make(Phase.VOTING, entries=1)
    (e1,) = contests.entries(cid)
    auth.login(cast.outsider)
    voting_phase = _queries(app, client, f"/contests/{cid}/entries/{e1}")
    contests.move(cid, Phase.JURY)
    jury_phase = _queries(app, client, f"/contests/{cid}/entries/{e1}")
    assert voting_phase <= jury_phase + 1


def _queries(app, client, url: str) -> int:
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = app.extensions["civic_engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len([s for s in statements if not s.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))])


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --------------------------------------------------------------------------- 2. the authors' panel


def test_the_authors_panel_appears_only_with_something_in_it(app, client, auth, cast, contests):
    cid = contests.make(Phase.VOTING, entries=1)
    (e1,) = contests.entries(cid)
    auth.login(cast.author)
    page = _text(client.get(f"/contests/{cid}/entries/{e1}"))
    assert "For the authors" in page  # the main author may still withdraw the idea
    assert "Withdraw the idea" in page
    contests.move(cid, Phase.JURY)
    page = _text(client.get(f"/contests/{cid}/entries/{e1}"))
    assert "For the authors" not in page
    assert 'class="author-panel"' not in page


# --------------------------------------------------------------------------- 3. signing in to comment


def test_signed_out_visitors_are_asked_to_sign_in_to_comment(app, client, auth, cast, contests):
    cid = contests.make(Phase.VOTING, entries=1)
    (e1,) = contests.entries(cid)
    page = _text(client.get(f"/contests/{cid}/entries/{e1}"))
    link = re.search(r'<p id="comment-sign-in"><a href="([^"]+)">([^<]+)</a>', page)
    assert link.group(2) == "Sign in to comment"
    assert link.group(1) == f"/login?next=/contests/{cid}/entries/{e1}"
    auth.login(cast.resident)
    assert 'id="comment-sign-in"' not in _text(client.get(f"/contests/{cid}/entries/{e1}"))


# --------------------------------------------------------------------------- 4. publishing needs criteria


def test_publishing_without_criteria_is_refused_while_the_jury_counts(app, client, auth, cast, contests):
    cid = _draft(app, cast, contests)
    auth.login(cast.organiser)
    response = client.post(f"/contests/{cid}/publish")
    assert response.status_code == 409
    assert "Add the jury's criteria before publishing" in _text(response)
    with app.app_context():
        assert db.session.get(Contest, cid).state == ContestState.DRAFT
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contests.publish")) is None
    criterion = {"name": "Impact", "description": "", "weight": "1", "scale_min": "1", "scale_max": "10"}
    assert client.post(f"/contests/{cid}/criteria", data=criterion).status_code == 303
    assert client.post(f"/contests/{cid}/publish").status_code == 303
    with app.app_context():
        assert db.session.get(Contest, cid).state == ContestState.PUBLISHED


def test_a_contest_whose_jury_does_not_count_publishes_without_criteria(app, cast, contests):
    cid = _draft(app, cast, contests)
    with app.app_context():
        contest, organiser = db.session.get(Contest, cid), user(cast.organiser)
        jury.save_settings(
            contest.competition,
            organiser,
            jury_weight=0,
            public_weight=1,
            normalise="none",
            min_judges=1,
            winner_count=1,
        )
        services.publish_contest(contest, organiser)
        assert contest.state == ContestState.PUBLISHED


# --------------------------------------------------------------------------- 5. ending a phase: the server's message


@pytest.mark.parametrize("language", ["kk"])
def test_ending_a_phase_unconfirmed_is_explained_by_the_server_in_kazakh(app, client, auth, cast, contests, language):
    cid = contests.make(Phase.SUBMISSION)
    auth.login(cast.organiser)
    form = re.search(r'<form [^>]*class="advance-form"[^>]*>', _text(client.get(f"/contests/{cid}/manage"))).group(0)
    assert "novalidate" in form  # the browser does not answer in its own language first
    response = client.post(f"/contests/{cid}/advance", data={})
    assert response.status_code == 400
    error = re.search(r'<small id="confirm-error" class="field-error" role="alert">([^<]+)</small>', _text(response))
    assert error.group(1) == "Кезең қазір аяқталатынын растау үшін құсбелгі қойыңыз."
    with app.app_context():
        from civic.db import utc_now

        assert db.session.get(Contest, cid).phase_at(utc_now()) == Phase.SUBMISSION


# --------------------------------------------------------------------------- 6. a criterion's upside-down scale


def test_a_criterion_with_its_scale_upside_down_keeps_the_section_open_and_the_values(
    app, client, auth, cast, contests
):
    cid = _draft(app, cast, contests)
    auth.login(cast.organiser)
    response = client.post(
        f"/contests/{cid}/criteria",
        data={"name": "Cost", "description": "Cheap to run", "weight": "2", "scale_min": "10", "scale_max": "1"},
    )
    assert response.status_code == 400
    page = _text(response)
    assert "<details open>" in page.replace("<details open><summary>", "<details open>")
    assert re.search(r'id="scale_min"[^>]*value="10"', page)
    assert re.search(r'id="scale_max"[^>]*value="1"', page)
    assert re.search(r'id="name"[^>]*value="Cost"', page)
    assert (
        '<small id="scale_max-error" class="field-error" role="alert">The lowest score must be below the highest.'
        in (page)
    )
    assert 'id="contest-error"' not in page  # next to the field, not a banner
    assert _count(app, Criterion) == 0


# --------------------------------------------------------------------------- 7. defaults and empty tables


def test_a_new_contest_starts_with_the_officials_body_and_its_territory(app, client, auth, cast):
    with app.app_context():
        almaty = db.session.scalar(select(Territory.id).where(Territory.code == "KZ-ALA"))
    auth.login(cast.organiser)
    page = _text(client.get("/contests/new"))
    territory = re.search(r'<select[^>]*id="territory"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option selected value="(\d+)">', territory) == [str(almaty)]


def test_the_manage_page_says_when_there_are_no_ideas_yet(app, client, auth, cast, contests):
    cid = contests.make(Phase.SUBMISSION)
    auth.login(cast.organiser)
    page = _text(client.get(f"/contests/{cid}/manage"))
    assert '<p id="no-entries">No ideas yet.</p>' in page
    assert "The territory's moderators screen each new idea" in page  # whose job screening is
    other = contests.make(Phase.VOTING, entries=1)
    assert 'id="no-entries"' not in _text(client.get(f"/contests/{other}/manage"))


# --------------------------------------------------------------------------- 8. badges


def test_normal_states_are_not_shown_in_red(app, client, auth, cast, contests):
    cid = contests.make(Phase.VOTING, entries=1)
    (e1,) = contests.entries(cid)
    entry_page = _text(client.get(f"/contests/{cid}/entries/{e1}"))
    assert 'class="contest-status contest-status-accepted" id="entry-state" data-state="accepted"' in entry_page
    assert 'class="contest-status contest-status-voting" id="contest-phase"' in _text(client.get(f"/contests/{cid}"))
    auth.login(cast.organiser)
    draft = _draft(app, cast, contests)
    assert 'class="contest-status contest-status-draft" id="manage-phase"' in _text(
        client.get(f"/contests/{draft}/manage")
    )
    for page in (entry_page, _text(client.get(f"/contests/{cid}/manage")), _text(client.get("/contests/"))):
        assert 'class="badge' not in page.split("<main")[1]  # .badge is the site's red counter
    css = Path(app.root_path).parent.joinpath("static/css/contests.css").read_text()
    red = [rule for rule in css.split("}") if "#fdecec" in rule or "#b42318" in rule]
    assert [rule.split("{")[0].strip() for rule in red] == [".contest-status-rejected"]


def test_a_screened_out_idea_keeps_a_red_badge(app, client, auth, cast, contests):
    cid = contests.make(Phase.SUBMISSION)
    with app.app_context():
        contest = db.session.get(Contest, cid)
        entry = services.submit_entry(contest, user(cast.author), "Off topic", "Text", [])
        services.screen_entry(entry, contest, user(cast.moderator), False, "off_topic", "")
        db.session.commit()
        entry_id = entry.id
    auth.login(cast.author)
    page = _text(client.get(f"/contests/{cid}/entries/{entry_id}"))
    assert 'class="contest-status contest-status-rejected" id="entry-state"' in page


def test_contest_and_hackathon_schedules_say_they_are_in_almaty_time(app, client, cast, contests, hackathons):
    cid = contests.make(Phase.VOTING)
    assert "Times are Almaty time." in _text(client.get(f"/contests/{cid}"))
    hackathon = hackathons.make("registration")["hackathon"]
    page = _text(client.get(f"/contests/hackathons/{hackathon}"))
    assert "(Almaty time)." in page
    assert "Asia/Almaty" not in page
    kk = client.get(f"/contests/{cid}", headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert "Уақыт Алматы уақытымен көрсетілген." in kk


@pytest.mark.parametrize(
    ("who", "message", "fix"),
    [
        ("east", "Only residents of the contest's territory can vote.", None),
        ("unverified", "Only residents with a verified IIN can vote.", "/account#verification-heading"),
        ("voter", None, None),
        ("author", None, None),  # may still vote for the other ideas
    ],
)
def test_the_contest_page_says_why_a_resident_cannot_vote_at_all_instead_of_votes_left(
    app, client, auth, cast, contests, make_user, who, message, fix
):
    people = {
        "east": lambda: make_user(home="KZ-VOS-OSK", display_name="East Kazakhstan resident"),
        "unverified": lambda: cast.unverified,
        "voter": lambda: cast.voter,
        "author": lambda: cast.author,
    }
    cid = contests.make(Phase.VOTING, entries=2)
    auth.login(people[who]())
    page = _text(client.get(f"/contests/{cid}"))
    if message is None:
        assert 'id="votes-left"' in page
        assert 'id="voter-standing"' not in page
    else:
        assert message in page
        assert 'id="voter-standing"' in page
        assert 'id="votes-left"' not in page
        assert (f'href="{fix}"' in page) if fix else ("Open your account page" not in page)
