"""The anonymity promise: no table links users to answers; organisers, admins and exports see aggregates only;
nothing below n_min; each panelist sees only their own previous answer."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from civic import db
from civic.db import Base
from civic.delphi import pseudonyms
from civic.delphi.models import DelphiAnswer, DelphiStudy
from civic.identity.models import AuditEvent, Notification

ANSWER_TABLES = ("delphi_answers", "delphi_proposals")
#: Distinct numeric answers none of which equals a quartile or median of the set (type-7 interpolation).
SECRET_VALUES = ["1013.7", "2039.3", "3071.9", "4111.3", "5137.7", "6173.1"]
SECRET_REASONS = [f"secret reason number {i} xq" for i in range(6)]


def test_answer_tables_have_no_link_to_users_or_the_panel():
    identity_side = {"users", "delphi_panelists", "delphi_participations", "delphi_invitations"}
    for name in ANSWER_TABLES:
        table = Base.metadata.tables[name]
        targets = {fk.column.table.name for fk in table.foreign_keys}
        assert not targets & identity_side, (name, targets)
        columns = set(table.columns.keys())
        assert not any("user" in c or c.endswith("_at") or "time" in c or "panelist" in c for c in columns), columns
        assert table.c.id.type.python_type is str  # random ids, no insertion order
        assert table.dialect_options["sqlite"]["with_rowid"] is False


def test_participation_holds_no_answers_and_no_times():
    table = Base.metadata.tables["delphi_participations"]
    assert set(table.columns.keys()) == {"id", "round_id", "panelist_id", "submitted"}


def test_no_table_reaches_answers_from_users():
    """Walk every foreign key: no path leads from an answer row to users except through rounds/items/studies,
    whose user columns are the organiser's, not the answerer's."""
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name in ANSWER_TABLES:
                assert table.name in ANSWER_TABLES, (table.name, fk)


def _answered_study(world, app, values=SECRET_VALUES, reasons=SECRET_REASONS, panel_size=6):
    organiser, panel = world.organiser(), world.panel(panel_size)
    study_id = world.study(organiser, kinds=("numeric", "likert"), panel=panel)
    world.open(study_id, organiser)
    for index, user in enumerate(panel):
        world.answer(
            study_id,
            1,
            user,
            {"Q1": values[index % len(values)], "Q2": str(index % 5 + 1)},
            why={"Q1": reasons[index % len(reasons)]},
        )
    world.close(study_id, 1, organiser)
    world.publish(study_id, 1, organiser)
    return organiser, panel, study_id


def test_answers_are_stored_under_per_round_pseudonyms(app, world):
    organiser, panel, study_id = _answered_study(world, app)
    other_id = world.study(organiser, panel=panel)
    with app.app_context():
        study, other = db.session.get(DelphiStudy, study_id), db.session.get(DelphiStudy, other_id)
        names = set(db.session.scalars(select(DelphiAnswer.pseudonym)))
        assert names == {pseudonyms.pseudonym(study.round(1), u.id) for u in panel}
        assert not names & {pseudonyms.study_pseudonym(other, u.id) for u in panel}
        assert not names & {pseudonyms.study_pseudonym(study, u.id) for u in panel}
        assert all(re.fullmatch(r"[0-9a-f]{64}", n) for n in names)
        assert not any(str(u.id) == n or u.email in n for u in panel for n in names)


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["organiser", "admin"])
def test_staff_pages_and_exports_show_no_individual_answer(app, client, auth, world, make_user, who):
    organiser, panel, study_id = _answered_study(world, app)
    viewer = organiser if who == "organiser" else make_user(roles=["admin"])
    auth.login(viewer)
    base = f"/delphi/{study_id}"
    pages = [
        base,
        f"{base}/manage",
        f"{base}/results",
        f"{base}/results/print",
        f"{base}/rounds/1/feedback",
        f"{base}/rounds/1/justifications",
        f"{base}/export/report.json",
        f"{base}/export/statistics.csv",
        f"{base}/panel",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        body = _text(response)
        for value in SECRET_VALUES:
            assert value not in body, (path, value)
    report = json.loads(_text(client.get(f"{base}/export/report.json")))
    flat = json.dumps(report)
    assert '"min"' not in flat
    assert '"max"' not in flat
    assert "attrition_mwu" not in flat
    assert "pseudonym" not in flat
    assert not any(u.email in flat for u in panel)
    with app.app_context():  # nor does the audit log or any notification carry an answer
        logged = json.dumps([[e.before, e.after] for e in db.session.scalars(select(AuditEvent))])
        notes = " ".join(n.title + n.body for n in db.session.scalars(select(Notification)))
        assert not any(v in logged or v in notes for v in SECRET_VALUES)


def test_justification_review_shows_reasons_without_values_or_names(app, client, auth, world):
    organiser, panel, study_id = _answered_study(world, app)
    auth.login(organiser)
    body = _text(client.get(f"/delphi/{study_id}/rounds/1/justifications"))
    assert all(reason in body for reason in SECRET_REASONS)
    assert not any(u.public_name in body for u in panel)


def test_a_panelist_sees_only_their_own_previous_answer(app, client, auth, world):
    organiser, panel, study_id = _answered_study(world, app)
    for index, user in enumerate(panel):
        auth.login(user)
        body = _text(client.get(f"/delphi/{study_id}/rounds/1/feedback"))
        own = SECRET_VALUES[index]
        assert own in body
        assert not any(v in body for v in SECRET_VALUES if v != own)
        assert SECRET_REASONS[index] not in body  # one's own reason is not repeated back as "others'"
        assert sum(r in body for r in SECRET_REASONS) == 5
        assert body.count('class="bar highlight"') == 1  # the Likert item: exactly one highlighted bar


def test_nothing_is_shown_below_n_min(app, client, auth, world):
    organiser, panel = world.organiser(), world.panel(6)
    study_id = world.study(organiser, kinds=("numeric", "likert"), panel=panel)
    world.open(study_id, organiser)
    for index, user in enumerate(panel[:4]):  # four answers; n_min is 5
        world.answer(
            study_id, 1, user, {"Q1": SECRET_VALUES[index], "Q2": str(index + 1)}, why={"Q1": SECRET_REASONS[index]}
        )
    world.close(study_id, 1, organiser)
    world.publish(study_id, 1, organiser)
    auth.login(organiser)
    report = json.loads(_text(client.get(f"/delphi/{study_id}/export/report.json")))
    entry = report["report"]["per_round"][0]
    assert entry["items"] == {
        code: {"display_suppressed": True, "verdict": "insufficient", "n": None} for code in ("Q1", "Q2")
    }
    assert entry["parts"]["likert5"]["kendall_w"] == {"display_suppressed": True}
    rows = _text(client.get(f"/delphi/{study_id}/export/statistics.csv")).splitlines()
    assert all(row.endswith(",yes") for row in rows[1:])
    assert len(rows) == 3
    results = _text(client.get(f"/delphi/{study_id}/results"))
    assert "fewer than the minimum" in results
    auth.login(panel[0])
    body = _text(client.get(f"/delphi/{study_id}/rounds/1/feedback"))
    assert body.count("Fewer answers than the minimum") == 2
    assert SECRET_VALUES[0] in body  # one's own answer is still shown to oneself
    assert not any(r in body for r in SECRET_REASONS[1:])  # no reasons below n_min either
    assert "<svg" not in body
