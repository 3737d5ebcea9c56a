"""Keyboard only: a panelist answers a Delphi round (Likert, number, yes/no) and submits it without a mouse."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from civic import db
from civic.delphi.models import DelphiItem
from tests.delphi.conftest import converging_values
from tests.factories import browser_session
from tests.keyboard import choose_radio, tab_to

pytestmark = pytest.mark.browser


def test_answering_a_round_with_the_keyboard_only(app, page, world):
    organiser = world.organiser()
    panel = world.panel(6)
    study_id = world.study(organiser, panel=panel)
    world.open(study_id, organiser)
    with app.app_context():
        rows = db.session.execute(select(DelphiItem.code, DelphiItem.id).where(DelphiItem.study_id == study_id))
        items = {code: item_id for code, item_id in rows}
    browser_session(page, app, panel[0])  # a signed-in panelist, with a server-side session record
    values = converging_values(0, 1)

    page.goto(f"/delphi/{study_id}/rounds/1/answer")
    choose_radio(page, f"item-{items['Q1']}", values["Q1"])
    tab_to(page, f"#in-{items['Q2']}")
    page.keyboard.type(values["Q2"])
    choose_radio(page, f"item-{items['Q3']}", values["Q3"])
    tab_to(page, "button[name=action][value=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".flash-success").count() >= 1
    page.assert_accessible()

    page.goto(f"/delphi/{study_id}/rounds/1/answer")  # the answers were saved as submitted
    assert page.locator(f"input[name=item-{items['Q1']}][value='{values['Q1']}']").is_checked()
    assert float(page.input_value(f"#in-{items['Q2']}")) == float(values["Q2"])  # "800" or "800.0" by database
