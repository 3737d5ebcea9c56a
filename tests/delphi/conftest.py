"""Delphi fixtures: a ``world`` helper that builds studies, panels and rounds through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from civic import db
from civic.db import utc_now
from civic.delphi import services
from civic.delphi.models import DelphiStudy
from civic.identity.models import User
from tests import factories

LIKERT = services.ItemData(
    kind="likert", texts={"en": "Priority for children of large families"}, scale_preset="agreement5"
)
NUMERIC = services.ItemData(
    kind="numeric", texts={"en": "Places to add next year"}, unit="places", min_value=0, max_value=10000
)
YES_NO = services.ItemData(kind="yes_no", texts={"en": "Publish the queue online?"})
RANKING = services.ItemData(
    kind="ranking",
    texts={"en": "Rank the priority groups"},
    options={"en": ["Military families", "Disabled parents", "Orphans", "Large families"]},
)
CATEGORICAL = services.ItemData(
    kind="categorical", texts={"en": "Who should run the queue?"}, options={"en": ["Akimat", "Ministry", "Schools"]}
)
ITEMS = {"likert": LIKERT, "numeric": NUMERIC, "yes_no": YES_NO, "ranking": RANKING, "categorical": CATEGORICAL}


class World(factories.World):
    """Builds Delphi situations through the services, each step committed, returning ids (never live objects)."""

    def organiser(self, **kwargs) -> User:
        return self.make_user(roles=["council_member"], display_name="Organiser", **kwargs)

    def panel(self, n: int) -> list[User]:
        return [self.make_user(roles=["council_member"], display_name=f"Panelist {i + 1}") for i in range(n)]

    def study(self, organiser: User, kinds=("likert", "numeric", "yes_no"), panel=(), config=None) -> int:
        with self.app.app_context():
            actor = db.session.get(User, organiser.id)
            study = services.create_study(
                actor,
                services.StudyData(
                    titles={"en": "Kindergarten places"}, contexts={"en": "Context"}, base_language="en"
                ),
            )
            for kind in kinds:
                services.add_item(study, actor, ITEMS[kind])
            if config:
                services.set_config(study, actor, config)
            if panel:
                services.add_panelists(study, actor, [u.id for u in panel])
            db.session.commit()
            return study.id

    def run(self, fn, *args, study_id: int | None = None, **kwargs):
        """Call ``fn(study, *args)`` on the live study (or ``fn(*args)`` without ``study_id``) and commit."""
        if study_id is None:
            return super().run(fn, *args, **kwargs)
        return super().run(lambda: fn(db.session.get(DelphiStudy, study_id), *args, **kwargs))

    actor = staticmethod(factories.user)

    def open(self, study_id: int, organiser: User, days: int = 7, proposals: bool = False, now=None) -> int:
        def _open(study):
            rnd = services.open_round(
                study, self.actor(organiser), (now or utc_now()) + timedelta(days=days), now=now, proposals=proposals
            )
            return rnd.number

        return self.run(_open, study_id=study_id)

    def answer(
        self,
        study_id: int,
        number: int,
        user: User,
        values: dict,
        why: dict | None = None,
        submit: bool = True,
        now=None,
    ):
        def _answer(study):
            rnd = study.round(number)
            codes = {item.code: item.id for item in rnd.items}
            raw = {
                codes[c]: services.RawAnswer(value=v, justification=(why or {}).get(c, ""))
                for c, v in values.items()
                if c in codes
            }
            return services.save_answers(rnd, self.actor(user), raw, submit=submit, now=now)

        return self.run(_answer, study_id=study_id)

    def close(self, study_id: int, number: int, organiser: User | None = None):
        return self.run(
            lambda s: services.close_round(s.round(number), self.actor(organiser) if organiser else None),
            study_id=study_id,
        )

    def publish(self, study_id: int, number: int, organiser: User):
        return self.run(lambda s: services.publish_feedback(s.round(number), self.actor(organiser)), study_id=study_id)


@pytest.fixture
def world(app, make_user):
    return World(app, make_user=make_user)


def converging_values(index: int, round_number: int) -> dict:
    """Answers that spread in round 1 and gather around the middle later (deterministic)."""
    likert = [2, 3, 4, 4, 5, 4, 3, 5][index % 8] if round_number == 1 else 4
    numeric = [800, 1000, 1200, 900, 1500, 1100, 950, 1050][index % 8] if round_number == 1 else 1000 + index
    return {"Q1": str(likert), "Q2": str(numeric), "Q3": "yes" if index % 5 else "no"}


@pytest.fixture
def language():
    """These tests read English messages (see ``language`` in tests/conftest.py)."""
    return "en"
