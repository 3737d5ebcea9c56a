"""Bad input is refused with a clear message and a 4xx; on the answer form the valid answers are kept as a draft."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic import db
from civic.core.errors import InvalidTransition
from civic.db import utc_now
from civic.delphi.models import DelphiAnswer, DelphiItem, DelphiParticipation, DelphiRound, DelphiStudy
from tests.delphi.conftest import converging_values


@pytest.fixture
def running(app, world):
    """A study with a Likert (Q1), numeric 0..10000 (Q2), yes/no (Q3) and ranking of four (Q4) item; round 1 open."""
    organiser, panel = world.organiser(), world.panel(6)
    study_id = world.study(organiser, kinds=("likert", "numeric", "yes_no", "ranking"), panel=panel)
    world.open(study_id, organiser)
    with app.app_context():
        items = {i.code: i for i in db.session.scalars(select(DelphiItem))}
        ids = {code: item.id for code, item in items.items()}
        options = items["Q4"].option_ids()
    return {"organiser": organiser, "panel": panel, "study_id": study_id, "ids": ids, "options": options}


def _form(running, likert="4", number="1200", yes_no="yes", ranks=(1, 2, 3, 4), action="submit", **extra):
    ids = running["ids"]
    data = {
        f"item-{ids['Q1']}": likert,
        f"item-{ids['Q2']}": number,
        f"item-{ids['Q3']}": yes_no,
        "action": action,
        **{f"item-{ids['Q4']}-{oid}": str(r) for oid, r in zip(running["options"], ranks, strict=True)},
    }
    data.update(extra)
    return data


def _stored(app, round_number: int | None = None) -> int:
    with app.app_context():
        stmt = select(func.count()).select_from(DelphiAnswer)
        if round_number is not None:
            stmt = stmt.join(DelphiRound, DelphiRound.id == DelphiAnswer.round_id).where(
                DelphiRound.number == round_number
            )
        return db.session.scalar(stmt)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("likert", "6", "Choose a point of the scale from 1 to 5."),
        ("likert", "abc", "Choose a point of the scale from 1 to 5."),
        ("number", "10001", "Enter a number from 0 to 10000."),
        ("number", "-5", "Enter a number from 0 to 10000."),
        ("number", "twelve", "Enter a number, for example 12 or 3.5."),
        ("number", "nan", "Enter a number, for example 12 or 3.5."),
        ("yes_no", "maybe", "Choose one of the offered answers."),
        ("ranks", (1, 1, 3, 4), "Each rank from 1 to 4 must be used once: rank 1 is used twice and rank 2 is missing."),
        ("ranks", (1, 2, 3, 5), "Give every option a rank from 1 to 4."),
        ("ranks", (1, 2, 3, ""), "Give every option a rank from 1 to 4."),
    ],
)
def test_an_invalid_answer_is_refused_and_the_valid_ones_are_kept_as_a_draft(
    app, client, auth, running, field, value, message
):
    code = {"likert": "Q1", "number": "Q2", "yes_no": "Q3", "ranks": "Q4"}[field]
    auth.login(running["panel"][0])
    for action in ("draft", "submit"):
        response = client.post(
            f"/delphi/{running['study_id']}/rounds/1/answer", data=_form(running, action=action, **{field: value})
        )
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
        assert _stored(app) == 3  # the three valid answers, as a draft
        with app.app_context():
            stored_items = set(db.session.scalars(select(DelphiAnswer.item_id)))
            assert running["ids"][code] not in stored_items
            assert db.session.scalar(select(DelphiParticipation.submitted).limit(1)) is False


def test_a_draft_may_be_incomplete_but_a_submission_may_not(app, client, auth, running):
    auth.login(running["panel"][0])
    url = f"/delphi/{running['study_id']}/rounds/1/answer"
    assert client.post(url, data=_form(running, likert="", action="draft")).status_code == 302
    assert _stored(app) == 3
    response = client.post(url, data=_form(running, likert="", action="submit"))
    assert response.status_code == 400
    assert "Answer this question before you submit." in response.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(
                select(DelphiParticipation.submitted).where(DelphiParticipation.panelist_id.is_not(None)).limit(1)
            )
            is False
        )


def test_answers_after_the_deadline_are_refused(app, world, running):
    with app.app_context():
        study = db.session.get(DelphiStudy, running["study_id"])
        late = study.round(1).deadline + timedelta(seconds=1)
    with pytest.raises(InvalidTransition, match="deadline of round 1 has passed"):
        world.answer(running["study_id"], 1, running["panel"][0], {"Q1": "3"}, submit=False, now=late)
    assert _stored(app) == 0


def test_posting_after_the_deadline_is_refused_before_the_job_closes_the_round(app, client, auth, running):
    with app.app_context():
        study = db.session.get(DelphiStudy, running["study_id"])
        study.round(1).deadline = utc_now() - timedelta(minutes=1)
        db.session.commit()
    auth.login(running["panel"][0])
    response = client.post(f"/delphi/{running['study_id']}/rounds/1/answer", data=_form(running))
    assert response.status_code == 409
    assert "The deadline of round 1 has passed: answers can no longer be changed." in response.get_data(as_text=True)
    assert _stored(app) == 0
    with app.app_context():
        assert db.session.get(DelphiStudy, running["study_id"]).round(1).is_closing  # closing is the job's work


def test_a_non_panelist_cannot_post_to_a_round(app, client, auth, make_user, running):
    auth.login(make_user(roles=["council_member"]))
    response = client.post(f"/delphi/{running['study_id']}/rounds/1/answer", data=_form(running))
    assert response.status_code == 403
    assert _stored(app) == 0


def test_the_configuration_cannot_change_after_round_one(app, client, auth, running):
    auth.login(running["organiser"])
    response = client.post(
        f"/delphi/{running['study_id']}/configuration",
        data={
            "preset": "default",
            "n_min": "7",
            "agree_threshold": "80",
            "modal_threshold": "75",
            "cv_max": "0.5",
            "w_min": "0.7",
            "alpha": "0.05",
            "tvd_max": "15",
            "rel_median_change_max": "15",
            "cv_change_max": "0.1",
            "delta_w_max": "0.05",
            "min_rounds": "2",
            "max_rounds": "3",
            "min_response_rate": "70",
        },
    )
    assert response.status_code == 409
    assert "fixed when round 1 opened" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(DelphiStudy, running["study_id"]).config == {}


def test_justification_is_required_outside_the_previous_iqr(app, client, auth, world, running):
    panel, study_id, organiser = running["panel"], running["study_id"], running["organiser"]
    for index, user in enumerate(panel):
        values = converging_values(index, 1)
        world.answer(
            study_id,
            1,
            user,
            {**values, "Q3": "yes", "Q4": dict(zip(running["options"], ["1", "2", "3", "4"], strict=True))},
        )
    world.close(study_id, 1, organiser)
    world.publish(study_id, 1, organiser)
    world.open(study_id, organiser)
    auth.login(panel[0])
    url = f"/delphi/{study_id}/rounds/2/answer"
    ids = running["ids"]
    far = _form(running, likert="1", number="1000")  # Q1 below the round-1 middle half (points 3 to 5)
    response = client.post(url, data=far)
    assert response.status_code == 400
    assert "explain your reasons" in response.get_data(as_text=True)
    assert _stored(app, round_number=2) == 4  # kept as a draft; the submission waits for the reason
    assert client.post(url, data={**far, f"why-{ids['Q1']}": "Waiting lists in new districts"}).status_code == 302
    assert client.post(url, data=_form(running, likert="4", number="1000")).status_code == 302  # inside: optional


def test_study_and_item_forms_refuse_bad_input(app, client, auth, world):
    organiser = world.organiser()
    auth.login(organiser)
    response = client.post("/delphi/new", data={"base_language": "ru", "title_en": "Only English"})
    assert response.status_code == 400
    assert "title in the language you chose" in response.get_data(as_text=True)
    study_id = world.study(organiser, kinds=())
    cases = [
        ("likert", {"text_en": "", "scale_preset": "agreement5"}, "Write the question in the study"),
        ("ranking", {"text_en": "Rank", "options_en": "Only one"}, "List from 2 to 12 options"),
        ("ranking", {"text_en": "Rank", "options_en": "A\nA"}, "Two options have the same text."),
        ("categorical", {"text_en": "Pick", "options_en": "A\nB", "options_ru": "А"}, "same order"),
        ("numeric", {"text_en": "How many", "min_value": "10", "max_value": "5"}, "lower bound must be smaller"),
        ("likert", {"text_en": "Custom", "scale_preset": "custom", "scale_points": "7"}, "Label both ends"),
    ]
    for kind, data, message in cases:
        response = client.post(f"/delphi/{study_id}/items/new/{kind}", data={"scale_points": "5", **data})
        assert response.status_code == 400, (kind, data)
        assert message in response.get_data(as_text=True), (kind, message)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DelphiItem)) == 0
