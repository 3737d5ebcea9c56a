"""An initiative end to end in a real browser, in English and in Kazakh: started from a typical case, taken through
the ten steps with an indicator upload, a target and a decision, a stakeholder moving from group 3 to group 2, and
the report published at step 10.

Selectors use ids and form actions, not visible text, so the test holds in every interface language."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from civic import db
from civic.identity.models import Territory
from civic.initiatives import services
from civic.initiatives.models import Indicator, Initiative
from civic.stakeholders.models import MapEntry
from tests.factories import browser_login

CSV = """indicator,territory,period,value,unit
KG_QUEUE,KZ-VOS-GLU,2024,120,children
KG_QUEUE,KZ-VOS-ULA,2024,80,children
KG_QUEUE,KZ-VOS-GLU,2025,100,children
KG_QUEUE,KZ-VOS-ULA,2025,60,children
"""


def _pass_step(page, note="Done", **fields):
    for field, value in fields.items():
        page.fill(f"#{field}", value)
    page.fill("#note", note)
    page.click("#advance")
    page.wait_for_url(re.compile(r"/manage$"))


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "kk"])
def test_initiative_from_template_to_report(page, app, directory, make_user, language):
    owner = make_user(roles=[("official", None, "KZ-VOS.AKIMAT")], home="KZ-VOS-OSK")
    with app.app_context():
        services.load_templates()
        db.session.commit()
        vos = db.session.scalar(select(Territory.id).where(Territory.code == "KZ-VOS"))
    browser_login(page, owner)
    page.goto("/initiatives/templates")
    page.click("a[href='/initiatives/new?template=17']")
    page.wait_for_url(re.compile(r"/initiatives/new\?template=17$"))
    assert page.locator("#from-template").count() == 1
    page.select_option("#territory", str(vos))
    page.click("#initiative-form button[type=submit]")
    page.wait_for_url(re.compile(r"/initiatives/\d+/manage$"))
    url = page.url
    initiative_id = int(re.search(r"/initiatives/(\d+)/manage", url).group(1))
    assert page.locator("html").get_attribute("lang") == language

    _pass_step(page, "Data collected from the districts")  # 1 → 2
    _pass_step(page, "The queue is the problem")  # 2 → 3

    # step 3 without a target is refused, with the message next to the form
    page.fill("#note", "Decided")
    page.fill("#decision_text", "Open 100 places")
    page.click("#advance")
    assert page.locator("#advance-form .form-errors").count() == 1

    # upload the values, set the target, then decide
    page.goto(f"/initiatives/{initiative_id}/upload")
    page.set_input_files("#file", files=[{"name": "v.csv", "mimeType": "text/csv", "buffer": CSV.encode()}])
    page.click("#upload-form button[type=submit]")
    page.wait_for_url(re.compile(r"/manage$"))
    with app.app_context():
        indicator = db.session.scalar(
            select(Indicator).where(Indicator.initiative_id == initiative_id, Indicator.code == "KG_QUEUE")
        )
    page.click("#indicator-KG_QUEUE summary")
    page.fill(f"#target{indicator.id}-target_value", "50")
    page.fill(f"#target{indicator.id}-target_period", "2027")
    page.click(f"form[action$='/indicators/{indicator.id}/target'] button")
    page.wait_for_url(re.compile(r"/manage$"))
    _pass_step(page, "Council session held", decision_text="Open 100 places by 2027")  # 3 → 4
    _pass_step(page)  # 4 → 5
    _pass_step(page)  # 5 → 6

    # the stakeholder map: a parents' group first scored low/low (group 3), then re-assessed high/high (group 2)
    page.click("#stakeholders-link")
    page.click("#open-map")
    page.wait_for_url(re.compile(rf"/stakeholders/initiative/{initiative_id}$"))
    page.fill("#name", "Parents of Glubokoye")
    page.select_option("#kind", "group")
    page.fill("#contact_name", "Aigul S.")
    page.click("#stakeholder-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/stakeholders/initiative/{initiative_id}$"))
    with app.app_context():
        entry_id = db.session.scalar(select(MapEntry.id))
    for interest, influence in ((2, 2), (5, 4)):
        page.click(f"#box-{entry_id} summary")
        page.fill(f"#interest-{entry_id}", str(interest))
        page.fill(f"#influence-{entry_id}", str(influence))
        page.click(f"form[action$='/entries/{entry_id}/score'] button")
        page.wait_for_url(re.compile(rf"/stakeholders/initiative/{initiative_id}$"))
    row = page.locator(f"#entry-{entry_id}")
    assert row.get_attribute("data-group") == "2"
    assert page.locator("svg.stakeholder-grid line.grid-move").count() == 1
    assert page.locator(".plan-due").count() == 1

    page.goto(url)
    assert page.locator("#checks .check-passed").count() == 1
    _pass_step(page, "Four groups taken into account")  # 6 → 7
    _pass_step(page)  # 7 → 8
    _pass_step(page)  # 8 → 9
    _pass_step(page)  # 9 → 10
    _pass_step(page, "Reported", report_text="The queue fell from 200 to 160 children.")
    with app.app_context():
        initiative = db.session.get(Initiative, initiative_id)
        assert initiative.finished
        assert initiative.step == 10

    page.goto(f"/initiatives/{initiative_id}")
    assert "160 children" in page.locator("#report").inner_text()
    page.goto(f"/initiatives/{initiative_id}/indicators/{indicator.id}")
    assert page.locator("#territory-view tr.tv-worst").count() == 1
