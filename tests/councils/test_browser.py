"""Councils end to end in a real browser, in English and in Kazakh: a meeting from its notice to published minutes
with a quorum vote; a petition over its hearing threshold reaching the agenda and its recommendation answered by the
energy department; an expert's hours being booked (and refused beyond what remains).

Selectors use ids and form actions, not visible text, so the tests hold in every interface language."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from civic import db
from civic.councils.models import AgendaItem, Expert, Meeting, Recommendation
from civic.db import utc_now
from civic.identity.models import StateBody
from tests.factories import browser_login, browser_logout, local_input

LANGUAGES = ["en", "kk"]


def _hold_vote(page, meeting_id: int, members: list[int], body_id: int | None = None) -> None:
    page.goto(f"/councils/meetings/{meeting_id}/manage")
    for member in members:
        page.check(f"#attendance-form input[name=member][value='{member}']")
    page.click("#attendance-form button[type=submit]")
    page.wait_for_url(re.compile(r"/manage$"))
    form = page.locator("form.vote-form").first
    for member in members:
        form.locator(f"input[name='vote-{member}'][value=for]").check()
    if body_id:
        form.locator("select[name=body]").select_option(str(body_id))
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/manage$"))


@pytest.mark.browser
@pytest.mark.parametrize("language", LANGUAGES)
def test_meeting_from_notice_to_published_minutes(page, app, cast, councils, language):
    council_id = councils.make()
    members = [cast.chair.id, cast.secretary.id, cast.member1.id, cast.member2.id, cast.member3.id]
    browser_login(page, cast.secretary)

    # Notice: the secretary creates the meeting ten days ahead, sets its agenda and announces it.
    page.goto(f"/councils/{council_id}/manage")
    page.click("#new-meeting summary")
    page.fill("#new-meeting #title", "Heating season hearing")
    page.fill("#new-meeting #starts_at", local_input(10))
    page.click("#new-meeting button[type=submit]")
    page.wait_for_url(re.compile(r"/councils/meetings/\d+/manage$"))
    meeting_id = int(re.search(r"/meetings/(\d+)/manage", page.url).group(1))
    page.click("#add-item summary")
    page.fill("#item-title", "Heating schedule")
    page.click("#add-item button[type=submit]")
    page.wait_for_url(re.compile(r"/manage$"))
    page.click("#announce-box button[type=submit]")
    page.wait_for_url(re.compile(r"/manage$"))
    page.goto(f"/councils/meetings/{meeting_id}")
    assert "Heating schedule" in page.inner_text("#agenda")

    # The meeting begins: first with two members present there is no quorum, then all five vote.
    councils.shift(Meeting, meeting_id, starts_at=-timedelta(minutes=5))  # the meeting begins
    page.goto(f"/councils/meetings/{meeting_id}/manage")
    page.locator("details:has(form[action*='/recommendations']) summary").first.click()
    page.locator("form[action*='/recommendations'] textarea").first.fill("Publish the heating schedule a month ahead.")
    page.locator("form[action*='/recommendations'] button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/manage$"))
    for member in members[:2]:
        page.check(f"#attendance-form input[name=member][value='{member}']")
    page.click("#attendance-form button[type=submit]")
    page.wait_for_url(re.compile(r"/manage$"))
    form = page.locator("form.vote-form").first
    for member in members[:2]:
        form.locator(f"input[name='vote-{member}'][value=for]").check()
    form.locator("button[type=submit]").click()
    assert page.locator("#council-error").is_visible()  # no quorum: nothing recorded
    with app.app_context():
        assert db.session.scalar(select(Recommendation.state)) == "proposed"
    _hold_vote(page, meeting_id, members)
    with app.app_context():
        rec = db.session.scalar(select(Recommendation))
        assert (rec.state, rec.votes_for, rec.body.code) == ("adopted", 5, "KZ-ALA.ENERGY")

    # Minutes: drafted, approved, published; the public page shows them with attendance and votes.
    page.fill("#minutes_kk", "Кеңес жылу беру кестесін қарады.")
    page.fill("#minutes_ru", "Совет рассмотрел график подачи тепла.")
    page.fill("#minutes_en", "The council heard the heating schedule.")
    page.click("#minutes-form button[value=approve]")
    page.wait_for_url(re.compile(r"/manage$"))
    page.click("#minutes-form button[value=publish]")
    page.wait_for_url(re.compile(r"/manage$"))
    browser_logout(page)
    page.goto(f"/councils/meetings/{meeting_id}")
    minutes = page.inner_text("#minutes")
    expected = {"en": "The council heard the heating schedule.", "kk": "Кеңес жылу беру кестесін қарады."}[language]
    assert expected in minutes
    assert "Member Three" in minutes


@pytest.mark.browser
@pytest.mark.parametrize("language", LANGUAGES)
def test_petition_hearing_reaches_the_agenda_and_a_body_answers(
    page, app, cast, councils, make_user, directory, language
):
    from tests.councils.test_demo_and_views import make_open_petition

    council_id = councils.make(sector=None)
    world, petition_id = make_open_petition(app, make_user, directory)
    for _ in range(2):
        world.sign(petition_id, world.user())
    world.tally(petition_id)  # over the hearing threshold: a pending item of Almaty's council
    meeting_id = councils.meeting(council_id)
    with app.app_context():
        item_id = db.session.scalar(select(AgendaItem.id).where(AgendaItem.linked_type == "petition"))
        energy = db.session.scalar(select(StateBody.id).where(StateBody.code == "KZ-ALA.ENERGY"))

    browser_login(page, cast.secretary)
    page.goto(f"/councils/meetings/{meeting_id}/manage")
    page.click(f"form[action='/councils/items/{item_id}/schedule'] button")
    page.wait_for_url(re.compile(r"/manage$"))
    page.goto(f"/councils/meetings/{meeting_id}")
    assert page.locator(f"#item-{item_id} a[href='/petitions/{petition_id}']").count() == 1

    councils.shift(Meeting, meeting_id, starts_at=-timedelta(minutes=5))  # the meeting begins
    page.goto(f"/councils/meetings/{meeting_id}/manage")
    page.locator(f"#manage-item-{item_id} details:has(form[action*='/recommendations']) summary").click()
    page.fill(f"#r{item_id}-text", "Repair the heating main before October.")
    page.click(f"form[action='/councils/items/{item_id}/recommendations'] button[type=submit]")
    page.wait_for_url(re.compile(r"/manage$"))
    members = [cast.chair.id, cast.secretary.id, cast.member1.id, cast.member2.id, cast.member3.id]
    _hold_vote(page, meeting_id, members, energy)
    with app.app_context():
        rec_id = db.session.scalar(select(Recommendation.id).where(Recommendation.state == "adopted"))
    browser_logout(page)

    # The wrong body's official sees no answer form; the energy department's official answers.
    browser_login(page, cast.other_official)
    page.goto(f"/councils/recommendations/{rec_id}")
    assert page.locator("#answer-form").count() == 0
    browser_logout(page)
    browser_login(page, cast.official)
    page.goto("/councils/answers")
    page.click(f"a[href='/councils/recommendations/{rec_id}']")
    page.select_option("#decision", "accepted")
    page.fill("#answer-form #text", "The main will be repaired in September.")
    page.fill("#plan", "Tender in July, works in September.")
    page.fill("#plan_date", (utc_now() + timedelta(days=90)).strftime("%Y-%m-%d"))
    page.click("#answer-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/councils/recommendations/{rec_id}$"))
    assert "The main will be repaired in September." in page.inner_text("#answer")
    page.goto(f"/councils/bodies/{energy}")
    assert page.locator("#timeliness tbody tr").first.locator("td").nth(1).inner_text() == "1"


@pytest.mark.browser
@pytest.mark.parametrize("language", LANGUAGES)
def test_an_experts_hours_are_booked(page, app, cast, councils, language):
    council_id = councils.make()
    with app.app_context():
        expert_id = db.session.scalar(select(Expert.id))
    browser_login(page, cast.secretary)
    page.goto(f"/councils/{council_id}/manage")
    assert page.inner_text(f"#hours-{expert_id}").strip() == "20.0"
    page.click(f"#book-{expert_id} summary")
    page.select_option(f"#b{expert_id}-kind", "opinion")
    page.fill(f"#b{expert_id}-hours", "6.5")
    page.click(f"#book-{expert_id} button[type=submit]")
    page.wait_for_url(re.compile(r"/manage$"))
    assert page.inner_text(f"#hours-{expert_id}").strip() == "13.5"
    # More than remains: refused with a message, nothing booked.
    page.click(f"#book-{expert_id} summary")
    page.fill(f"#b{expert_id}-hours", "14")
    page.click(f"#book-{expert_id} button[type=submit]")
    assert page.locator(f"#book-{expert_id} .field-error").is_visible()
    page.goto(f"/councils/{council_id}")
    assert "13.5" in page.inner_text("#experts")
