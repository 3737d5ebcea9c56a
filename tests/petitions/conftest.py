"""Petition fixtures: a small world (author, supporters, moderator, officials) and petitions in any state.

Helpers work inside their own app context and return ids, so tests can use the client freely afterwards.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from civic import db
from civic.db import utc_now
from civic.identity.directory import route_to_body
from civic.identity.models import AssuranceLevel, Category, StateBody, Territory, User
from civic.petitions import moderation, services, signing, tallies
from civic.petitions.models import Petition
from tests import factories
from tests.factories import by_code, user

HOME = "KZ-ALA-ALM"


@pytest.fixture
def language():
    """These tests read English messages (see ``language`` in tests/conftest.py)."""
    return "en"


class World(factories.World):
    """Petitions through the real services: an author, a moderator of Almaty and five supporters (set by ``world``)."""

    author: User
    moderator: User
    supporters: list[User]

    def populate(self, author: str = "Айжан Қасымова", moderator: str = "Moderator") -> World:
        """The people every petition needs: an author, a moderator of Almaty and five supporters; returns self."""
        self.author = self.user(display_name=author)
        self.moderator = self.make_user(roles=[("moderator", "KZ-ALA")], home=HOME, display_name=moderator)
        self.supporters = [self.user(display_name=f"Supporter {i}") for i in range(5)]
        return self

    def user(self, **kwargs) -> User:
        kwargs.setdefault("home", HOME)
        return self.make_user(**kwargs)

    def official_for(self, petition_id: int) -> User:
        """An official of the body the petition is routed to."""
        with self.app.app_context():
            body = db.session.get(Petition, petition_id).state_body
            code = body.code
        return self.make_user(roles=[("official", None, code)], home=HOME)

    def body_for(self, territory: str, category: str) -> str:
        with self.app.app_context():
            return route_to_body(by_code(Territory, territory), by_code(Category, category)).code

    def draft(
        self,
        title="Install a pedestrian crossing at Abay Avenue",
        territory=HOME,
        category="transport_roads",
        text="Children cross six lanes on their way to school number 12 every morning without a crossing.",
        author: User | None = None,
    ) -> int:
        with self.app.app_context():
            petition = services.create_draft(
                user(author or self.author),
                title,
                text,
                by_code(Territory, territory),
                by_code(Category, category),
                language="en",
            )
            db.session.commit()
            return petition.id

    def advance(self, petition_id: int, to: str, **kwargs) -> int:
        """Move a draft through the real services up to state ``to``."""
        order = ["draft", "gathering_supporters", "awaiting_moderation", "open", "closed"]
        with self.app.app_context():
            petition = db.session.get(Petition, petition_id)
            author = db.session.get(User, petition.author_id)
            start = order.index(petition.state)
            steps = range(start + 1, order.index(to) + 1)
            if 1 in steps:
                services.submit_for_supporters(petition, author)
            if 2 in steps:
                for supporter in self.supporters:
                    services.support(petition, db.session.get(User, supporter.id))
            if 3 in steps:
                moderation.approve(petition, db.session.get(User, self.moderator.id), now=kwargs.get("opened_at"))
            if 4 in steps:
                petition.closes_at = utc_now() - timedelta(seconds=1)
                db.session.flush()
                services.close_if_expired(petition.id)
            db.session.commit()
        return petition_id

    def petition(self, state: str = "open", **kwargs) -> int:
        opened_at = kwargs.pop("opened_at", None)
        return self.advance(self.draft(**kwargs), state, opened_at=opened_at)

    def sign(self, petition_id: int, user: User, ip: str = "10.0.0.1", notify: bool = False) -> None:
        with self.app.app_context():
            signer = db.session.get(User, user.id)
            signing.sign(petition_id, signer, ip=ip, notify_me=notify)
            db.session.commit()

    def get(self, petition_id: int) -> Petition:
        return self.load(Petition, petition_id)

    def set_thresholds(self, petition_id: int, response: int, hearing: int) -> None:
        with self.app.app_context():
            petition = db.session.get(Petition, petition_id)
            petition.response_threshold, petition.hearing_threshold = response, hearing
            db.session.commit()

    def tally(self, petition_id: int) -> int:
        with self.app.app_context():
            added = tallies.tally(petition_id)
            db.session.commit()
            return added

    def count(self, petition_id: int) -> int:
        with self.app.app_context():
            return tallies.live_count(db.session.get(Petition, petition_id))

    def body(self, code: str) -> StateBody:
        with self.app.app_context():
            return by_code(StateBody, code)


@pytest.fixture
def world(app, make_user, directory) -> World:
    return World(app=app, make_user=make_user, directory=directory).populate()


@pytest.fixture
def residents(world):
    """Factory: n IIN-verified residents of the Almaly district."""
    return lambda n, **kwargs: [world.user(**kwargs) for _ in range(n)]


LEVELS = AssuranceLevel
