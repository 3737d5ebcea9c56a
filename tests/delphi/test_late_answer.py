"""A late answer (the round closed while the panelist was answering) gets a clear page that says the round closed
and keeps nothing of the late submission, while the panelist's earlier draft stays as it was."""

from __future__ import annotations

from datetime import timedelta

from civic import db
from civic.db import utc_now
from civic.delphi.models import DelphiStudy
from tests.delphi.test_bad_input import _form, _stored, running  # noqa: F401  (the fixture)


def _close_the_round_meanwhile(app, running):  # noqa: F811
    with app.app_context():
        study = db.session.get(DelphiStudy, running["study_id"])
        study.round(1).deadline = utc_now() - timedelta(minutes=1)
        db.session.commit()


def test_a_late_answer_gets_a_clear_page_and_nothing_is_saved(app, client, auth, running):  # noqa: F811
    _close_the_round_meanwhile(app, running)
    auth.login(running["panel"][0])
    # An incomplete submission would normally keep its valid answers as a draft: after the deadline, none of it.
    response = client.post(f"/delphi/{running['study_id']}/rounds/1/answer", data=_form(running, number=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Round 1 has closed" in page
    assert "The deadline of round 1 has passed: answers can no longer be changed." in page
    assert "What you just sent was not saved" in page
    assert "You had not saved any answers in this round before it closed." in page
    assert _stored(app) == 0


def test_a_late_answer_leaves_the_earlier_draft_as_it_was(app, client, auth, running):  # noqa: F811
    auth.login(running["panel"][0])
    draft = client.post(f"/delphi/{running['study_id']}/rounds/1/answer", data=_form(running, action="draft"))
    assert draft.status_code == 302
    before = _stored(app)
    assert before == 4
    _close_the_round_meanwhile(app, running)
    response = client.post(f"/delphi/{running['study_id']}/rounds/1/answer", data=_form(running, likert="1"))
    assert response.status_code == 409
    assert "The 4 answers you had saved as a draft before the round closed are kept as they were." in (
        response.get_data(as_text=True)
    )
    assert _stored(app) == before
