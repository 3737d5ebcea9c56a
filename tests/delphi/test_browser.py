"""In Chromium: an organiser builds a 3-item study, six panelists answer round 1, the round closes, a panelist sees
the feedback with their own answer highlighted and revises in round 2, and the organiser sees the stopping decision.

Selectors avoid interface texts (the page runs in Kazakh); panelists after the first sign in through the form get
their session cookie directly, so that the login rate limit does not slow the test down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from civic import db
from civic.db import utc_now
from civic.delphi.models import DelphiItem, DelphiStudy, RoundStatus
from tests.delphi.conftest import converging_values
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser


def _as(page, app, user) -> None:
    """Switch the tab to ``user`` with a signed Flask session cookie (what a successful sign-in sets)."""
    serializer = app.session_interface.get_signing_serializer(app)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": app.config["SESSION_COOKIE_NAME"],
                "url": page.base_url,
                "value": serializer.dumps({"_user_id": user.get_id(), "_fresh": True}),
            }
        ]
    )


def _deadline(days: int) -> str:
    return (utc_now() + timedelta(days=days, hours=6)).strftime("%Y-%m-%dT%H:%M")


def _submit(page, form_action_suffix: str) -> None:
    _click(page, f"form[action$='{form_action_suffix}'] button[type=submit]")


def _click(page, selector: str) -> None:
    """Click a submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.locator(selector).first.click()


def test_delphi_round_trip_in_the_browser(app, page, world):
    organiser, panel = world.organiser(email="organiser@example.test"), world.panel(6)
    base = page.base_url

    page.goto(base + "/login")
    page.fill("#email", "organiser@example.test")
    page.fill("#password", DEFAULT_PASSWORD)
    _click(page, "main form button[type=submit]")

    page.goto(base + "/delphi/new")
    page.select_option("#base_language", "en")
    page.fill("#title_en", "Kindergarten places in Almaty")
    page.fill("#context_en", "Who should get a place first?")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/manage")
    manage_url = page.url
    study_path = manage_url.removeprefix(base).removesuffix("/manage")

    for kind, fill in (
        ("likert", {"#text_en": "Large families should come first"}),
        ("numeric", {"#text_en": "Places to add in 2027", "#unit": "places", "#min_value": "0", "#max_value": "50000"}),
        ("yes_no", {"#text_en": "Publish the queue online?"}),
    ):
        page.goto(f"{base}{study_path}/items/new/{kind}")
        for selector, value in fill.items():
            page.fill(selector, value)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/manage*")
    assert page.locator("#items tbody tr").count() == 3

    page.goto(f"{base}{study_path}/panel")
    for user in panel:
        page.check(f"input[name=user_ids][value='{user.id}']")
    _submit(page, "/panel/add")
    assert page.locator(".delphi-members li").count() == 6

    page.goto(manage_url)
    page.fill("#deadline", _deadline(7))
    _submit(page, "/rounds/open")
    assert page.locator("#open-round").is_visible()

    with app.app_context():
        items = {i.code: i.id for i in db.session.scalars(select(DelphiItem))}
    for index, user in enumerate(panel):
        _as(page, app, user)
        page.goto(f"{base}{study_path}/rounds/1/answer")
        values = converging_values(index, 1)
        page.check(f"input[name=item-{items['Q1']}][value='{values['Q1']}']")
        page.fill(f"#in-{items['Q2']}", values["Q2"])
        page.check(f"input[name=item-{items['Q3']}][value='{values['Q3']}']")
        _click(page, "button[name=action][value=submit]")
        assert page.locator(".flash-success").count() >= 1

    _as(page, app, organiser)
    page.goto(manage_url)
    _submit(page, "/rounds/1/close")
    _submit(page, "/rounds/1/publish")
    page.fill("#deadline", _deadline(14))
    _submit(page, "/rounds/open")

    reviser = panel[0]  # answered Likert 2 and 800 places in round 1
    _as(page, app, reviser)
    page.goto(f"{base}{study_path}/rounds/2/answer")
    likert_feedback = page.locator(f"#item-{items['Q1']} .delphi-feedback")
    assert likert_feedback.locator("rect.bar.highlight").count() == 1
    assert likert_feedback.locator("tr.own").count() == 1
    assert page.locator(f"#item-{items['Q2']} circle.own").count() == 1
    page.check(f"input[name=item-{items['Q1']}][value='4']")
    page.fill(f"#in-{items['Q2']}", "1000")
    page.check(f"input[name=item-{items['Q3']}][value='yes']")
    _click(page, "button[name=action][value=submit]")
    assert page.locator(".flash-success").count() >= 1
    assert page.locator(f"input[name=item-{items['Q1']}][value='4']").is_checked()

    for index, user in enumerate(panel[1:], start=1):
        world.answer(
            study_id=int(study_path.rsplit("/", 1)[1]),
            number=2,
            user=user,
            values=converging_values(index, 2),
            why={"Q1": "closer", "Q2": "closer", "Q3": "same"},
        )
    _as(page, app, organiser)
    page.goto(manage_url)
    _submit(page, "/rounds/2/close")
    decision = page.locator("#decision-heading")
    assert decision.is_visible()
    assert "2" in decision.inner_text()
    assert page.locator(".delphi-decision strong").inner_text().strip()
    with app.app_context():
        study = db.session.scalar(select(DelphiStudy))
        assert study.round(2).status == RoundStatus.CLOSED
        assert study.round(2).stopping["decision"] in {"continue", "stop_all_items_closed"}
