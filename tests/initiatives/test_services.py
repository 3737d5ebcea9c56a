"""Initiative services: templates, steps and their records, roll-up by hand, CSV import of bad input, weak spots."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from civic import db
from civic.core.errors import DomainError, PermissionDenied
from civic.identity.models import AuditEvent
from civic.initiatives import services, values
from civic.initiatives.models import Initiative, Rollup, StepMove, Template, Value
from tests.initiatives.conftest import CSV_HEADER, territory, user


def test_load_templates_is_idempotent(app):
    with app.app_context():
        assert services.load_templates() == (45, 0)
        db.session.commit()
        assert services.load_templates() == (0, 0)
        case = db.session.scalar(select(Template).where(Template.case_no == 17))
        assert case.title_en == "Kindergarten places"
        assert case.title_kk
        assert case.title_ru
        assert "advice_bureau" in case.mechanisms
        assert db.session.scalar(select(func.count()).select_from(Template)) == 45


def test_load_templates_command(app, runner):
    result = runner.invoke(args=["initiatives", "load-templates"])
    assert "45 created" in result.output
    result = runner.invoke(args=["initiatives", "load-templates"])
    assert "0 created, 0 updated" in result.output


def test_start_from_template_copies_indicators_and_needs_permission(app, cast, initiatives):
    initiative_id = initiatives.make()
    with app.app_context():
        initiative = db.session.get(Initiative, initiative_id)
        codes = [i.code for i in values.indicators_of(initiative)]
        assert codes == ["KG_COVERAGE", "KG_QUEUE", "RURAL_KG"]
        assert initiative.step == 1
        assert initiative.on_team(user(cast.owner))
        data = services.InitiativeData("x", "", territory("KZ-VOS"), "education", 5)
        with pytest.raises(PermissionDenied):
            services.start_initiative(user(cast.resident), data)
        with pytest.raises(PermissionDenied):
            services.start_initiative(user(cast.other_official), data)


def test_step_moves_need_their_record_and_are_audited(app, cast, initiatives):
    initiative_id = initiatives.make(step=3)
    with app.app_context():
        initiative = db.session.get(Initiative, initiative_id)
        owner = user(cast.owner)
        with pytest.raises(DomainError, match="what was done"):
            services.advance(initiative, owner, "")
        with pytest.raises(DomainError, match="text of the decision"):
            services.advance(initiative, owner, "Met")
        with pytest.raises(DomainError, match="indicator with a target"):
            services.advance(initiative, owner, "Met", decision_text="Build two kindergartens")
        assert initiative.step == 3
        indicator = values.indicators_of(initiative)[0]
        values.set_target(indicator, initiative, owner, 100, "2027")
        services.advance(initiative, owner, "Met", decision_text="Build two kindergartens")
        assert initiative.step == 4
        with pytest.raises(DomainError, match="step 3"):
            values.set_target(indicator, initiative, owner, 120, "2027")
        moves = db.session.scalars(select(StepMove).where(StepMove.initiative_id == initiative.id)).all()
        assert [(m.from_step, m.to_step) for m in moves] == [(1, 2), (2, 3), (3, 4)]
        audited = db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "initiative.step")
        )
        assert audited == 3
        with pytest.raises(PermissionDenied):
            services.advance(initiative, user(cast.resident), "x")


def test_step_six_needs_group_four_consulted_or_an_override(app, cast, initiatives):
    from civic.stakeholders import services as sh

    initiative_id = initiatives.make(step=6)
    with app.app_context():
        initiative = db.session.get(Initiative, initiative_id)
        owner = user(cast.owner)
        with pytest.raises(DomainError, match="No stakeholder map"):
            services.advance(initiative, owner, "Checked")
        stakeholder_map = sh.open_map("initiative", initiative.id, owner)
        s = sh.register_stakeholder(territory("KZ-VOS"), sh.StakeholderData("Maslikhat", "state_body"), owner)
        entry = sh.add_to_map(stakeholder_map, s, owner)
        sh.score(entry, owner, 2, 5)
        assert entry.group == 4
        with pytest.raises(DomainError, match="Maslikhat"):
            services.advance(initiative, owner, "Checked")
        sh.record_engagement(entry, owner, "informing", "Sent a letter")
        with pytest.raises(DomainError, match="Group 4 not yet consulted"):
            services.advance(initiative, owner, "Checked")
        services.advance(initiative, owner, "Checked", override_reason="The maslikhat session is next month")
        assert initiative.step == 7
        assert initiative.check_override_reason.startswith("The maslikhat")


def test_step_six_passes_after_consultation(app, cast, initiatives):
    from civic.stakeholders import services as sh

    initiative_id = initiatives.make(step=6)
    with app.app_context():
        initiative = db.session.get(Initiative, initiative_id)
        owner = user(cast.owner)
        stakeholder_map = sh.open_map("initiative", initiative.id, owner)
        s = sh.register_stakeholder(territory("KZ-VOS"), sh.StakeholderData("Maslikhat", "state_body"), owner)
        entry = sh.add_to_map(stakeholder_map, s, owner)
        sh.score(entry, owner, 2, 5)
        sh.record_engagement(entry, owner, "consultation", "Agreed the conditions")
        services.advance(initiative, owner, "Checked")
        assert initiative.step == 7
        assert initiative.check_override_reason == ""


def test_step_ten_publishes_and_informs_followers_and_groups(app, cast, initiatives):
    from civic.identity.models import Notification
    from civic.stakeholders import services as sh

    initiative_id = initiatives.make(step=10)
    with app.app_context():
        initiative = db.session.get(Initiative, initiative_id)
        owner = user(cast.owner)
        services.subscribe(initiative, user(cast.follower))
        stakeholder_map = sh.map_of("initiative", initiative.id)
        informed = sh.register_stakeholder(
            territory("KZ-VOS"),
            sh.StakeholderData("Parents' council", "group", contact_email=user(cast.contact).email),
            owner,
        )
        watched = sh.register_stakeholder(
            territory("KZ-VOS"), sh.StakeholderData("Watched NGO", "ngo", contact_email="ngo@example.org"), owner
        )
        sh.score(sh.add_to_map(stakeholder_map, informed, owner), owner, 5, 1)  # group 1: informing
        sh.score(sh.add_to_map(stakeholder_map, watched, owner), owner, 1, 1)  # group 3: monitoring
        with pytest.raises(DomainError, match="public report"):
            services.advance(initiative, owner, "Done")
        services.advance(initiative, owner, "Done", report_text="150 places opened.")
        assert initiative.finished
        assert initiative.step == 10
        told = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "initiative_report")))
        assert told == {cast.follower.id, cast.contact.id}
        with pytest.raises(DomainError):
            services.advance(initiative, owner, "again", report_text="x")


def _rollup(indicator_id, code, period):
    return db.session.scalar(
        select(Rollup.value).where(
            Rollup.indicator_id == indicator_id, Rollup.territory_id == territory(code).id, Rollup.period == period
        )
    )


def test_rollup_by_hand(app, cast, initiatives):
    initiative_id = initiatives.make(with_values=True)
    with app.app_context():
        initiative = db.session.get(Initiative, initiative_id)
        indicator = next(i for i in values.indicators_of(initiative) if i.code == "RURAL_KG")
        # 2024: BOB 20, TAR 21, KIR 22 (Glubokoye), BOZ 23 (Ulan)
        assert _rollup(indicator.id, "KZ-VOS-GLU-BOB", "2024") == 20
        assert _rollup(indicator.id, "KZ-VOS-GLU", "2024") == 63
        assert _rollup(indicator.id, "KZ-VOS-ULA", "2024") == 23
        assert _rollup(indicator.id, "KZ-VOS", "2024") == 86
        assert _rollup(indicator.id, "KZ", "2024") == 86
        indicator.aggregation = "mean"
        values.refresh_rollup([indicator.id])
        assert _rollup(indicator.id, "KZ-VOS-GLU", "2024") == pytest.approx(21)
        assert _rollup(indicator.id, "KZ-VOS", "2024") == pytest.approx(21.5)
        view = values.territory_view(indicator, territory("KZ-VOS"), "2024")
        assert [(p.territory.code, p.rank) for p in view] == [("KZ-VOS-GLU", "worst"), ("KZ-VOS-ULA", "middle")]
        # a form value replaces one and the roll-up follows
        values.set_value(indicator, initiative, user(cast.owner), territory("KZ-VOS-ULA-BOZ"), "2024", 3)
        assert _rollup(indicator.id, "KZ-VOS", "2024") == pytest.approx((20 + 21 + 22 + 3) / 4)
        assert values.progress(indicator, territory("KZ-VOS"))["points"][0] == ("2023", pytest.approx(11.5))


BAD_FILES = [
    ("indicator,territory,year,value,unit\nRURAL_KG,KZ-VOS-GLU-BOB,2024,1,places\n", "Wrong columns"),
    (CSV_HEADER + "RURAL_KG,KZ-NOWHERE,2024,1,places\n", "Unknown territory code"),
    (CSV_HEADER + "NOPE,KZ-VOS-GLU-BOB,2024,1,places\n", "Unknown indicator code"),
    (CSV_HEADER + "RURAL_KG,KZ-VOS-GLU-BOB,2024,many,places\n", "is not a number"),
    (CSV_HEADER + "RURAL_KG,KZ-VOS-GLU-BOB,2024,5,percent\n", "The unit of RURAL_KG"),
    (CSV_HEADER + "RURAL_KG,KZ-VOS-GLU,2024,5,places\n", "is not at that level"),
    (CSV_HEADER + "RURAL_KG,KZ-ALM-KAR-X,2024,5,places\n", "Unknown territory code"),
    (CSV_HEADER + "RURAL_KG,KZ-VOS-GLU-BOB,24/2024,5,places\n", "is not a period"),
    (
        CSV_HEADER + "RURAL_KG,KZ-VOS-GLU-BOB,2024,5,places\nRURAL_KG,KZ-VOS-GLU-BOB,2024,6,places\n",
        "Duplicate row",
    ),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_csv_bad_input_imports_nothing(app, cast, initiatives, content, message):
    initiative_id = initiatives.make()
    with app.app_context():
        initiative = db.session.get(Initiative, initiative_id)
        good = CSV_HEADER.rstrip("\n") + "\nRURAL_KG,KZ-VOS-GLU-TAR,2024,7,places\n"
        report = values.import_csv(initiative, user(cast.owner), content + good.split("\n", 1)[1])
        assert not report.ok
        text = report.fatal or " ".join(reason for _line, reason in report.rejected)
        assert message in text
        assert db.session.scalar(select(func.count()).select_from(Value)) == 0


def test_csv_outside_the_initiative_is_rejected(app, cast, initiatives):
    initiative_id = initiatives.make()
    with app.app_context():
        initiative = db.session.get(Initiative, initiative_id)
        indicator = next(i for i in values.indicators_of(initiative) if i.code == "KG_QUEUE")
        report = values.import_csv(
            initiative, user(cast.owner), CSV_HEADER + f"KG_QUEUE,KZ-ALA-BOS,2024,5,{indicator.unit}\n"
        )
        assert report.rejected
        assert "outside" in report.rejected[0][1]


def test_weak_spots_go_one_level_up_and_are_answered(app, cast):
    with app.app_context():
        district = user(cast.district)
        report = services.send_weak_spots(district, territory("KZ-VOS-GLU"), "Queues in Bobrovka", "Two groups")
        assert report.to_territory_id == territory("KZ-VOS").id
        with pytest.raises(PermissionDenied):
            services.answer_weak_spots(report, user(cast.other_official), "No")
        with pytest.raises(PermissionDenied):
            services.send_weak_spots(district, territory("KZ-VOS"), "x", "")
        services.answer_weak_spots(report, user(cast.owner), "We fund one group in 2026")
        received, _sent = services.weak_spots_for(user(cast.owner))
        assert [r.id for r in received] == [report.id]
        received, sent = services.weak_spots_for(district)
        assert [r.id for r in sent] == [report.id]
        assert received == []
        upward = services.send_weak_spots(user(cast.owner), territory("KZ-VOS"), "Oblast-wide deficit", "")
        assert upward.to_territory_id == territory("KZ").id
