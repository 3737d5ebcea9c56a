"""Round lifecycle through the services: open (freeze), answer, close (analyse, retire), publish, next round, finish."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from civic import db
from civic.core.errors import DomainError, InvalidTransition
from civic.db import utc_now
from civic.delphi import services
from civic.delphi.models import DelphiAnswer, DelphiRound, DelphiStudy, RoundStatus, StudyStatus
from tests.delphi.conftest import converging_values


def test_three_round_study_converges_and_stops(app, world):
    organiser, panel = world.organiser(), world.panel(6)
    study_id = world.study(organiser, panel=panel)
    assert world.open(study_id, organiser) == 1
    for index, user in enumerate(panel):
        world.answer(study_id, 1, user, converging_values(index, 1))
    world.close(study_id, 1, organiser)
    with app.app_context():
        rnd = db.session.get(DelphiStudy, study_id).round(1)
        assert rnd.status == RoundStatus.CLOSED
        assert rnd.responded_count == 6 and rnd.invited_count == 6
        json.dumps(rnd.report, allow_nan=False)
        assert rnd.stopping["decision"] == "continue"
    world.publish(study_id, 1, organiser)
    assert world.open(study_id, organiser) == 2
    for index, user in enumerate(panel):
        world.answer(study_id, 2, user, converging_values(index, 2), why={"Q1": "reason", "Q2": "reason"})
    world.close(study_id, 2, organiser)
    with app.app_context():
        study = db.session.get(DelphiStudy, study_id)
        stopping = study.round(2).stopping
        assert stopping["after_round"] == 2
        assert stopping["decision"] in {"continue", "stop_all_items_closed"}
        assert study.status == StudyStatus.RUNNING
