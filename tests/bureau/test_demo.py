"""``flask seed demo`` loads the bureau's demo data end to end, through the services."""

from __future__ import annotations

from sqlalchemy import func, select

from civic import db
from civic.bureau.models import Case, CaseEvent, Referral
from civic.bureau.models.enums import CaseState, Channel
from civic.identity.models import Territory


def test_seed_demo_creates_cases_in_every_state_and_channel(app, runner):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "bureau: 306 cases" in result.output
    with app.app_context():
        states = set(db.session.scalars(select(Case.state).distinct()))
        channels = set(db.session.scalars(select(Case.channel).distinct()))
        assert states == {s.value for s in CaseState}
        assert channels == {c.value for c in Channel}
        codes = set(db.session.scalars(select(Territory.code).join(Case, Case.territory_id == Territory.id)))
        assert any(c.startswith("KZ-ALA-") for c in codes)
        assert any(c.startswith("KZ-VOS") for c in codes)
        sla_states = set(db.session.scalars(select(Referral.sla_state).distinct()))
        assert {"on_time", "overdue", "paused", "answered", "closed"} <= sla_states
        assert db.session.scalar(select(func.count()).select_from(CaseEvent)) > 2000
        # the timeline never runs backwards: every event at or after its case's opening
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(CaseEvent)
                .join(Case, Case.id == CaseEvent.case_id)
                .where(CaseEvent.at < Case.created_at)
            )
            == 0
        )
    again = runner.invoke(args=["bureau", "sweep"])
    assert again.exit_code == 0
    assert "0 changed" in again.output
