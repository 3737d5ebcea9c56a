"""In Chromium, in Kazakh and in English: an organiser creates a study following the ordered set-up steps, picks the
panel with the picker's filters, opens round 1 at 18:00 Almaty time (and sees 18:00 again), a panelist's incomplete
submission is kept as a draft with the gap marked, the organiser closes the round through its confirmation page and
publishes the feedback, and in round 2 the panelist finds their round-1 answers filled in, with the answer that
needs a reason marked (and the marker following the answer as it changes). Screenshots of the manage, answer and
results pages at 1280 and 375 px go to ``$DELPHI_SHOTS`` when it is set; no page scrolls sideways at 375 px.

Selectors avoid interface texts (the pages run in the panelist's language); panelists get their session cookie
directly, so that the login rate limit does not slow the test down."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from civic import db
from civic.db import utc_now
from civic.delphi.models import DelphiItem, DelphiStudy, RoundStatus
from tests.delphi.conftest import converging_values
from tests.factories import browser_session

pytestmark = pytest.mark.browser


def _local_18h(days: int) -> tuple[str, datetime]:
    """18:00 Almaty time ``days`` from today as typed, and the instant it means (Almaty is UTC+5)."""
    day = (utc_now() + timedelta(days=days)).date()
    return f"{day.isoformat()}T18:00", datetime(day.year, day.month, day.day, 13, 0, tzinfo=UTC)


def _click(page, selector: str) -> None:
    """Click a submit button or link and wait for the page it leads to."""
    with page.expect_navigation():
        page.locator(selector).first.click()


def _submit(page, form_action_suffix: str) -> None:
    _click(page, f"form[action$='{form_action_suffix}'] button[type=submit]")


def _look(page, name: str, lang: str) -> None:
    """Screenshots at 1280 and 375 px (kept when DELPHI_SHOTS names a folder); the page never scrolls sideways."""
    folder = os.environ.get("DELPHI_SHOTS")
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{name} at {width} px scrolls sideways by {overflow} px ({lang})"
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{folder}/{lang}-{name}-{width}.png", full_page=True)
            height = page.evaluate("document.documentElement.scrollHeight")
            for part, top in enumerate(range(0, height, 1200)):  # phone-sized pieces, legible one by one
                clip = {"x": 0, "y": top, "width": width, "height": min(1200, height - top)}
                page.screenshot(path=f"{folder}/{lang}-{name}-{width}-{part}.png", full_page=True, clip=clip)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("language", ["kk", "en"])
def test_a_delphi_study_from_creation_to_round_two_feedback(app, page, make_user, world, language):
    organiser = make_user(roles=["council_member"], display_name="Organiser")
    panel = [make_user(roles=[("council_member", None)], display_name=f"Panelist {i + 1}") for i in range(6)]
    outsider = make_user(roles=["expert"], display_name="Expert elsewhere")
    base = page.base_url
    browser_session(page, app, organiser)

    # -- creation, and the set-up as ordered steps
    page.goto(base + "/delphi/new")
    page.select_option("#base_language", language)
    page.fill(f"#title_{language}", "Kindergarten places in Almaty")
    page.fill(f"#context_{language}", "Who should get a place first?")
    _click(page, "main form button[type=submit]")
    manage_url = page.url.split("#")[0]
    study_path = manage_url.removeprefix(base).removesuffix("/manage")
    steps = page.locator("ol.delphi-steps > li > a")
    assert [steps.nth(i).get_attribute("href") for i in range(steps.count())] == [
        "#items",
        "#panel",
        "#rules",
        "#rounds",
    ]
    assert page.locator("ol.delphi-steps .delphi-missing").count() == 2  # no item, no panel yet
    headings = page.locator("main h2").all_inner_texts()
    assert [h[:2] for h in headings if h[:1].isdigit()] == ["1.", "2.", "3.", "4."]  # the sections in that order
    _look(page, "setup", language)

    for kind, fill in (
        ("likert", {f"#text_{language}": "Large families should come first"}),
        (
            "numeric",
            {f"#text_{language}": "Places to add in 2027", "#unit": "places", "#min_value": "0", "#max_value": "50000"},
        ),
        ("yes_no", {f"#text_{language}": "Publish the queue online?"}),
    ):
        page.goto(f"{base}{study_path}/items/new/{kind}")
        for selector, value in fill.items():
            page.fill(selector, value)
        _click(page, "main form button[type=submit]")
    assert page.locator("#items tbody tr").count() == 3

    # -- the panel picker: who is who, filtered by role
    page.goto(f"{base}{study_path}/panel")
    assert page.locator(f"input[name=user_ids][value='{outsider.id}']").count() == 1
    page.select_option("#role", "council_member")
    _click(page, "form[role=search] button[type=submit]")
    assert page.locator(f"input[name=user_ids][value='{outsider.id}']").count() == 0
    assert panel[0].email in page.locator("ul.delphi-checklist").inner_text()
    for user in panel:
        page.check(f"input[name=user_ids][value='{user.id}']")
    _submit(page, "/panel/add")
    assert page.locator(".delphi-members li").count() == 6

    # -- round 1 opens at 18:00 Almaty time, and 18:00 is what the organiser sees again
    page.goto(manage_url)
    assert page.locator("ol.delphi-steps .delphi-missing").count() == 0
    typed, instant = _local_18h(7)
    page.fill("#deadline", typed)
    _submit(page, "/rounds/open")
    assert page.locator("#open-round").is_visible()
    assert page.input_value("form.delphi-extend #deadline") == typed
    with app.app_context():
        study = db.session.scalar(select(DelphiStudy))
        assert study.round(1).deadline == instant
        study_id = study.id
        items = {i.code: i.id for i in db.session.scalars(select(DelphiItem))}
    assert page.locator("ol.delphi-steps").count() == 0  # running: the rounds come first
    _look(page, "manage", language)

    # -- round 1: an incomplete submission keeps what is valid and marks the gap
    reviser = panel[0]  # round 1: Likert 2, 800 places, no
    values = converging_values(0, 1)
    browser_session(page, app, reviser)
    page.goto(f"{base}{study_path}/rounds/1/answer")
    page.check(f"input[name=item-{items['Q1']}][value='{values['Q1']}']")
    page.check(f"input[name=item-{items['Q3']}][value='{values['Q3']}']")
    _click(page, "button[name=action][value=submit]")
    assert page.locator(".delphi-error-summary").is_visible()
    assert page.locator(".delphi-item.has-error").count() == 1
    assert page.locator(f"#item-{items['Q2']}.has-error").count() == 1
    page.goto(f"{base}{study_path}/rounds/1/answer")  # the valid answers were kept as a draft
    assert page.locator(f"input[name=item-{items['Q1']}][value='{values['Q1']}']").is_checked()
    page.fill(f"#in-{items['Q2']}", values["Q2"])
    _click(page, "button[name=action][value=submit]")
    assert page.locator(".flash-success").count() >= 1
    for index, user in enumerate(panel[1:], start=1):
        world.answer(study_id, 1, user, converging_values(index, 1))

    # -- the organiser closes round 1 through its confirmation page and publishes the feedback
    browser_session(page, app, organiser)
    page.goto(manage_url)
    _click(page, "a[href$='/rounds/1/close']")
    assert page.locator(".delphi-confirm").is_visible()
    assert "6" in page.locator(".delphi-confirm li").first.inner_text()  # 6 of 6 submitted
    _click(page, "form.delphi-confirm-form button[type=submit]")
    _submit(page, "/rounds/1/publish")
    page.fill("form.delphi-open-round #deadline", _local_18h(14)[0])
    _submit(page, "/rounds/open")

    # -- round 2: the round-1 answers are filled in, the answer needing a reason is marked before submitting
    browser_session(page, app, reviser)
    page.goto(f"{base}{study_path}/rounds/2/answer")
    assert page.locator(".delphi-prefilled").is_visible()
    assert page.locator(f"input[name=item-{items['Q1']}][value='{values['Q1']}']").is_checked()
    assert page.input_value(f"#in-{items['Q2']}") == "800.0" or page.input_value(f"#in-{items['Q2']}") == "800"
    assert page.locator(f"input[name=item-{items['Q3']}][value='{values['Q3']}']").is_checked()
    likert_feedback = page.locator(f"#item-{items['Q1']} .delphi-feedback")
    assert likert_feedback.locator("rect.bar.highlight").count() == 1
    assert page.locator(f"#item-{items['Q2']} circle.own").count() == 1
    numeric_marker = page.locator(f"#item-{items['Q2']} .delphi-reason-marker")
    assert "needed" in numeric_marker.get_attribute("class")  # 800 lies below the panel's middle half
    _look(page, "answer", language)
    page.fill(f"#in-{items['Q2']}", "1000")  # static/js/delphi.js follows the answer
    page.wait_for_function("el => el.classList.contains('optional')", arg=numeric_marker.element_handle(), timeout=5000)
    page.check(f"input[name=item-{items['Q1']}][value='4']")
    page.check(f"input[name=item-{items['Q3']}][value='yes']")
    _click(page, "button[name=action][value=submit]")
    assert page.locator(".flash-success").count() >= 1
    assert page.locator(f"input[name=item-{items['Q1']}][value='4']").is_checked()

    for index, user in enumerate(panel[1:], start=1):
        world.answer(study_id, 2, user, converging_values(index, 2), why={"Q1": "closer", "Q2": "closer"})
    browser_session(page, app, organiser)
    page.goto(f"{base}{study_path}/rounds/2/close")
    _click(page, "form.delphi-confirm-form button[type=submit]")
    decision = page.locator("#decision-heading")
    assert decision.is_visible()
    assert "2" in decision.inner_text()
    _submit(page, "/rounds/2/publish")
    with app.app_context():
        study = db.session.get(DelphiStudy, study_id)
        assert study.round(2).status == RoundStatus.PUBLISHED
        assert study.round(2).stopping["decision"] in {"continue", "stop_all_items_closed"}

    # -- round-2 feedback for the panelist, and the results page
    browser_session(page, app, reviser)
    page.goto(f"{base}{study_path}/rounds/2/feedback")
    assert page.locator("rect.bar.highlight").count() >= 1
    page.goto(f"{base}{study_path}/results")
    assert page.locator(".delphi-item").count() == 3
    _look(page, "results", language)
