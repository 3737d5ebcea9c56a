"""Reordering items before round 1, and Fleiss' kappa on the results page."""

from __future__ import annotations

import html
import math
import re

import pytest
from sqlalchemy import select

from civic import db
from civic.core.errors import InvalidTransition
from civic.delphi.models import DelphiItem, DelphiStudy
from civic.delphi.services.items import move_item
from civic.identity.models import AuditEvent
from tests.factories import AuthActions


def _order(app, study_id: int) -> list[str]:
    with app.app_context():
        items = db.session.scalars(
            select(DelphiItem).where(DelphiItem.study_id == study_id).order_by(DelphiItem.position)
        ).all()
        return [item.code for item in items]


def _item_id(app, study_id: int, code: str) -> int:
    with app.app_context():
        return db.session.scalars(select(DelphiItem.id).filter_by(study_id=study_id, code=code)).one()


# --- reordering: the service ---------------------------------------------------------------------------------------


def test_move_item_swaps_neighbours_and_stops_at_the_ends(app, world):
    organiser = world.organiser()
    study_id = world.study(organiser)  # Q1 likert, Q2 numeric, Q3 yes/no

    def move(code: str, direction: str) -> bool:
        def _move(study):
            item = next(i for i in study.items if i.code == code)
            return move_item(item, world.actor(organiser), direction)

        return world.run(_move, study_id=study_id)

    assert move("Q3", "up") is True
    assert _order(app, study_id) == ["Q1", "Q3", "Q2"]
    assert move("Q1", "down") is True
    assert _order(app, study_id) == ["Q3", "Q1", "Q2"]
    assert move("Q3", "up") is False  # already first: nothing changes
    assert move("Q2", "down") is False  # already last
    assert _order(app, study_id) == ["Q3", "Q1", "Q2"]
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).filter_by(action="delphi.move_item").order_by(AuditEvent.id)
        ).all()
        assert [e.after["order"] for e in events] == [["Q1", "Q3", "Q2"], ["Q3", "Q1", "Q2"]]
        assert {e.actor_id for e in events} == {organiser.id}


def test_move_item_repairs_tied_positions(app, world):
    organiser = world.organiser()
    study_id = world.study(organiser)
    with app.app_context():
        for item in db.session.get(DelphiStudy, study_id).items:
            item.position = 0  # rows from before positions were kept: all tied
        db.session.commit()

    def _move(study):
        item = next(i for i in study.items if i.code == "Q2")
        return move_item(item, world.actor(organiser), "down")

    assert world.run(_move, study_id=study_id) is True
    assert _order(app, study_id) == ["Q1", "Q3", "Q2"]
    with app.app_context():
        positions = sorted(i.position for i in db.session.get(DelphiStudy, study_id).items)
        assert positions == [1, 2, 3]


def test_move_item_is_refused_once_round_one_has_opened(app, world):
    organiser, panel = world.organiser(), world.panel(5)
    study_id = world.study(organiser, panel=panel)
    world.open(study_id, organiser)

    def _move(study):
        return move_item(study.items[1], world.actor(organiser), "up")

    with pytest.raises(InvalidTransition, match="fixed once round 1 has opened"):
        world.run(_move, study_id=study_id)
    assert _order(app, study_id) == ["Q1", "Q2", "Q3"]


def test_move_item_is_allowed_during_the_proposals_round(app, world):
    organiser, panel = world.organiser(), world.panel(5)
    study_id = world.study(organiser, panel=panel)
    assert world.open(study_id, organiser, proposals=True) == 0

    def _move(study):
        return move_item(study.items[2], world.actor(organiser), "up")

    assert world.run(_move, study_id=study_id) is True
    assert _order(app, study_id) == ["Q1", "Q3", "Q2"]


# --- reordering: the pages -----------------------------------------------------------------------------------------


def test_organiser_reorders_items_on_the_dashboard(app, client, auth, world):
    organiser = world.organiser()
    study_id = world.study(organiser)
    q3 = _item_id(app, study_id, "Q3")
    auth.login(organiser)
    page = client.get(f"/delphi/{study_id}/manage").get_data(as_text=True)
    assert f"/delphi/{study_id}/items/{q3}/move/up" in page
    assert f"/delphi/{study_id}/items/{q3}/move/down" not in page  # the last item cannot go down
    response = client.post(f"/delphi/{study_id}/items/{q3}/move/up")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/delphi/{study_id}/manage#items")
    assert _order(app, study_id) == ["Q1", "Q3", "Q2"]
    page = client.get(f"/delphi/{study_id}/manage").get_data(as_text=True)
    assert "Item Q3 is moved." in page
    assert page.index("Publish the queue online?") < page.index("Places to add next year")
    assert client.post(f"/delphi/{study_id}/items/{q3}/move/sideways").status_code == 404


