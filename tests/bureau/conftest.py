"""Bureau fixtures: a cast of users (client, consultants, supervisor, officials, head, inspector), files, and a
``cases`` helper that drives a case to any state through the real services at a chosen instant."""

from __future__ import annotations

import io
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from civic import db
from civic.bureau import clock
from civic.bureau.models import Case, Channel, Consent, Referral
from civic.bureau.services import cases as case_services
from civic.bureau.services import referrals as referral_services
from civic.identity.models import Category, StateBody, Territory, User
from tests.factories import World, by_code, user  # noqa: F401  (user: imported by the tests)

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
#: A Tuesday in Almaty (UTC+5): 10:00 local.
T0 = datetime(2025, 4, 1, 5, 0, tzinfo=UTC)


def upload(data: bytes = PDF, name: str = "letter.pdf", content_type: str = "application/pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type=content_type)


@dataclass
class Cast:
    client: User
    other_client: User
    consultant: User
    other_consultant: User
    vos_consultant: User
    supervisor: User
    official: User
    housing_official: User
    head: User
    inspector: User
    vos_inspector: User
    admin: User
    resident: User


@pytest.fixture(autouse=True)
def _bureau_uploads(request, tmp_path):
    """Keep uploaded files in the test's temporary folder."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    previous = app.config.get("BUREAU_UPLOAD_DIR")
    app.config["BUREAU_UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield
    app.config["BUREAU_UPLOAD_DIR"] = previous


@pytest.fixture
def language():
    """These tests read English messages (see ``language`` in tests/conftest.py)."""
    return "en"


@pytest.fixture
def client_language() -> str:
    """The client's own profile language: Kazakh, while the staff (and the assertions) read the test's ``language``,
    so that tests see messages for a person follow that person's language."""
    return "kk"


@pytest.fixture
def cast(app, directory, make_user, client_language) -> Cast:
    people = Cast(
        client=make_user(display_name="Айжан Клиент", home="KZ-ALA-ALM", locale=client_language),
        other_client=make_user(display_name="Other Client"),
        consultant=make_user(display_name="Consultant Almaty", roles=[("bureau_consultant", "KZ-ALA")]),
        other_consultant=make_user(display_name="Consultant Two", roles=[("bureau_consultant", "KZ-ALA")]),
        vos_consultant=make_user(display_name="Consultant East", roles=[("bureau_consultant", "KZ-VOS")]),
        supervisor=make_user(display_name="Supervisor", roles=[("bureau_supervisor", "KZ-ALA")]),
        official=make_user(display_name="Official Akimat", roles=[("official", None, "KZ-ALA.AKIMAT")]),
        housing_official=make_user(display_name="Official Housing", roles=[("official", None, "KZ-ALA.HOUSING")]),
        head=make_user(display_name="Head of Akimat", roles=[("official", None, "KZ-ALA.AKIMAT")]),
        inspector=make_user(display_name="Inspector", roles=[("inspector", None, "KZ-ALA.AKIMAT")]),
        vos_inspector=make_user(display_name="Inspector East", roles=[("inspector", None, "KZ-VOS.AKIMAT")]),
        admin=make_user(display_name="Admin", roles=["admin"]),
        resident=make_user(display_name="Resident"),
    )
    with app.app_context():
        db.session.get(StateBody, directory.bodies["KZ-ALA.AKIMAT"]).head_user_id = people.head.id
        db.session.commit()
    return people


@contextmanager
def at(app, instant: datetime | None = None):
    """A request context (services build links) with the bureau's clock frozen at ``instant``; commits at the end.
    Its messages are in the test's ``language`` (English here, independent of the translations)."""
    with app.test_request_context(), clock.frozen_at(instant or T0):
        yield
        db.session.commit()


def category(code: str) -> Category:
    return by_code(Category, code)


def territory(code: str) -> Territory:
    return by_code(Territory, code)


def body(code: str) -> StateBody:
    return by_code(StateBody, code)


class Cases(World):
    """Make cases through the services: ``cases.make(state, at=...)`` returns the case id."""

    ORDER = ("new", "triaged", "assigned", "in_progress", "referred", "awaiting_client", "resolved", "closed")

    def open(
        self,
        *,
        when: datetime = T0,
        consents=(Consent.DATA, Consent.REFERRAL, Consent.FOLLOW_UP),
        category_code: str = "debts",
        territory_code: str = "KZ-ALA-ALM",
        uploads=(),
        client: str = "client",
    ) -> int:
        with at(self.app, when):
            person = user(getattr(self.cast, client))
            case = case_services.open_case(
                actor=person,
                client=person,
                channel=Channel.ONLINE,
                category=category(category_code),
                territory=territory(territory_code),
                description="Банк менің несиемді қайта құрылымдаудан бас тартты, не істеуім керек?",
                preferred_language="kk",
                contact_channel="in_app",
                consents=set(consents),
                uploads=list(uploads),
            )
            return case.id

    def make(
        self,
        state: str,
        *,
        when: datetime = T0,
        referred: bool = False,
        body_code: str = "KZ-ALA.AKIMAT",
        **open_kwargs,
    ) -> int:
        """A case in ``state``; ``referred=True`` with "awaiting_client" pauses a referral."""
        case_id = self.open(when=when, **open_kwargs)
        steps = {
            "triaged": self._triage,
            "assigned": self._assign,
            "in_progress": self._start,
            "referred": lambda c: self._refer(c, body_code),
            "awaiting_client": self._await,
            "resolved": self._resolve,
            "closed": self._close,
        }
        path = {
            "new": [],
            "triaged": ["triaged"],
            "assigned": ["triaged", "assigned"],
            "in_progress": ["triaged", "assigned", "in_progress"],
            "referred": ["triaged", "assigned", "in_progress", "referred"],
            "awaiting_client": [
                "triaged",
                "assigned",
                "in_progress",
                *(["referred"] if referred else []),
                "awaiting_client",
            ],
            "resolved": ["triaged", "assigned", "in_progress", "resolved"],
            "closed": ["triaged", "assigned", "in_progress", "resolved", "closed"],
        }[state]
        for offset, step in enumerate(path, start=1):
            with at(self.app, when + timedelta(minutes=offset)):
                steps[step](db.session.get(Case, case_id))
        return case_id

    def _triage(self, case):
        case_services.triage(case, user(self.cast.consultant))

    def _assign(self, case):
        case_services.assign(case, user(self.cast.consultant), user(self.cast.consultant))

    def _start(self, case):
        case_services.start(case, user(self.cast.consultant))

    def _refer(self, case, body_code):
        referral_services.refer(
            case,
            user(self.cast.consultant),
            body(body_code),
            "Өтініш: банк несиені қайта құрылымдаудан негізсіз бас тартты.",
        )

    def _await(self, case):
        case_services.await_client(case, user(self.cast.consultant), "Келісімшарттың көшірмесін жіберіңіз.")

    def _resolve(self, case):
        case_services.resolve(
            case, user(self.cast.consultant), "advice_given", "Банкке жазбаша шағым жіберіңіз, үлгісін қоса береміз."
        )

    def _close(self, case):
        case_services.close(case, user(self.cast.consultant))


@pytest.fixture
def cases(app, cast) -> Cases:
    return Cases(app, cast)


def referral_of(case_id: int) -> Referral:
    return db.session.scalar(select(Referral).where(Referral.case_id == case_id).order_by(Referral.id.desc()))
