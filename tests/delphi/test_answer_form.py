"""The answer form: what is valid is kept as a draft and what is missing is marked; round 2 starts from the
panelist's round-1 answers; a reason is asked only where the rule says (Likert and numeric answers outside the
panel's middle half, ranks at least 2 places from the median rank), and the page marks it before submitting."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from civic import db
from civic.delphi import services
from civic.delphi.items import likert_iqr_text, scale_range
from civic.delphi.models import DelphiAnswer, DelphiItem, DelphiParticipation, DelphiRound, DelphiStudy

LIKERT_R1 = ["3", "4", "5", "3", "4", "5"]  # Q1 3.25, median 4, Q3 4.75: shown as the points 3 to 5
NUMERIC_R1 = ["800", "1000", "1200", "900", "1500", "1100"]  # Q1 925, Q3 1175
RANKS_R1 = [(1, 2, 3, 4)] * 5 + [(2, 1, 3, 4)]  # median ranks 1, 2, 3, 4


def _ids(app) -> dict[str, int]:
    with app.app_context():
        return {i.code: i.id for i in db.session.scalars(select(DelphiItem))}


def _options(app) -> list[str]:
    with app.app_context():
        return db.session.scalar(select(DelphiItem).where(DelphiItem.code == "Q4")).option_ids()


def _setting(app, world, config=None, second_round=True):
    organiser, panel = world.organiser(), world.panel(6)
    study_id = world.study(organiser, kinds=("likert", "numeric", "yes_no", "ranking"), panel=panel, config=config)
    world.open(study_id, organiser)
    options = _options(app)
    for index, user in enumerate(panel):
        ranks = dict(zip(options, map(str, RANKS_R1[index]), strict=True))
        world.answer(study_id, 1, user, {"Q1": LIKERT_R1[index], "Q2": NUMERIC_R1[index], "Q3": "yes", "Q4": ranks})
    if second_round:
        world.close(study_id, 1, organiser)
        world.publish(study_id, 1, organiser)
        world.open(study_id, organiser)
    return {"study_id": study_id, "panel": panel, "organiser": organiser, "options": options, "ids": _ids(app)}


def _form(s, likert="4", number="1000", yes_no="yes", ranks=(1, 2, 3, 4), action="submit", **extra):
    ids = s["ids"]
    data = {
        f"item-{ids['Q1']}": likert,
        f"item-{ids['Q2']}": number,
        f"item-{ids['Q3']}": yes_no,
        "action": action,
        **{f"item-{ids['Q4']}-{oid}": str(r) for oid, r in zip(s["options"], ranks, strict=True)},
    }
    data.update(extra)
    return data


def _stored(app, number: int) -> dict[str, object]:
    with app.app_context():
        rows = db.session.execute(
            select(DelphiItem.code, DelphiAnswer.value)
            .join(DelphiItem, DelphiItem.id == DelphiAnswer.item_id)
            .join(DelphiRound, DelphiRound.id == DelphiAnswer.round_id)
            .where(DelphiRound.number == number)
        ).all()
        return dict(rows)


def _submitted(app, number: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(DelphiParticipation)
            .join(DelphiRound, DelphiRound.id == DelphiParticipation.round_id)
            .where(DelphiRound.number == number, DelphiParticipation.submitted.is_(True))
        )


@pytest.fixture
def round_one(app, world, make_user):
    """Round 1 open, nobody has answered yet."""
    organiser, panel = world.organiser(), world.panel(6)
    study_id = world.study(organiser, kinds=("likert", "numeric", "yes_no", "ranking"), panel=panel)
    world.open(study_id, organiser)
    return {"study_id": study_id, "panel": panel, "options": _options(app), "ids": _ids(app)}


def test_a_submission_missing_one_number_keeps_the_rest_as_a_draft_and_marks_the_gap(app, client, auth, round_one):
    auth.login(round_one["panel"][0])
    url = f"/delphi/{round_one['study_id']}/rounds/1/answer"
    response = client.post(url, data=_form(round_one, number=""))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Your valid answers are saved as a draft. Complete the marked questions, then submit." in page
    q2 = round_one["ids"]["Q2"]
    assert re.search(rf'<section class="delphi-item has-error"[^>]*id="item-{q2}"', page)
    assert f'<a href="#item-{q2}">Q2</a>: Answer this question before you submit.' in page  # the summary links it
    assert page.count("delphi-item has-error") == 1
    assert set(_stored(app, 1)) == {"Q1", "Q3", "Q4"}
    assert _submitted(app, 1) == 0  # a draft is not an answer
    again = client.get(url).get_data(as_text=True)  # the draft comes back on the page
    assert f'name="item-{round_one["ids"]["Q1"]}" value="4" checked' in again
    assert client.post(url, data=_form(round_one)).status_code == 302
    assert set(_stored(app, 1)) == {"Q1", "Q2", "Q3", "Q4"}
    assert _submitted(app, 1) == 1


def test_a_submitted_round_stays_complete_an_incomplete_change_is_refused_whole(app, client, auth, round_one):
    auth.login(round_one["panel"][0])
    url = f"/delphi/{round_one['study_id']}/rounds/1/answer"
    assert client.post(url, data=_form(round_one, likert="2")).status_code == 302
    response = client.post(url, data=_form(round_one, likert="5", number=""))
    assert response.status_code == 400
    assert "nothing was saved" in response.get_data(as_text=True)
    assert _stored(app, 1)["Q1"] == 2
    assert _stored(app, 1)["Q2"] == 1000
    assert _submitted(app, 1) == 1


def test_a_draft_keeps_valid_answers_next_to_an_invalid_one(app, client, auth, round_one):
    auth.login(round_one["panel"][0])
    url = f"/delphi/{round_one['study_id']}/rounds/1/answer"
    response = client.post(url, data=_form(round_one, number="lots", action="draft"))
    assert response.status_code == 400
    assert "Enter a number, for example 12 or 3.5." in response.get_data(as_text=True)
    assert 'value="lots"' in response.get_data(as_text=True)  # what was typed is shown to correct it
    assert set(_stored(app, 1)) == {"Q1", "Q3", "Q4"}


def test_round_two_starts_from_the_panelists_round_one_answers(app, client, auth, world):
    s = _setting(app, world)
    user = s["panel"][4]  # round 1: Likert 4, 1500, yes, ranks 1 2 3 4
    auth.login(user)
    url = f"/delphi/{s['study_id']}/rounds/2/answer"
    page = client.get(url).get_data(as_text=True)
    ids = s["ids"]
    assert "Your answers from round 1 are filled in." in page
    assert f'name="item-{ids["Q1"]}" value="4" checked' in page
    assert f'name="item-{ids["Q2"]}" value="1500' in page
    assert f'name="item-{ids["Q3"]}" value="yes" checked' in page
    first = s["options"][0]
    assert re.search(rf'name="item-{ids["Q4"]}-{first}"[^>]*>.*?<option value="1" selected>', page, re.S)
    assert _stored(app, 2) == {}  # nothing is saved until the panelist does
    assert client.post(url, data=_form(s, likert="4", number="1100", action="draft")).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Your answers from round 1 are filled in." not in page  # from now on, their round-2 draft
    assert 'value="1100' in page


def test_a_panelist_whose_round_one_was_only_a_draft_starts_round_two_empty(app, client, auth, world):
    organiser, panel = world.organiser(), world.panel(6)
    study_id = world.study(organiser, kinds=("likert", "numeric"), panel=panel)
    world.open(study_id, organiser)
    for index, user in enumerate(panel):
        world.answer(study_id, 1, user, {"Q1": LIKERT_R1[index], "Q2": NUMERIC_R1[index]}, submit=index < 5)
    world.close(study_id, 1, organiser)  # the unsubmitted draft is discarded: it was never an answer
    world.publish(study_id, 1, organiser)
    world.open(study_id, organiser)
    auth.login(panel[5])
    page = client.get(f"/delphi/{study_id}/rounds/2/answer").get_data(as_text=True)
    assert "Your answers from round 1 are filled in." not in page
    assert " checked" not in page
    auth.login(panel[0])
    assert "Your answers from round 1 are filled in." in client.get(f"/delphi/{study_id}/rounds/2/answer").text


@pytest.mark.parametrize(
    ("likert", "number", "needs"),
    [
        ("4", "1000", set()),  # inside both middle halves
        ("3", "925", set()),  # the ends count as inside: points 3..5, and 925..1175
        ("5", "1175", set()),
        ("2", "1000", {"Q1"}),  # below the point 3
        ("4", "900", {"Q2"}),  # below Q1 of the numbers
        ("1", "5000", {"Q1", "Q2"}),
    ],
)
def test_a_reason_is_asked_only_outside_the_middle_half(app, client, auth, world, likert, number, needs):
    s = _setting(app, world)
    auth.login(s["panel"][0])
    url = f"/delphi/{s['study_id']}/rounds/2/answer"
    response = client.post(url, data=_form(s, likert=likert, number=number))
    page = response.get_data(as_text=True)
    marked = {code for code in ("Q1", "Q2", "Q3", "Q4") if f'<a href="#item-{s["ids"][code]}">{code}</a>' in page}
    assert marked == needs
    assert response.status_code == (400 if needs else 302)
    if needs:
        reasons = {f"why-{s['ids'][code]}": "Because of the new districts" for code in needs}
        assert client.post(url, data={**_form(s, likert=likert, number=number), **reasons}).status_code == 302


@pytest.mark.parametrize(
    ("ranks", "config", "needs_reason"),
    [
        ((2, 1, 4, 3), None, False),  # a full ranking one place from every median: no reason (the old rule asked)
        ((1, 2, 3, 4), None, False),
        ((3, 2, 1, 4), None, True),  # option 1 at rank 3, two places from its median rank 1
        ((4, 3, 2, 1), None, True),
        ((3, 2, 1, 4), {"rank_reason_distance": 3}, False),  # the study asks only from three places on
        ((4, 3, 2, 1), {"rank_reason_distance": 3}, True),
    ],
)
def test_a_reason_for_a_rank_is_asked_only_two_places_from_the_median(
    app, client, auth, world, ranks, config, needs_reason
):
    s = _setting(app, world, config=config)
    auth.login(s["panel"][0])
    url = f"/delphi/{s['study_id']}/rounds/2/answer"
    response = client.post(url, data=_form(s, ranks=ranks))
    assert response.status_code == (400 if needs_reason else 302)
    if needs_reason:
        assert "explain your reasons" in response.get_data(as_text=True)


def test_the_rank_distance_has_an_app_wide_default(app, world, monkeypatch):
    s = _setting(app, world)
    monkeypatch.setitem(app.config, "DELPHI_RANK_REASON_DISTANCE", 4)
    with app.app_context():
        study = db.session.get(DelphiStudy, s["study_id"])
        item = db.session.get(DelphiItem, s["ids"]["Q4"])
        rule = services.reason_rule(study.round(2), item)
        assert rule.kind == "rank"
        assert not rule.needs(item, dict(zip(s["options"], (4, 3, 2, 1), strict=True)))  # 3 places < 4
        assert services.reason_rule(study.round(1), item) is None  # round 1: reasons are optional
        assert services.reason_rule(study.round(2), db.session.get(DelphiItem, s["ids"]["Q3"])) is None  # yes/no


def test_the_page_marks_which_answers_need_a_reason_before_submitting(app, client, auth, world):
    s = _setting(app, world)
    user = s["panel"][0]  # round 1: Likert 3, 800 places (below the numbers' middle half)
    auth.login(user)
    page = client.get(f"/delphi/{s['study_id']}/rounds/2/answer").get_data(as_text=True)
    ids = s["ids"]

    def marker(code: str) -> str:
        section = page[page.index(f'id="item-{ids[code]}"') :]
        section = section[: section.index("</section>")]
        found = re.search(r'class="delphi-reason-marker (\w+)"', section)
        return found.group(1) if found else "none"

    assert marker("Q1") == "optional"  # 3 is on the middle half's points 3 to 5
    assert marker("Q2") == "needed"  # 800 is below 925
    assert marker("Q3") == "none"  # yes/no: reasons are always optional
    assert marker("Q4") == "optional"  # ranks 1 2 3 4 are the median ranks
    assert "The middle half of the panel answered from 3 to 5 last round." in page
    assert "The middle half of the panel answered from 925 to 1175 last round." in page
    assert 'data-reason-low="3" data-reason-high="5"' in page  # what static/js/delphi.js reads
    assert 'src="/static/js/delphi.js"' in page
    assert "<script>" not in page  # CSP: no inline script


def test_the_scale_points_of_the_middle_half():
    assert scale_range(3.25, 4.75) == (3, 5)
    assert scale_range(3.0, 4.0) == (3, 4)
    assert scale_range(4.0, 4.0) == (4, 4)
    assert scale_range(2.9999999999, 4.0000000001) == (3, 4)  # float noise is not a point


def test_the_feedback_shows_the_middle_half_as_points_with_the_quartiles_in_a_note(app, client, auth, world):
    s = _setting(app, world)
    auth.login(s["panel"][0])
    page = client.get(f"/delphi/{s['study_id']}/rounds/1/feedback").get_data(as_text=True)
    assert "<dt>Middle half of the answers</dt><dd>from 3 to 5</dd>" in page
    assert "3.25 to 4.75" not in page
    assert "interpolated between neighbouring answers (Q1 3.25, Q3 4.75, interquartile range 1.5)" in page
    with app.test_request_context():
        assert likert_iqr_text({"q1": 4.0, "q3": 4.0}) == "all on point 4"
