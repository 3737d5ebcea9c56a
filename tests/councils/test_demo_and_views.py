"""The demo councils, the home feed, the public pages' content, the iCalendar feed, the CLI jobs and the real petition
path (a tally over the hearing threshold puts the petition on the council's agenda)."""

from __future__ import annotations

import random
from datetime import timedelta

import numpy as np
from sqlalchemy import func, select

from civic import db
from civic.councils.models import (
    AgendaItem,
    Booking,
    Council,
    Meeting,
    MinutesState,
    Recommendation,
    Seat,
    Subscription,
    VolunteerCall,
)
from civic.db import utc_now
from civic.demo import DemoContext
from civic.modules import submodule
from tests.councils.conftest import user


def _seed(app) -> None:
    with app.app_context():
        context = DemoContext(rng=random.Random(3), np_rng=np.random.default_rng(3), echo=lambda _line: None)
        for module in ("identity", "councils"):
            submodule(module, "demo").seed_demo(context)
        db.session.commit()


def test_demo_councils(app, directory, client):
    _seed(app)
    with app.app_context():
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert count(Council) == 4
        assert count(Seat) >= 16
        assert count(Booking) >= 4
        assert db.session.scalar(select(func.sum(Subscription.used_hours))) > 0
        statuses = sorted(r.status() for r in db.session.scalars(select(Recommendation)))
        assert statuses == ["answered_late", "answered_on_time", "awaiting", "overdue"]
        assert db.session.scalar(select(func.count()).where(Meeting.minutes_state == MinutesState.PUBLISHED)) == 1
        assert count(VolunteerCall) == 1
        almaty = db.session.scalar(select(Council).where(Council.name_en == "Almaty City Public Council"))
    page = client.get(f"/councils/{almaty.id}").get_data(as_text=True)
    assert "Almaty City Public Council" in page
    tracker = client.get("/councils/recommendations?status=overdue").get_data(as_text=True)
    assert "Answer overdue" in tracker
    home = client.get("/").get_data(as_text=True)
    assert "Жылу тарифтері" in home  # the energy council's upcoming meeting in the home feed


def test_ics_feed_lists_announced_meetings(app, cast, councils, client):
    council_id = councils.make()
    councils.meeting(council_id)
    councils.meeting(council_id, announce=False)
    response = client.get(f"/councils/{council_id}/meetings.ics")
    body = response.get_data(as_text=True)
    assert response.mimetype == "text/calendar"
    assert body.count("BEGIN:VEVENT") == 1
    assert "SUMMARY:Heating season" in body


def test_published_minutes_show_attendance_declarations_votes_and_hours(app, cast, councils, client):
    council_id = councils.make()
    meeting_id = councils.meeting(council_id, started=True)
    from civic.councils import services
    from civic.councils.models import Expert

    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        secretary = user(cast.secretary)
        members = [s.user_id for s in services.sitting_seats(meeting.council)]
        services.set_attendance(meeting, secretary, members, [cast.expert.id])
        services.declare(meeting.items[0], user(cast.member2), "Shareholder of the supplier")
        rec = services.propose(meeting.items[0], secretary, "Audit the supplier")
        services.record_votes(rec, secretary, {m: "against" for m in members if m != cast.member2.id})
        expert = db.session.scalar(select(Expert))
        services.book_hours(expert, secretary, "meeting", 2.5, meeting)
        services.save_minutes(meeting, secretary, "Хаттама", "Протокол", "Minutes text")
        services.approve_minutes(meeting, secretary)
        db.session.commit()
    before = client.get(f"/councils/meetings/{meeting_id}").get_data(as_text=True)
    assert "Minutes text" not in before
    with app.app_context():
        services.publish_minutes(db.session.get(Meeting, meeting_id), user(cast.secretary))
        db.session.commit()
    page = client.get(f"/councils/meetings/{meeting_id}").get_data(as_text=True)
    assert "Minutes text" in page
    assert "Shareholder of the supplier" in page
    assert "Member One: Against" in page
    assert "Expert Expertova: 2.5" in page
    assert "5 of 5 members present" in page