def test_reordering_needs_the_organiser_and_a_csrf_token(app, client, plain_client, auth, world, make_user):
    organiser = world.organiser()
    study_id = world.study(organiser)
    q2 = _item_id(app, study_id, "Q2")
    path = f"/delphi/{study_id}/items/{q2}/move/up"
    assert client.post(path).status_code == 302  # anonymous: to the login page
    auth.login(world.organiser())  # organises other studies, not this one
    assert client.post(path).status_code == 403
    AuthActions(plain_client).login(organiser)
    assert plain_client.post(path).status_code == 400  # no CSRF token
    assert _order(app, study_id) == ["Q1", "Q2", "Q3"]


def test_reordering_is_refused_after_round_one_opens(app, client, auth, world):
    organiser, panel = world.organiser(), world.panel(5)
    study_id = world.study(organiser, panel=panel)
    world.open(study_id, organiser)
    q2 = _item_id(app, study_id, "Q2")
    auth.login(organiser)
    page = client.get(f"/delphi/{study_id}/manage").get_data(as_text=True)
    assert "/move/" not in page
    response = client.post(f"/delphi/{study_id}/items/{q2}/move/up")
    assert response.status_code == 409
    assert "fixed once round 1 has opened" in response.get_data(as_text=True)
    assert _order(app, study_id) == ["Q1", "Q2", "Q3"]


# --- Fleiss' kappa on the results page -----------------------------------------------------------------------------


def _kappa_study(world, answers: list[tuple[str, str]]) -> tuple[int, object]:
    """Two yes/no items answered by len(answers) of at least 5 panelists in round 1, which is then closed."""
    organiser, panel = world.organiser(), world.panel(max(len(answers), 5))
    study_id = world.study(organiser, kinds=("yes_no", "yes_no"), panel=panel)
    world.open(study_id, organiser)
    for user, (q1, q2) in zip(panel, answers, strict=False):
        world.answer(study_id, 1, user, {"Q1": q1, "Q2": q2})
    world.close(study_id, 1, organiser)
    return study_id, organiser


def test_results_page_shows_fleiss_kappa_with_its_meaning(client, auth, world):
    # Q1: five yes, one no; Q2: five no, one yes. P_i = (1 + 25 - 6) / 30 = 2/3, p_no = p_yes = 1/2, so
    # kappa = (2/3 - 1/2) / (1 - 1/2) = 1/3 ("fair"). Var = 2/(2*6*5) * (1/2 - 9/4 + 8/4) / (1/4) = 1/30.
    answers = [("yes", "no")] * 5 + [("no", "yes")]
    study_id, organiser = _kappa_study(world, answers)
    auth.login(organiser)
    page = html.unescape(client.get(f"/delphi/{study_id}/results").get_data(as_text=True))
    section = page[page.index('id="fleiss-kappa"') :]
    section = section[: section.index("</section>")]
    assert "Fleiss' kappa per round" in section
    assert "beyond what chance alone would give" in section
    cells = [cell.strip() for cell in re.findall(r"<td>(.*?)</td>", section, re.S)]
    z = (1 / 3) / math.sqrt(1 / 30)
    assert cells == ["1", "2 yes/no items", "6", "0.333", "fair", f"{math.erfc(z / 2**0.5):.4f}"]


def test_fleiss_kappa_is_hidden_below_the_minimum(client, auth, world):
    study_id, organiser = _kappa_study(world, [("yes", "no")] * 3 + [("no", "yes")])  # 4 < n_min = 5
    auth.login(organiser)
    page = html.unescape(client.get(f"/delphi/{study_id}/results").get_data(as_text=True))
    section = page[page.index('id="fleiss-kappa"') :]
    assert "fewer than the minimum" in section[: section.index("</section>")]
    assert "0.333" not in section


def test_no_kappa_section_for_a_single_yes_no_item(client, auth, world):
    organiser, panel = world.organiser(), world.panel(6)
    study_id = world.study(organiser, kinds=("likert", "yes_no"), panel=panel)
    world.open(study_id, organiser)
    for index, user in enumerate(panel):
        world.answer(study_id, 1, user, {"Q1": "4", "Q2": "yes" if index % 3 else "no"})
    world.close(study_id, 1, organiser)
    auth.login(organiser)
    page = client.get(f"/delphi/{study_id}/results").get_data(as_text=True)
    assert page.count("<table") >= 1
    assert 'id="fleiss-kappa"' not in page
