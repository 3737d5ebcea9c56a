"""Round lifecycle and panel freeze through the services: every transition, valid and refused."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic import db
from civic.core.errors import DomainError, InvalidTransition, PermissionDenied
from civic.db import utc_now
from civic.delphi import pseudonyms, services
from civic.delphi.models import (
    DelphiAnswer,
    DelphiInvitation,
    DelphiPanelist,
    DelphiProposal,
    DelphiStudy,
    InvitationStatus,
    ProposalStatus,
    RoundStatus,
    StudyStatus,
)
from civic.identity.models import AuditEvent, Notification, User
from tests.delphi.conftest import LIKERT, converging_values


def _study(app, study_id) -> DelphiStudy:
    return db.session.get(DelphiStudy, study_id)


def _run_round(world, study_id, organiser, panel, number, why=None):
    assert world.open(study_id, organiser) == number
    for index, user in enumerate(panel):
        world.answer(study_id, number, user, converging_values(index, number), why=why)
    world.close(study_id, number, organiser)
    world.publish(study_id, number, organiser)


def test_three_rounds_store_reports_retire_items_and_stop(app, world):
    organiser, panel = world.organiser(), world.panel(8)
    study_id = world.study(organiser, panel=panel)
    _run_round(world, study_id, organiser, panel, 1)
    with app.app_context():
        first = _study(app, study_id).round(1)
        assert (first.status, first.responded_count, first.invited_count) == (RoundStatus.PUBLISHED, 8, 8)
        json.dumps(first.report, allow_nan=False)
        assert first.stopping["decision"] == "continue"  # round 1 < min_rounds
        assert [e["round"] for e in first.report["per_round"]] == [1]
    _run_round(world, study_id, organiser, panel, 2, why={"Q1": "closer to the group", "Q2": "revised"})
    with app.app_context():
        study = _study(app, study_id)
        second = study.round(2)
        assert [e["round"] for e in second.report["per_round"]] == [1, 2]
        statuses = second.stopping["item_status"]
        retired = {i.code for i in study.items if i.retired_after_round == 2}
        assert retired == {code for code, status in statuses.items() if status.startswith("closed")}
        assert all(i.final_status == statuses[i.code] for i in study.items)
        assert {i.code for i in study.active_items} == set(statuses) - retired


def test_round_one_freezes_panel_and_configuration(app, world, make_user):
    organiser, panel = world.organiser(), world.panel(5)
    late = make_user(roles=["expert"])
    study_id = world.study(organiser, panel=panel)
    world.run(lambda s: services.invite_by_email(s, world.actor(organiser), "guest@example.test"), study_id=study_id)
    world.open(study_id, organiser)
    with app.app_context():
        study, actor = _study(app, study_id), db.session.get(User, organiser.id)
        assert study.is_frozen
        assert study.status == StudyStatus.RUNNING
        invitation = db.session.scalar(select(DelphiInvitation))
        assert invitation.status == InvitationStatus.EXPIRED
        with pytest.raises(InvalidTransition, match="frozen"):
            services.add_panelists(study, actor, [late.id])
        with pytest.raises(InvalidTransition, match="frozen"):
            services.invite_by_email(study, actor, "other@example.test")
        member = db.session.scalar(select(DelphiPanelist).where(DelphiPanelist.study_id == study_id))
        with pytest.raises(InvalidTransition, match="frozen"):
            services.remove_panelist(member, actor)
        with pytest.raises(InvalidTransition, match="fixed when round 1 opened"):
            services.set_config(study, actor, {"n_min": 7})
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(DelphiPanelist)) == 5
        assert _study(app, study_id).config == {}


def test_panel_changes_before_round_one(app, world, make_user):
    organiser, panel = world.organiser(), world.panel(5)
    resident, expert = make_user(), make_user(roles=["expert"])
    study_id = world.study(organiser, panel=panel)
    with app.app_context():
        study, actor = _study(app, study_id), db.session.get(User, organiser.id)
        with pytest.raises(DomainError, match="neither a public council member nor an expert"):
            services.add_panelists(study, actor, [resident.id])
        assert len(services.add_panelists(study, actor, [expert.id, panel[0].id])) == 1  # already-present skipped
        member = db.session.scalar(select(DelphiPanelist).where(DelphiPanelist.user_id == expert.id))
        services.remove_panelist(member, actor)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(DelphiPanelist)) == 5
        assert [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))][-2:] == [
            "delphi.add_panelists",
            "delphi.remove_panelist",
        ]


def test_email_invitation_becomes_membership_for_matching_account(app, world, make_user, outbox):
    organiser = world.organiser()
    study_id = world.study(organiser)
    token = world.run(
        lambda s: services.invite_by_email(s, world.actor(organiser), "New.Expert@Example.test"), study_id=study_id
    )
    assert "invitations/" + token in outbox()[-1].get_content()
    stranger, invited = make_user(email="someone@example.test"), make_user(email="new.expert@example.test")
    with app.app_context():
        with pytest.raises(DomainError, match="another email address"):
            services.accept_invitation(token, db.session.get(User, stranger.id))
        services.accept_invitation(token, db.session.get(User, invited.id))
        db.session.commit()
        with pytest.raises(InvalidTransition, match="already used"):
            services.accept_invitation(token, db.session.get(User, invited.id))
        assert db.session.scalar(select(DelphiPanelist.user_id)) == invited.id


def test_opening_rules(app, world):
    organiser, panel = world.organiser(), world.panel(4)
    study_id = world.study(organiser, panel=panel)
    with app.app_context():
        study, actor = _study(app, study_id), db.session.get(User, organiser.id)
        with pytest.raises(DomainError, match="at least 5 members"):
            services.open_round(study, actor, utc_now() + timedelta(days=3))
        with pytest.raises(DomainError, match="at least one hour"):
            services.open_round(study, actor, utc_now() + timedelta(minutes=10))
    panel.append(world.panel(1)[0])
    world.run(lambda s: services.add_panelists(s, world.actor(organiser), [panel[-1].id]), study_id=study_id)
    world.open(study_id, organiser)
    with app.app_context():
        study, actor = _study(app, study_id), db.session.get(User, organiser.id)
        with pytest.raises(InvalidTransition, match="still open"):
            services.open_round(study, actor, utc_now() + timedelta(days=3))
    for index, user in enumerate(panel):
        world.answer(study_id, 1, user, converging_values(index, 1))
    world.close(study_id, 1, organiser)
    with app.app_context():
        study, actor = _study(app, study_id), db.session.get(User, organiser.id)
        with pytest.raises(InvalidTransition, match="Publish the feedback of round 1"):
            services.open_round(study, actor, utc_now() + timedelta(days=3))
        with pytest.raises(InvalidTransition, match="proposals round can only come before"):
            services.open_round(study, actor, utc_now() + timedelta(days=3), proposals=True)


def test_round_limit_and_no_open_items(app, world):
    organiser, panel = world.organiser(), world.panel(5)
    study_id = world.study(organiser, kinds=("likert",), panel=panel, config={"max_rounds": 1, "min_rounds": 1})
    _run_round(world, study_id, organiser, panel, 1)
    with app.app_context():
        study, actor = _study(app, study_id), db.session.get(User, organiser.id)
        assert study.round(1).stopping["decision"] in {"stop_max_rounds", "stop_all_items_closed"}
        with pytest.raises(InvalidTransition, match="at most 1 rounds"):
            services.open_round(study, actor, utc_now() + timedelta(days=3))


def test_unsubmitted_drafts_are_discarded_at_close_and_answers_reshuffled(app, world):
    organiser, panel = world.organiser(), world.panel(6)
    study_id = world.study(organiser, panel=panel)
    world.open(study_id, organiser)
    for index, user in enumerate(panel):
        world.answer(study_id, 1, user, converging_values(index, 1), submit=index != 0)
    with app.app_context():
        before = set(db.session.scalars(select(DelphiAnswer.id)))
        assert len(before) == 18
    world.close(study_id, 1, organiser)
    with app.app_context():
        study = _study(app, study_id)
        after = set(db.session.scalars(select(DelphiAnswer.id)))
        assert len(after) == 15
        assert not after & before
        assert study.round(1).responded_count == 5
        assert study.round(1).report["per_round"][0]["items"]["Q1"]["n"] == 5
        assert services.own_answers(study.round(1), db.session.get(User, panel[0].id)) == {}


def test_reminders_go_only_to_non_responders(app, world):
    organiser, panel = world.organiser(), world.panel(6)
    study_id = world.study(organiser, panel=panel)
    world.open(study_id, organiser)
    world.answer(study_id, 1, panel[0], converging_values(0, 1))
    world.answer(study_id, 1, panel[1], converging_values(1, 1), submit=False)  # a draft is not an answer
    count = world.run(lambda s: services.remind_non_responders(s.round(1), world.actor(organiser)), study_id=study_id)
    assert count == 5
    with app.app_context():
        reminded = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "delphi.reminder")))
        assert reminded == {u.id for u in panel[1:]}
        with pytest.raises(InvalidTransition, match="less than an hour ago"):
            services.remind_non_responders(_study(app, study_id).round(1), db.session.get(User, organiser.id))


def test_remind_due_once_a_day_before_deadline(app, world):
    organiser, panel = world.organiser(), world.panel(5)
    study_id = world.study(organiser, panel=panel)
    world.open(study_id, organiser, days=1)
    with app.app_context():
        assert services.remind_due(hours_before=48) == 5
        assert services.remind_due(hours_before=48) == 0  # already reminded today
        assert services.remind_due(hours_before=48, now=utc_now() + timedelta(hours=23, minutes=30)) == 0
        db.session.commit()


def test_close_due_rounds_at_the_deadline(app, world):
    organiser, panel = world.organiser(), world.panel(5)
    study_id = world.study(organiser, panel=panel)
    world.open(study_id, organiser, days=2)
    with app.app_context():
        assert services.close_due_rounds() == []
        closed = services.close_due_rounds(now=utc_now() + timedelta(days=3))
        db.session.commit()
        assert [r.number for r in closed] == [1]
        rnd = _study(app, study_id).round(1)
        assert rnd.status == RoundStatus.CLOSED
        assert rnd.closed_at == rnd.deadline


def test_extend_deadline(app, world):
    organiser, panel = world.organiser(), world.panel(5)
    study_id = world.study(organiser, panel=panel)
    world.open(study_id, organiser, days=2)
    with app.app_context():
        study, actor = _study(app, study_id), db.session.get(User, organiser.id)
        with pytest.raises(DomainError, match="later than the current one"):
            services.extend_deadline(study.round(1), actor, study.round(1).deadline - timedelta(hours=1))
        services.extend_deadline(study.round(1), actor, study.round(1).deadline + timedelta(days=2))
        db.session.commit()
        assert (
            db.session.scalar(
                select(func.count()).select_from(Notification).where(Notification.kind == "delphi.deadline")
            )
            == 5
        )


def test_items_cannot_change_once_asked(app, world):
    organiser, panel = world.organiser(), world.panel(5)
    study_id = world.study(organiser, panel=panel)
    world.open(study_id, organiser)
    with app.app_context():
        study, actor = _study(app, study_id), db.session.get(User, organiser.id)
        item = study.items[0]
        with pytest.raises(InvalidTransition, match="already asked in round 1"):
            services.update_item(item, actor, LIKERT)
        with pytest.raises(InvalidTransition, match="already asked in round 1"):
            services.delete_item(item, actor)
        added = services.add_item(study, actor, LIKERT)  # new items join the next round
        assert added.code == "Q4"
        assert added.first_round is None


def test_finish_and_publish_results(app, world):
    organiser, panel = world.organiser(), world.panel(5)
    study_id = world.study(organiser, panel=panel)
    world.open(study_id, organiser)
    with app.app_context():
        study, actor = _study(app, study_id), db.session.get(User, organiser.id)
        with pytest.raises(InvalidTransition, match="Close the open round first"):
            services.finish_study(study, actor)
        with pytest.raises(InvalidTransition, match="once the study is finished"):
            services.publish_results(study, actor)
    for index, user in enumerate(panel):
        world.answer(study_id, 1, user, converging_values(index, 1))
    world.close(study_id, 1, organiser)
    with app.app_context():
        study, actor = _study(app, study_id), db.session.get(User, organiser.id)
        with pytest.raises(InvalidTransition, match="Publish the feedback of round 1 first"):
            services.finish_study(study, actor)
    world.publish(study_id, 1, organiser)
    world.run(lambda s: services.finish_study(s, world.actor(organiser)), study_id=study_id)
    world.run(lambda s: services.publish_results(s, world.actor(organiser)), study_id=study_id)
    with app.app_context():
        study = _study(app, study_id)
        assert study.is_finished
        assert study.results_published
        assert study.finish_reason == "organiser_decision"  # round 1 said "continue"
        notified = db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.kind == "delphi.finished")
        )
        assert notified == 5


def test_proposals_round(app, world):
    organiser, panel = world.organiser(), world.panel(5)
    study_id = world.study(organiser, kinds=(), panel=panel)
    assert world.open(study_id, organiser, proposals=True) == 0
    world.run(
        lambda s: services.add_proposal(s.round(0), world.actor(panel[0]), "Publish the queue weekly"),
        study_id=study_id,
    )
    with app.app_context():
        study = _study(app, study_id)
        with pytest.raises(DomainError, match="Write your proposal"):
            services.add_proposal(study.round(0), db.session.get(User, panel[1].id), "  ")
        with pytest.raises(PermissionDenied):
            services.add_proposal(study.round(0), db.session.get(User, organiser.id), "Not on the panel")
        assert [p.text for p in services.own_proposals(study.round(0), db.session.get(User, panel[0].id))] == [
            "Publish the queue weekly"
        ]
        assert services.own_proposals(study.round(0), db.session.get(User, panel[1].id)) == []
    world.close(study_id, 0, organiser)
    with app.app_context():
        study, actor = _study(app, study_id), db.session.get(User, organiser.id)
        proposal = db.session.scalar(select(DelphiProposal))
        item = services.add_item(study, actor, LIKERT, proposal=proposal)
        assert (proposal.status, proposal.item_id) == (ProposalStatus.ACCEPTED, item.id)
        rnd = services.open_round(study, actor, utc_now() + timedelta(days=3))
        assert rnd.number == 1
        assert [i.code for i in rnd.items] == ["Q1"]
        db.session.commit()


def test_key_shredding_keeps_reports_and_unlinks_answers(app, world):
    organiser, panel = world.organiser(), world.panel(5)
    study_id = world.study(organiser, panel=panel)
    _run_round(world, study_id, organiser, panel, 1)
    world.run(lambda s: services.finish_study(s, world.actor(organiser)), study_id=study_id)
    with app.app_context():
        assert services.shred_expired_keys(retention_days=30) == 0
        assert services.shred_expired_keys(retention_days=30, now=utc_now() + timedelta(days=31)) == 1
        db.session.commit()
        study = _study(app, study_id)
        assert not pseudonyms.has_key(study)
        assert study.key_shredded_at is not None
        assert study.round(1).report is not None
        assert services.own_answers(study.round(1), db.session.get(User, panel[0].id)) == {}
        with pytest.raises(pseudonyms.KeyShredded):
            pseudonyms.pseudonym(study.round(1), panel[0].id)


def test_erasing_an_account_removes_its_address_from_invitations(app, world, make_user):
    from civic.identity.services import erase_user

    organiser, invitee = world.organiser(), make_user(email="leaving@example.test")
    study_id = world.study(organiser)
    world.run(lambda s: services.invite_by_email(s, world.actor(organiser), "leaving@example.test"), study_id=study_id)
    with app.app_context():
        erase_user(db.session.get(User, invitee.id))
        db.session.commit()
        assert db.session.scalar(select(DelphiInvitation.email)) == f"deleted-{invitee.id}@deleted.invalid"
