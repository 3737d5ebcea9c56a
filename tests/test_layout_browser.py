"""On a 375 px phone, in Kazakh and Russian, no page is wider than the screen: the header folds into a menu, wide
tables scroll inside their own container, filters wrap. Signed in as a resident, a moderator, a bureau consultant
and the organiser of a Delphi study with published results.

Set ``CIVIC_SCREENSHOTS=/some/dir`` to keep a full-page screenshot of every page visited."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import update

from civic import db
from civic.identity.models import User
from tests.bureau.conftest import Cases, _bureau_uploads, cast, client_language  # noqa: F401  (fixtures used by this module)
from tests.delphi.conftest import World as DelphiWorld
from tests.delphi.conftest import converging_values
from tests.factories import browser_session
from tests.petitions.conftest import World as PetitionWorld

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
LONG_TITLE = (
    "Построить надземный пешеходный переход через проспект Абая у школы-гимназии номер 12 и установить светофор"
)


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture
def scene(app, make_user, directory, cast):  # noqa: F811  (cast: the bureau fixture imported above)
    """Petitions open in Almaty, a Delphi study with a published round, a case in the bureau's queue."""
    petitions = PetitionWorld(app=app, make_user=make_user, directory=directory).populate(moderator="Модератор")
    petition_id = petitions.petition(title=LONG_TITLE)
    petitions.petition(title="Озеленить двор дома 5 по улице Толе би")

    delphi = DelphiWorld(app, make_user=make_user)
    organiser = delphi.organiser(home="KZ-ALA-ALM")
    panel = delphi.panel(6)
    study_id = delphi.study(organiser, panel=panel)
    delphi.open(study_id, organiser)
    for index, member in enumerate(panel):
        delphi.answer(
            study_id,
            1,
            member,
            converging_values(index, 1),
            why={"Q1": "Потому что очередь слишком длинная для всех семей."},
        )
    delphi.close(study_id, 1, organiser)
    delphi.publish(study_id, 1, organiser)

    cases = Cases(app, cast)
    cases.make("new")
    cases.make("in_progress")
    return {
        "petition": petition_id,
        "study": study_id,
        "resident": petitions.author,
        "moderator": petitions.moderator,
        "consultant": cast.consultant,
        "organiser": organiser,
        "panelist": panel[0],
    }


def test_no_page_is_wider_than_a_phone(app, page, scene):
    shots = os.environ.get("CIVIC_SCREENSHOTS")
    petition, study = scene["petition"], scene["study"]
    visits = {
        "resident": [
            "/",
            "/petitions/",
            f"/petitions/{petition}",
            "/petitions/mine",
            "/delphi/",
            "/bureau/",
            "/account",
        ],
        "moderator": ["/petitions/moderation", "/petitions/"],
        "consultant": ["/bureau/queue", "/bureau/queue?view=intake", "/bureau/my"],
        "organiser": [
            f"/delphi/{study}/manage",
            f"/delphi/{study}/results",
            f"/delphi/{study}/rounds/1/feedback",
            f"/delphi/{study}/rounds/1/justifications",
        ],
        "panelist": [f"/delphi/{study}/rounds/1/feedback", f"/delphi/{study}"],
    }
    page.set_viewport_size(PHONE)
    too_wide, failed = [], []
    # one scene, two languages on purpose (building the scene twice would double the test's time): the profiles
    # are switched in place here instead of through the ``language`` fixture
    for language in ("kk", "ru"):
        with app.app_context():
            db.session.execute(update(User).values(preferred_locale=language))
            db.session.commit()
        for role, paths in visits.items():
            browser_session(page, app, scene[role])
            for path in paths:
                response = page.goto(page.base_url + path)
                if response.status != 200:
                    failed.append((language, role, path, response.status))
                    continue
                assert page.locator("html").get_attribute("lang") == language
                if shots:
                    name = f"{language}-{role}-{path.strip('/').replace('/', '_').replace('?', '_') or 'home'}.png"
                    page.screenshot(path=str(Path(shots) / name), full_page=True)
                overflow = _overflow(page)
                if overflow > 0:
                    too_wide.append((language, role, path, overflow))
    if shots:  # the filters at desktop width, for a look at their labels
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(page.base_url + "/petitions/")
        page.screenshot(path=str(Path(shots) / "ru-desktop-petitions.png"))
    assert (failed, too_wide) == ([], [])


def test_the_menu_folds_on_a_phone_and_opens_with_the_button(app, page, scene):
    page.set_viewport_size(PHONE)
    browser_session(page, app, scene["resident"])
    page.goto(page.base_url + "/")
    toggle = page.locator("header .menu-toggle")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator("#site-menu").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    _open_group_of(page, "/petitions/")
    assert page.locator("#site-menu a[href='/petitions/']").is_visible()
    assert _overflow(page) <= 0
    if os.environ.get("CIVIC_SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["CIVIC_SCREENSHOTS"]) / "kk-menu-open.png"))
    if page.locator("#site-menu details[open]").count():
        page.keyboard.press("Escape")  # Escape closes the open group first (static/js/nav.js), then the menu
        assert toggle.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"

    page.set_viewport_size({"width": 1280, "height": 800})
    assert not toggle.is_visible()
    _open_group_of(page, "/petitions/")
    assert page.locator("#site-menu a[href='/petitions/']").is_visible()


def _open_group_of(page, href: str) -> None:
    """A module sharing its navigation group with others sits in the group's dropdown: open it (if closed)."""
    group = page.locator(f"#site-menu details:has(a[href='{href}'])")
    if group.count() and group.get_attribute("open") is None:
        group.locator("summary").click()


def test_wide_tables_scroll_in_a_focusable_region(app, page, scene):
    page.set_viewport_size(PHONE)
    browser_session(page, app, scene["organiser"])
    page.goto(page.base_url + f"/delphi/{scene['study']}/results")
    regions = page.locator(".table-scroll[tabindex='0'][role=region]")
    assert regions.count() >= 1
    assert regions.first.get_attribute("aria-label")
    regions.first.focus()
    assert page.evaluate("document.activeElement.classList.contains('table-scroll')")
