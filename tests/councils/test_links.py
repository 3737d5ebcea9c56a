"""Councils' links to the rest of the platform: proposing an agenda item for a council's next meeting from another
module's page, "make a Delphi panel of this council" on the meeting page, proposing an expert as a member, and the
council defaults read from the environment."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from civic import db
from civic.config import from_environment
from civic.core import links
from civic.councils import services
from civic.councils.models import AgendaItem, Council, Expert, Seat
from civic.delphi import services as delphi
from civic.identity.models import Territory
from tests.councils.conftest import user
from tests.councils.test_permissions import ROLES, RUNNERS, _staff


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _items(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AgendaItem))


@pytest.mark.parametrize("role", ROLES)
def test_propose_item_page_and_post_by_role(app, client, auth, cast, councils, role):
    council_id = councils.make()
    auth.login_as(cast, role)
    assert client.get("/councils/agenda/propose").status_code == _staff(RUNNERS, role)
    before = _items(app)
    response = client.post(
        "/councils/agenda/propose",
        data={"council": council_id, "kind": "free_text", "title": "Tariffs", "is_open": "y"},
    )
    assert response.status_code == _staff(RUNNERS, role, ok=303)
    assert _items(app) == before + (1 if role in RUNNERS else 0)


def test_propose_item_checks_the_link_and_the_council(app, client, auth, cast, councils, make_user):
    council_id = councils.make()
    with app.app_context():  # the Almaty office does not run an Astana council
        other = services.create_council(
            user(cast.admin),
            services.CouncilData(
                name_kk="Астана",
                name_ru="Астана",
                name_en="Astana council",
                territory=db.session.scalar(select(Territory).where(Territory.code == "KZ-AST")),
                category=None,
                mandate="",
            ),
        ).id
        db.session.commit()
    auth.login(cast.office)
    page = _text(client.get("/councils/agenda/propose"))
    assert "Almaty energy council" in page
    before = _items(app)
    # a petition that does not exist: a clear message, nothing written
    response = client.post(
        "/councils/agenda/propose",
        data={"council": council_id, "kind": "petition", "title": "Heating", "linked_id": 999, "is_open": "y"},
    )
    assert response.status_code == 400
    assert "No Petition with this number was found" in _text(response)
    # a council one does not run is not a choice
    response = client.post(
        "/councils/agenda/propose", data={"council": other, "kind": "free_text", "title": "X", "is_open": "y"}
    )
    assert response.status_code == 400
    assert _items(app) == before
    # a kind of object an agenda item cannot hold (a council) is ignored with a message
    page = _text(client.get(f"/councils/agenda/propose?linked_type=council&linked_id={council_id}"))
    assert "A council agenda item cannot be linked to this kind of object." in page
    # the council may be preselected
    page = _text(client.get(f"/councils/agenda/propose?council_id={council_id}"))
    assert f'<option selected value="{council_id}">' in page or f'value="{council_id}" selected' in page


def test_pending_items_show_as_related_only_to_those_who_run_the_council(app, cast, councils):
    council_id = councils.make()
    meeting_id = councils.meeting(council_id)
    with app.app_context():
        council = db.session.get(Council, council_id)
        services.add_item(council, user(cast.secretary), services.ItemData("free_text", "Heating plan", "", None))
        item = db.session.scalar(select(AgendaItem).where(AgendaItem.title == "Heating plan"))
        item.linked_type, item.linked_id = "council_meeting", meeting_id  # any linked object will do
        db.session.commit()
    with app.test_request_context():
        seen = links.related("council_meeting", meeting_id, user(cast.secretary))
        assert [link.text for link in seen] == ["Almaty energy council: Heating plan"]
        assert seen[0].url.endswith(f"/councils/{council_id}/manage")
        assert links.related("council_meeting", meeting_id, user(cast.resident)) == []


def test_meeting_page_makes_a_delphi_panel_of_the_council(app, client, auth, cast, councils):
    council_id = councils.make()
    meeting_id = councils.meeting(council_id)
    auth.login(cast.secretary)  # a sitting secretary holds council_member, so organises Delphi studies
    page = _text(client.get(f"/councils/meetings/{meeting_id}/manage"))
    assert 'id="delphi-panel"' in page
    assert f"/delphi/new?linked_type=council_meeting&linked_id={meeting_id}" in page
    with app.app_context():
        study = delphi.create_study(
            user(cast.secretary),
            delphi.StudyData(
                titles={"en": "Heating options"},
                contexts={},
                base_language="en",
                link_type="council_meeting",
                link_id=meeting_id,
            ),
        )
        db.session.commit()
        study_id = study.id
    page = _text(client.get(f"/councils/meetings/{meeting_id}/manage"))
    target = f"/delphi/{study_id}/panel?source=council:{council_id}#panel-from-source"
    assert target in page
    assert "Make a Delphi panel of this council" in page
    panel = _text(client.get(target.split("#")[0]))
    assert f'<option value="council:{council_id}" selected>' in panel
    # the one click: the council's five members and its expert join the panel
    response = client.post(f"/delphi/{study_id}/panel/from-source", data={"source": f"council:{council_id}"})
    assert response.status_code == 302
    with app.app_context():
        from civic.delphi.models import DelphiInvitation, DelphiPanelist

        joined = db.session.scalar(
            select(func.count()).select_from(DelphiPanelist).where(DelphiPanelist.study_id == study_id)
        )
        invited = db.session.scalar(
            select(func.count()).select_from(DelphiInvitation).where(DelphiInvitation.study_id == study_id)
        )
        assert joined + invited == 6


def test_an_expert_can_be_proposed_as_a_member(app, client, auth, cast, councils):
    council_id = councils.make()
    with app.app_context():
        expert_id = db.session.scalar(select(Expert.id).where(Expert.council_id == council_id))
    auth.login(cast.office)
    page = _text(client.get(f"/councils/{council_id}/manage"))
    shortcut = f"/councils/{council_id}/manage?member_from_expert={expert_id}#appoint"
    assert shortcut in page
    assert 'class="propose-member"' in page
    page = _text(client.get(shortcut.split("#")[0]))
    assert '<details id="appoint" open>' in page
    assert f'value="{cast.expert.email}"' in page
    assert '<option selected value="member">' in page or 'value="member" selected' in page
    with app.app_context():  # nothing was written by the GET
        assert not db.session.scalar(select(Seat).where(Seat.user_id == cast.expert.id))
    auth.logout()
    auth.login(cast.secretary)  # runs the council but does not appoint: no shortcut, no pre-filled form
    page = _text(client.get(f"/councils/{council_id}/manage?member_from_expert={expert_id}"))
    assert 'class="propose-member"' not in page
    assert '<details id="appoint"' not in page


def test_council_defaults_come_from_the_environment(app):
    found = from_environment(
        {"CIVIC_COUNCILS_NOTICE_DAYS": "10", "COUNCILS_QUORUM_PERCENT": "60", "COUNCILS_EXPERT_HOURS": "30"}
    )
    assert found == {"COUNCILS_NOTICE_DAYS": 10, "COUNCILS_QUORUM_PERCENT": 60, "COUNCILS_EXPERT_HOURS": 30}
    with app.app_context():
        assert services.default_notice_days() == 7
        app.config["COUNCILS_NOTICE_DAYS"] = 10
        try:
            assert services.default_notice_days() == 10
        finally:
            app.config["COUNCILS_NOTICE_DAYS"] = 7
