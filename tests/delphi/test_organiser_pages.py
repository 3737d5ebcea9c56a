"""The organiser's pages: a deadline typed in Almaty time stays what was typed, the set-up as ordered steps with
what is missing, the panel picker (who is who, filtered by role and council), and the confirmation steps of what
cannot be undone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from civic import db
from civic.db import utc_now
from civic.delphi.models import DelphiStudy, RoundStatus, StudyStatus
from tests.delphi.conftest import converging_values


def _local_18h(days: int) -> tuple[str, datetime]:
    """18:00 Almaty time ``days`` from today, as typed in the form and as the UTC instant it means (UTC+5)."""
    day = (utc_now() + timedelta(days=days)).date()
    return f"{day.isoformat()}T18:00", datetime(day.year, day.month, day.day, 13, 0, tzinfo=UTC)


def _study(app, study_id) -> DelphiStudy:
    return db.session.get(DelphiStudy, study_id)


def test_a_deadline_typed_as_18_00_is_stored_as_13_00_utc_and_shown_back_as_18_00(app, client, auth, world):
    organiser = world.organiser()
    study_id = world.study(organiser, panel=world.panel(5))
    auth.login(organiser)
    typed, instant = _local_18h(7)
    assert client.post(f"/delphi/{study_id}/rounds/open", data={"deadline": typed}).status_code == 302
    with app.app_context():
        assert _study(app, study_id).round(1).deadline == instant
    page = client.get(f"/delphi/{study_id}/manage").get_data(as_text=True)
    assert f'value="{typed}"' in page  # the extend form starts from the current deadline, in Almaty time
    assert "6:00\u202fPM" in page or "6:00 PM" in page  # and the page says 18:00, not 17:52
    later, later_instant = _local_18h(9)
    assert client.post(f"/delphi/{study_id}/rounds/1/extend", data={"deadline": later}).status_code == 302
    with app.app_context():
        assert _study(app, study_id).round(1).deadline == later_instant


def test_a_deadline_that_is_not_a_date_is_refused(app, client, auth, world):
    organiser = world.organiser()
    study_id = world.study(organiser, panel=world.panel(5))
    auth.login(organiser)
    response = client.post(f"/delphi/{study_id}/rounds/open", data={"deadline": "next Friday"})
    assert response.status_code == 400
    assert "Choose a valid deadline." in response.get_data(as_text=True)
    with app.app_context():
        assert _study(app, study_id).rounds == []


def _positions(page: str, *markers: str) -> list[int]:
    return [page.index(marker) for marker in markers]


def test_the_set_up_is_shown_as_ordered_steps_with_what_is_missing(app, client, auth, world):
    organiser = world.organiser()
    study_id = world.study(organiser, kinds=())
    auth.login(organiser)
    page = client.get(f"/delphi/{study_id}/manage").get_data(as_text=True)
    steps = page[page.index('id="steps-heading"') :]
    steps = steps[: steps.index("</ol>")]
    assert steps.index("#items") < steps.index("#panel") < steps.index("#rules") < steps.index("#rounds")
    assert "add at least 1 item" in steps
    assert "invite at least 5 panelists (5 more)" in steps
    # the sections follow the same order: items and panel come before opening round 1
    assert _positions(page, "1. Items", "2. Panel", "3. Consensus and stopping rules", "4. Open round 1") == sorted(
        _positions(page, "1. Items", "2. Panel", "3. Consensus and stopping rules", "4. Open round 1")
    )
    assert page.index("1. Items") < page.index(f'action="/delphi/{study_id}/rounds/open"')
    assert "Still missing before round 1:" in page

    study_id_full = world.study(organiser, panel=world.panel(3))
    page = client.get(f"/delphi/{study_id_full}/manage").get_data(as_text=True)
    assert "add at least 1 item" not in page
    assert "invite at least 5 panelists (2 more)" in page


def test_a_running_study_shows_its_rounds_first_and_no_set_up_steps(app, client, auth, world):
    organiser, panel = world.organiser(), world.panel(5)
    study_id = world.study(organiser, panel=panel)
    world.open(study_id, organiser)
    auth.login(organiser)
    page = client.get(f"/delphi/{study_id}/manage").get_data(as_text=True)
    assert 'id="steps-heading"' not in page
    assert page.index('id="rounds-heading"') < page.index('id="items-heading"') < page.index('id="panel-heading"')


def test_the_panel_picker_tells_people_apart_and_filters_by_role_and_council(
    app, client, auth, world, make_user, directory
):
    organiser = world.organiser()
    study_id = world.study(organiser, kinds=())
    make_user(roles=[("council_member", "KZ-ALA-ALM")], display_name="Aigerim Almaly", email="aigerim@example.test")
    make_user(roles=[("council_member", "KZ-AST")], display_name="Aigerim Astana", email="aigerim.ast@example.test")
    make_user(roles=["expert"], display_name="Expert Almaty", home="KZ-ALA-ALM", email="exp@example.test")
    make_user(display_name="Just Resident", home="KZ-ALA-ALM")  # no panel role: never offered
    auth.login(organiser)
    with app.app_context():
        from civic.identity.directory import territory_by_code

        city, district = territory_by_code("KZ-ALA").id, territory_by_code("KZ-ALA-ALM").id

    def names(query: str) -> set[str]:
        page = client.get(f"/delphi/{study_id}/panel{query}").get_data(as_text=True)
        return {name for name in ("Aigerim Almaly", "Aigerim Astana", "Expert Almaty", "Just Resident") if name in page}

    page = client.get(f"/delphi/{study_id}/panel").get_data(as_text=True)
    assert "aigerim@example.test" in page
    assert "aigerim.ast@example.test" in page
    assert re.search(r"Aigerim Almaly · aigerim@example.test · Public council member \(Almaly District\)", page)
    assert names("") == {"Aigerim Almaly", "Aigerim Astana", "Expert Almaty"}
    assert names("?role=expert") == {"Expert Almaty"}
    assert names("?role=council_member") == {"Aigerim Almaly", "Aigerim Astana"}
    assert names(f"?territory={city}") == {"Aigerim Almaly", "Expert Almaty"}  # a district council is in the city
    assert names(f"?territory={district}&role=council_member") == {"Aigerim Almaly"}
    assert names("?q=aigerim.ast") == {"Aigerim Astana"}
    assert names("?role=mayor") == {"Aigerim Almaly", "Aigerim Astana", "Expert Almaty"}  # unknown role: no filter
    assert "Nobody matches these filters." in client.get(f"/delphi/{study_id}/panel?q=nobody-at-all").text


def test_closing_a_round_asks_first_and_says_how_many_answered(app, client, auth, world):
    organiser, panel = world.organiser(), world.panel(5)
    study_id = world.study(organiser, panel=panel)
    world.open(study_id, organiser)
    auth.login(organiser)
    manage = client.get(f"/delphi/{study_id}/manage").get_data(as_text=True)
    assert f'href="/delphi/{study_id}/rounds/1/close"' in manage  # a link to the confirmation, not a POST button
    page = client.get(f"/delphi/{study_id}/rounds/1/close").get_data(as_text=True)
    assert "0 of 5 panelists have submitted their answers." in page
    assert "Nobody has answered this round yet (0 answers)." in page
    assert 'name="understood"' in page
    refused = client.post(f"/delphi/{study_id}/rounds/1/close", data={})
    assert refused.status_code == 400
    assert "Tick this box to close a round that nobody answered." in refused.get_data(as_text=True)
    with app.app_context():
        assert _study(app, study_id).round(1).status == RoundStatus.OPEN
    assert client.post(f"/delphi/{study_id}/rounds/1/close", data={"understood": "y"}).status_code == 302
    with app.app_context():
        assert _study(app, study_id).round(1).status == RoundStatus.CLOSED
    done = client.get(f"/delphi/{study_id}/rounds/1/close").get_data(as_text=True)
    assert "Round 1 is not open." in done
    assert 'type="submit"' not in done.split("<main", 1)[-1]


def test_closing_a_round_with_answers_needs_no_box(app, client, auth, world):
    organiser, panel = world.organiser(), world.panel(5)
    study_id = world.study(organiser, panel=panel)
    world.open(study_id, organiser)
    for index, user in enumerate(panel[:3]):
        world.answer(study_id, 1, user, converging_values(index, 1))
    auth.login(organiser)
    page = client.get(f"/delphi/{study_id}/rounds/1/close").get_data(as_text=True)
    assert "3 of 5 panelists have submitted their answers." in page
    assert "Nobody has answered" not in page
    assert 'name="understood"' not in page
    assert client.post(f"/delphi/{study_id}/rounds/1/close", data={}).status_code == 302
    with app.app_context():
        assert _study(app, study_id).round(1).status == RoundStatus.CLOSED


def test_finishing_and_publishing_ask_first(app, client, auth, world):
    organiser, panel = world.organiser(), world.panel(5)
    study_id = world.study(organiser, panel=panel)
    world.open(study_id, organiser)
    for index, user in enumerate(panel):
        world.answer(study_id, 1, user, converging_values(index, 1))
    world.close(study_id, 1, organiser)
    auth.login(organiser)
    blocked = client.get(f"/delphi/{study_id}/finish").get_data(as_text=True)
    assert "Publish the feedback of round 1 first" in blocked
    world.publish(study_id, 1, organiser)
    page = client.get(f"/delphi/{study_id}/finish").get_data(as_text=True)
    assert "No further round can open" in page
    assert "This cannot be undone." in page
    assert "items are still open: they are reported with their last verdict" in page
    with app.app_context():
        assert _study(app, study_id).status == StudyStatus.RUNNING  # reading the page did nothing
    assert client.post(f"/delphi/{study_id}/finish", data={}).status_code == 302
    page = client.get(f"/delphi/{study_id}/publish-results").get_data(as_text=True)
    assert "Everyone, signed in or not, can read the results page" in page
    with app.app_context():
        assert _study(app, study_id).results_published_at is None
    assert client.post(f"/delphi/{study_id}/publish-results", data={}).status_code == 302
    with app.app_context():
        assert _study(app, study_id).results_published_at is not None
    assert "The results are already public." in client.get(f"/delphi/{study_id}/publish-results").text
    page = client.get(f"/delphi/{study_id}/destroy-key").get_data(as_text=True)
    assert "Nobody can ever link an answer to a panelist again" in page
    assert client.post(f"/delphi/{study_id}/destroy-key", data={}).status_code == 302
    with app.app_context():
        assert _study(app, study_id).key_shredded_at is not None
        assert db.session.scalar(select(DelphiStudy.status)) == StudyStatus.FINISHED
