"""Issue 11: from the initiative page one starts a Delphi study, an idea contest or a council agenda item that comes
back linked. Each target reads ``?linked_type=initiative&linked_id=<id>`` (checked through the link registry),
pre-fills its link and stores it; the initiative page then lists it under "Related" through the registry."""

from __future__ import annotations

import html
from datetime import timedelta

from sqlalchemy import select

from civic import db
from civic.contests.models import Contest
from civic.core.forms import to_local
from civic.councils import services as councils
from civic.councils.models import AgendaItem, Council
from civic.db import utc_now
from civic.delphi.models import DelphiStudy
from civic.identity.models import StateBody
from tests.initiatives.conftest import territory


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _local(days: float) -> str:
    return to_local(utc_now() + timedelta(days=days), "Asia/Almaty").strftime("%Y-%m-%dT%H:%M")


def _council(app, office) -> int:
    with app.app_context():
        council = councils.create_council(
            db.session.get(type(office), office.id),
            councils.CouncilData(
                name_kk="ШҚО қоғамдық кеңесі",
                name_ru="Общественный совет ВКО",
                name_en="East Kazakhstan public council",
                territory=territory("KZ-VOS"),
                category=None,
                mandate="Advises the oblast akimat.",
            ),
        )
        db.session.commit()
        return council.id


def test_the_initiative_page_offers_the_three_start_links(app, client, auth, cast, initiatives):
    initiative_id = initiatives.make(public=True)
    auth.login(cast.owner)
    page = _text(client.get(f"/initiatives/{initiative_id}"))
    query = f"linked_type=initiative&linked_id={initiative_id}"
    assert f"/delphi/new?{query}" in page
    assert f"/contests/new?{query}" in page
    assert f"/councils/agenda/propose?{query}" in page  # the councils endpoint that exists (was a guessed name)
    auth.logout()
    auth.login(cast.resident)  # not on the team: no start links
    assert "/councils/agenda/propose?" not in _text(client.get(f"/initiatives/{initiative_id}"))


def test_a_delphi_study_started_from_the_initiative_comes_back_linked(app, client, auth, cast, initiatives):
    initiative_id = initiatives.make(public=True)
    auth.login(cast.owner)
    form = _text(client.get(f"/delphi/new?linked_type=initiative&linked_id={initiative_id}"))
    assert '<option selected value="initiative">' in form or 'value="initiative" selected' in form
    assert f'value="{initiative_id}"' in form
    response = client.post(
        "/delphi/new",
        data={
            "base_language": "en",
            "title_en": "Kindergarten priorities",
            "link_type": "initiative",
            "link_id": initiative_id,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        study = db.session.scalar(select(DelphiStudy))
        assert (study.linked_object_type, study.linked_object_id) == ("initiative", initiative_id)
        study_id = study.id
    related = _text(client.get(f"/initiatives/{initiative_id}"))
    assert "Kindergarten priorities" in related
    assert f"/delphi/{study_id}/manage" in related
    auth.logout()
    auth.login(cast.resident)  # the study is not published: only its organiser sees it among the related items
    assert "Kindergarten priorities" not in _text(client.get(f"/initiatives/{initiative_id}"))


def test_a_contest_started_from_the_initiative_comes_back_linked(app, client, auth, cast, initiatives):
    initiative_id = initiatives.make(public=True)
    auth.login(cast.owner)
    form = _text(client.get(f"/contests/new?linked_type=initiative&linked_id={initiative_id}"))
    assert 'value="initiative" selected' in form or '<option selected value="initiative">' in form
    with app.app_context():
        vos = territory("KZ-VOS").id
        body = db.session.scalar(select(StateBody.id).where(StateBody.code == "KZ-VOS.AKIMAT"))
    data = {
        "title": "Ideas for kindergarten places",
        "text": "How to open more places in rural districts.",
        "territory": str(vos),
        "body": str(body),
        "category": "0",
        "reward_kind": "recognition",
        "reward_text": "",
        "rules": "",
        "votes_per_voter": "3",
        "submission_opens_at": _local(-0.1),
        "submission_closes_at": _local(5),
        "voting_opens_at": _local(6),
        "voting_closes_at": _local(10),
        "results_at": _local(15),
        "implementation_at": _local(30),
        "link_type": "initiative",
        "link_id": str(initiative_id),
    }
    response = client.post("/contests/new", data=data)
    assert response.status_code == 303, _text(response)
    with app.app_context():
        contest = db.session.scalar(select(Contest))
        assert (contest.linked_object_type, contest.linked_object_id) == ("initiative", initiative_id)
        contest_id = contest.id
    page = _text(client.get(f"/initiatives/{initiative_id}"))
    assert "Ideas for kindergarten places" in page
    assert f"/contests/{contest_id}" in page
    detail = _text(client.get(f"/contests/{contest_id}"))
    assert "Kindergarten places in East Kazakhstan" in detail  # the contest names what it answers
    auth.logout()
    auth.login(cast.resident)  # a draft contest is its organisers' business
    assert "Ideas for kindergarten places" not in _text(client.get(f"/initiatives/{initiative_id}"))


def test_a_council_agenda_item_proposed_from_the_initiative_comes_back_linked(
    app, client, auth, cast, initiatives, make_user
):
    initiative_id = initiatives.make(public=True)
    office = make_user(roles=[("council_office", "KZ-VOS", None)], display_name="Council Office")
    council_id = _council(app, office)
    auth.login(office)
    form = _text(client.get(f"/councils/agenda/propose?linked_type=initiative&linked_id={initiative_id}"))
    assert "Kindergarten places in East Kazakhstan" in form  # the title is pre-filled from the registry
    assert f'value="{initiative_id}"' in form
    response = client.post(
        "/councils/agenda/propose",
        data={
            "council": council_id,
            "kind": "initiative",
            "title": "Kindergarten places in East Kazakhstan",
            "text": "",
            "linked_id": initiative_id,
            "is_open": "y",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/councils/{council_id}/manage")
    with app.app_context():
        item = db.session.scalar(select(AgendaItem))
        assert (item.council_id, item.meeting_id) == (council_id, None)
        assert (item.linked_type, item.linked_id) == ("initiative", initiative_id)
    page = _text(client.get(f"/initiatives/{initiative_id}"))
    assert "East Kazakhstan public council: Kindergarten places in East Kazakhstan" in page
    auth.logout()
    auth.login(cast.resident)  # a pending item is the council's business until it is on an announced agenda
    assert "East Kazakhstan public council:" not in _text(client.get(f"/initiatives/{initiative_id}"))
    with app.app_context():
        assert db.session.get(Council, council_id) is not None


def test_a_hidden_or_unknown_object_is_ignored_with_a_message(app, client, auth, cast, initiatives):
    hidden_id = initiatives.make(public=False)
    auth.login(cast.other_official)  # organises studies and contests, but is not on the hidden initiative's team
    for path in ("/delphi/new", "/contests/new"):
        for query in (
            f"linked_type=initiative&linked_id={hidden_id}",
            "linked_type=nonsense&linked_id=1",
            "linked_type=initiative&linked_id=abc",
        ):
            response = client.get(f"{path}?{query}")
            assert response.status_code == 200
            page = _text(response)
            assert "The object to link to was not found or is not visible to you" in page
            assert 'value="initiative" selected' not in page
            assert '<option selected value="initiative">' not in page
    # without the parameters, no message
    assert "The object to link to" not in _text(client.get("/delphi/new"))