def test_bad_input_pages_answer_4xx_with_a_message(app, cast, councils, client, auth):
    council_id = councils.make()
    meeting_id = councils.meeting(council_id, announce=False)
    auth.login(cast.secretary)
    response = client.post(
        f"/councils/meetings/{meeting_id}/items",
        data={"item-kind": "free_text", "item-title": "Secret", "item-closed_reason": ""},
    )
    assert response.status_code == 400
    assert "recorded legal reason" in response.get_data(as_text=True)
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.starts_at = utc_now() + timedelta(days=3)
        db.session.commit()
    response = client.post(f"/councils/meetings/{meeting_id}/announce", data={})
    assert response.status_code == 400
    assert "at least 7 days" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AgendaItem)) == 1


def test_cli_jobs(app, cast, councils, runner):
    council_id = councils.make()
    rec_id = councils.adopted(council_id)
    with app.app_context():
        rec = db.session.get(Recommendation, rec_id)
        rec.due_at = utc_now() - timedelta(days=1)
        db.session.commit()
    result = runner.invoke(args=["councils", "notify-overdue"])
    assert "1 overdue recommendations notified." in result.output
    result = runner.invoke(args=["councils", "end-terms"])
    assert "0 seats ended" in result.output


def make_open_petition(app, make_user, directory, extra: int = 2) -> tuple[object, int]:
    """An open Almaly petition through petitions' own test world (tests only: the module code never imports it)."""
    from tests.petitions.conftest import World

    world = World(app=app, make_user=make_user, directory=directory).populate(author="Petition Author")
    petition_id = world.petition("open", category="energy", title="Repair the heating main on Abay Avenue")
    hearing = world.count(petition_id) + extra  # the supporters already signed: ``extra`` more signatures to go
    world.set_thresholds(petition_id, response=hearing + 5, hearing=hearing)
    return world, petition_id


def test_a_petition_over_its_hearing_threshold_reaches_the_council(app, cast, councils, make_user, directory):
    councils.make(sector=None)
    world, petition_id = make_open_petition(app, make_user, directory)
    for _ in range(2):
        world.sign(petition_id, world.user())
    world.tally(petition_id)
    with app.app_context():
        item = db.session.scalar(select(AgendaItem))
        assert (item.linked_type, item.linked_id, item.meeting_id) == ("petition", petition_id, None)
        assert item.title == "Repair the heating main on Abay Avenue"


def test_one_click_turns_the_council_into_a_delphi_panel(app, cast, councils, client, auth):
    """Delphi's panel page reads councils' panel source (``civic.core.panels``) without importing councils."""
    from civic.delphi import services as delphi
    from civic.delphi.models import DelphiInvitation, DelphiPanelist

    council_id = councils.make()
    with app.app_context():
        study = delphi.create_study(
            user(cast.secretary),
            delphi.StudyData(titles={"kk": "Жылу", "ru": "Тепло"}, contexts={}, base_language="kk"),
        )
        db.session.commit()
        study_id = study.id
    auth.login(cast.secretary)
    page = client.get(f"/delphi/{study_id}/panel").get_data(as_text=True)
    assert f'value="council:{council_id}"' in page
    response = client.post(f"/delphi/{study_id}/panel/from-source", data={"source": f"council:{council_id}"})
    assert response.status_code == 302
    assert client.post(f"/delphi/{study_id}/panel/from-source", data={"source": "nothing:1"}).status_code == 400
    with app.app_context():
        panel = set(db.session.scalars(select(DelphiPanelist.user_id).where(DelphiPanelist.study_id == study_id)))
        assert panel == {cast.chair.id, cast.secretary.id, cast.member1.id, cast.member2.id, cast.member3.id}
        invited = db.session.scalars(select(DelphiInvitation.email).where(DelphiInvitation.study_id == study_id)).all()
        assert invited == [cast.expert.email]


def test_a_member_declares_from_the_meeting_page(app, cast, councils, client, auth):
    council_id = councils.make()
    meeting_id = councils.meeting(council_id)
    with app.app_context():
        item_id = db.session.get(Meeting, meeting_id).items[0].id
    auth.login(cast.member1)
    empty = client.post(f"/councils/items/{item_id}/declare", data={"member": cast.member1.id, "text": ""})
    assert empty.status_code == 400
    assert "council-error" in empty.get_data(as_text=True)
    other = client.post(f"/councils/items/{item_id}/declare", data={"member": cast.member2.id, "text": "For him"})
    assert other.status_code == 403
    ok = client.post(f"/councils/items/{item_id}/declare", data={"member": cast.member1.id, "text": "My company bids"})
    assert ok.status_code == 303
    page = client.get(f"/councils/meetings/{meeting_id}").get_data(as_text=True)
    assert "My company bids" in page
