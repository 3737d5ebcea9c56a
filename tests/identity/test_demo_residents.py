"""The demo residents: every Almaty district has enough of them to carry a district petition to moderation."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
from sqlalchemy import select

from civic import db
from civic.demo import DemoContext
from civic.identity import demo
from civic.identity.models import AssuranceLevel, Category, Territory, User
from civic.petitions import rules, services
from civic.petitions.models import PetitionState


def _seed_identity(app) -> None:
    with app.app_context():
        context = DemoContext(rng=random.Random(42), np_rng=np.random.default_rng(42), echo=lambda _text: None)
        demo.seed_demo(context)
        db.session.commit()


def _verified_residents_by_district(app) -> dict[str, list[int]]:
    with app.app_context():
        districts = {
            t.id: t.code for t in db.session.scalars(select(Territory).where(Territory.code.startswith("KZ-ALA-")))
        }
        residents = db.session.scalars(select(User).where(User.email.like("resident%@demo.civic.kz"))).all()
        found: dict[str, list[int]] = {code: [] for code in districts.values()}
        for user in residents:
            if user.has_level(AssuranceLevel.IIN_VERIFIED) and user.home_territory_id in districts:
                found[districts[user.home_territory_id]].append(user.id)
        return found


def test_every_almaty_district_has_enough_verified_residents(app):
    _seed_identity(app)
    by_district = _verified_residents_by_district(app)
    assert len(by_district) == 8
    needed = rules.DEFAULT_SUPPORTERS_NEEDED + 1  # the author does not count as a supporter
    assert needed <= demo.RESIDENTS_PER_DISTRICT
    short = {code: len(ids) for code, ids in by_district.items() if len(ids) < demo.RESIDENTS_PER_DISTRICT}
    assert short == {}, f"districts without {demo.RESIDENTS_PER_DISTRICT} verified demo residents: {short}"
    with app.app_context():
        levels = Counter(
            u.assurance_level
            for u in db.session.scalars(select(User).where(User.email.like("resident%@demo.civic.kz")))
        )
    assert levels[int(AssuranceLevel.EMAIL_VERIFIED)] > 0  # some still show the "add your IIN" step


def test_a_district_petition_reaches_moderation_with_demo_residents_alone(app):
    _seed_identity(app)
    by_district = _verified_residents_by_district(app)
    with app.app_context():
        category = db.session.scalar(select(Category).where(Category.code.in_(rules.PETITION_CATEGORY_CODES)))
        for code, ids in sorted(by_district.items()):
            territory = db.session.scalar(select(Territory).where(Territory.code == code))
            author, *others = (db.session.get(User, i) for i in ids)
            petition = services.create_draft(
                author,
                f"Аулаға балалар алаңы керек ({code})",
                "Ауданымыздағы аулада балалар ойнайтын қауіпсіз алаң жоқ. Әкімдіктен алаң салуды сұраймыз.",
                territory,
                category,
            )
            services.submit_for_supporters(petition, author)
            for supporter in others[: rules.settings().supporters_needed]:
                services.support(petition, supporter)
            db.session.flush()
            db.session.refresh(petition)
            assert petition.state == PetitionState.AWAITING_MODERATION, code
        db.session.rollback()
