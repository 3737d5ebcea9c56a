"""GET requests write nothing (docs/architecture.md, "Requests and transactions").

Every GET page of every module is requested, on the demo data, by a visitor and by each kind of account, while a
cursor listener records the INSERT, UPDATE and DELETE statements. Upkeep (closing due Delphi rounds and expired
petitions, tallies, overdue marks) belongs to the ``flask`` jobs; pages compute "due" and "overdue" when they read.

The one write a GET may make is an append-only audit record of a look at personal data: a staff export of a bureau
case or of the open cases, and a refused look at a case (``bureau.views.common.refuse``). It must be exactly that.
"""

from __future__ import annotations

import random
import re
from contextlib import contextmanager
from datetime import timedelta

import numpy as np
from sqlalchemy import event, select, update

from civic import db
from civic.bureau.models import Attachment, Case, Referral, ResponseTemplate
from civic.contests.models import Contest, Entry, EntryImage
from civic.councils.models import Council, Meeting, Recommendation, VolunteerCall
from civic.db import utc_now
from civic.delphi.models import DelphiItem, DelphiRound, DelphiStudy, ItemKind, RoundStatus
from civic.demo import DemoContext
from civic.identity.demo import STAFF
from civic.identity.models import StateBody, User
from civic.initiatives.models import Indicator
from civic.modules import MODULES, submodule
from civic.petitions.models import Petition, PetitionSignature, PetitionState
from civic.stakeholders.models import Stakeholder, StakeholderMap

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|UPSERT|MERGE)\b", re.IGNORECASE)
AUDIT_INSERT = re.compile(r"^\s*INSERT INTO audit_events\b", re.IGNORECASE)
#: GET endpoints that append an audit record (and nothing else), and why.
AUDITED_READS = {
    "bureau.export_case": "a staff member downloaded everything held on a case",
    "bureau.export_cases": "a supervisor exported the open cases",
}


@contextmanager
def recorded_writes(engine):
    writes: list[str] = []

    def _before(_conn, _cursor, statement, _parameters, _context, _executemany):
        if WRITE.match(statement):
            writes.append(" ".join(statement.split())[:160])

    event.listen(engine, "before_cursor_execute", _before)
    try:
        yield writes
    finally:
        event.remove(engine, "before_cursor_execute", _before)


def _seed_demo(app) -> None:
    """The demo data, with upkeep falling due: an open round and an open petition past their deadlines, and
    signatures not tallied yet (pages used to do such upkeep when they noticed it)."""
    with app.app_context():
        context = DemoContext(rng=random.Random(7), np_rng=np.random.default_rng(7), echo=lambda _line: None)
        for module in MODULES:
            demo = submodule(module, "demo")
            if demo is not None:
                demo.seed_demo(context)
        db.session.commit()
        past = utc_now() - timedelta(minutes=5)
        db.session.scalars(select(DelphiRound).where(DelphiRound.status == RoundStatus.OPEN)).first().deadline = past
        petition = db.session.scalars(select(Petition).where(Petition.state == PetitionState.OPEN)).first()
        petition.closes_at = past
        db.session.execute(update(PetitionSignature).values(tallied_at=None))
        db.session.commit()


def _values(app) -> dict:
    """Argument values for the URL rules, taken from the demo data (one or a few of each kind)."""
    with app.app_context():
        petitions = {}
        for petition in db.session.scalars(select(Petition).order_by(Petition.id)):
            petitions.setdefault(petition.state, petition)
        studies = db.session.scalars(select(DelphiStudy.id).order_by(DelphiStudy.id)).all()
        rounds = db.session.execute(select(DelphiRound.study_id, DelphiRound.number)).all()
        item = db.session.execute(select(DelphiItem.study_id, DelphiItem.id).limit(1)).one()
        first = lambda model: db.session.scalar(select(model.id).order_by(model.id).limit(1))  # noqa: E731
        gathering = next((p for p in petitions.values() if p.state == "gathering_supporters"), None)
        return {
            "petition_id": [p.id for p in petitions.values()],
            "study_id": studies,
            "study_number": [(s, n) for s, n in rounds],
            "item": item,
            "kind": [str(k) for k in ItemKind][:1],
            "body_id": [first(StateBody)],
            "user_id": [first(User)],
            "case_id": db.session.scalars(select(Case.id).order_by(Case.id).limit(2)).all(),
            "referral_id": [first(Referral)],
            "attachment_id": [first(Attachment)],
            "template_id": [first(ResponseTemplate)],
            "supporter_token": gathering.supporter_token if gathering else "no-such-token",
            "petition_types": ["petition"],
            "name": ["petitions.jsonl.gz"],  # an open-data dump file
            "year": [utc_now().year],
            "contest_id": db.session.scalars(select(Contest.id).order_by(Contest.id)).all(),
            "image_id": db.session.scalars(select(EntryImage.id).limit(1)).all(),
            "council_id": db.session.scalars(select(Council.id).order_by(Council.id).limit(2)).all(),
            "meeting_id": db.session.scalars(select(Meeting.id).order_by(Meeting.id)).all(),
            "rec_id": db.session.scalars(select(Recommendation.id).order_by(Recommendation.id)).all(),
            "call_id": [first(VolunteerCall)],
            "initiative_indicator": db.session.execute(
                select(Indicator.initiative_id, Indicator.id).order_by(Indicator.id).limit(3)
            ).all(),
            "initiative_id": sorted({i for i, _ in db.session.execute(select(Indicator.initiative_id, Indicator.id))}),
            "code": ["KZ-ALA", "KZ-VOS"],
            "map_id": db.session.scalars(select(StakeholderMap.id).order_by(StakeholderMap.id).limit(2)).all(),
            "stakeholder": db.session.execute(
                select(Stakeholder.territory_id, Stakeholder.id).order_by(Stakeholder.id).limit(1)
            ).all(),
            **_hackathon_values(),
            "contest_entry": [
                (c, e)
                for c, e in db.session.execute(
                    select(Contest.id, Entry.id)
                    .join(Entry, Entry.competition_id == Contest.competition_id)
                    .order_by(Entry.id)
                    .limit(3)
                )
            ],
        }


def _hackathon_values() -> dict:
    from civic.contests.models import (
        Dataset,
        Hackathon,
        HackathonAgendaItem,
        Mentor,
        Metric,
        Sponsor,
        Submission,
        Team,
        Track,
    )

    hackathon = db.session.scalar(select(Hackathon.id).order_by(Hackathon.id))
    tracks = db.session.scalars(select(Track.id).where(Track.hackathon_id == hackathon).order_by(Track.id)).all()
    entry = db.session.execute(
        select(Team.track_id, Submission.entry_id)
        .join(Submission, Submission.team_id == Team.id)
        .where(Submission.entry_id.is_not(None))
        .limit(1)
    ).one()
    return {
        "hackathon_id": [hackathon],
        "hackathon_track": [(hackathon, t) for t in tracks],
        "hackathon_team": [(hackathon, db.session.scalar(select(Team.id).order_by(Team.id).limit(1)))],
        "hackathon_dataset": [(hackathon, db.session.scalar(select(Dataset.id).order_by(Dataset.id).limit(1)))],
        "hackathon_entry": [(hackathon, entry[0], entry[1])],
        # the organiser's edit pages of a track's sponsors, metrics, datasets and mentors and of the agenda
        "hackathon_item": [
            (hackathon, kind, db.session.scalar(select(model.id).where(where).order_by(model.id).limit(1)))
            for kind, model, where in (
                ("sponsors", Sponsor, Sponsor.track_id.in_(tracks)),
                ("metrics", Metric, Metric.track_id.in_(tracks)),
                ("datasets", Dataset, Dataset.track_id.in_(tracks)),
                ("mentors", Mentor, Mentor.track_id.in_(tracks)),
                ("agenda", HackathonAgendaItem, HackathonAgendaItem.hackathon_id == hackathon),
            )
        ],
    }


def _urls(app, values) -> list[tuple[str, str]]:
    """(endpoint, url) for every GET rule, with the demo's ids filled in."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        args = set(rule.arguments) - set(rule.defaults or {})
        candidates: list[dict] = [{}]
        if args == {"study_id", "number"}:
            candidates = [{"study_id": s, "number": n} for s, n in values["study_number"]]
        elif args == {"study_id", "item_id"}:
            candidates = [{"study_id": values["item"][0], "item_id": values["item"][1]}]
        elif args == {"study_id", "kind"}:
            candidates = [{"study_id": s, "kind": k} for s in values["study_id"][:1] for k in values["kind"]]
        elif args == {"contest_id", "entry_id"}:
            candidates = [{"contest_id": c, "entry_id": e} for c, e in values["contest_entry"]]
        elif args == {"hackathon_id", "track_id"}:
            candidates = [{"hackathon_id": h, "track_id": t} for h, t in values["hackathon_track"]]
        elif args == {"hackathon_id", "team_id"}:
            candidates = [{"hackathon_id": h, "team_id": t} for h, t in values["hackathon_team"]]
        elif args == {"hackathon_id", "dataset_id"}:
            candidates = [{"hackathon_id": h, "dataset_id": d} for h, d in values["hackathon_dataset"]]
        elif args == {"hackathon_id", "kind", "item_id"}:
            candidates = [{"hackathon_id": h, "kind": k, "item_id": i} for h, k, i in values["hackathon_item"] if i]
        elif args == {"hackathon_id", "track_id", "entry_id"}:
            candidates = [{"hackathon_id": h, "track_id": t, "entry_id": e} for h, t, e in values["hackathon_entry"]]
        elif args == {"object_type", "object_id"}:
            candidates = [{"object_type": "petition", "object_id": p} for p in values["petition_id"][:2]]
        elif args == {"initiative_id", "indicator_id"}:
            candidates = [{"initiative_id": i, "indicator_id": d} for i, d in values["initiative_indicator"]]
        elif args == {"owner_type", "owner_id"}:
            candidates = [{"owner_type": "initiative", "owner_id": i} for i in values["initiative_id"][:3]]
        elif args == {"code", "stakeholder_id"}:
            candidates = [{"code": "KZ-ALA", "stakeholder_id": s} for _t, s in values["stakeholder"]]
        elif args == {"token"}:
            token = values["supporter_token"] if rule.endpoint == "petitions.supporters_page" else "not-a-token"
            candidates = [{"token": token}]
        elif len(args) == 1:
            (name,) = args
            candidates = [{name: v} for v in values[name] if v is not None]
        elif args:
            raise AssertionError(f"no values for {rule.endpoint} {sorted(args)}: extend _urls")
        with app.test_request_context():
            from flask import url_for

            urls.extend((rule.endpoint, url_for(rule.endpoint, **c)) for c in candidates)
    return sorted(set(urls))


def _accounts(app) -> list[User | None]:
    with app.app_context():
        emails = [email for _key, email, *_rest in STAFF] + [
            "resident1@demo.civic.kz",
            "council1@demo.civic.kz",
            "council4@demo.civic.kz",  # a judge of the hackathon's tracks
            "hackathon@demo.civic.kz",
            "hr@demo.civic.kz",
        ]
        users = list(db.session.scalars(select(User).where(User.email.in_(emails)).order_by(User.id)))
        client = db.session.scalar(select(User).join(Case, Case.client_id == User.id).limit(1))
        return [None, *users, *([client] if client else [])]


def test_get_requests_write_nothing(app, client, auth):
    _seed_demo(app)
    urls = _urls(app, _values(app))
    assert len(urls) > 60  # every module's pages are in the list
    problems, statuses = [], {}
    with recorded_writes(app.extensions["civic_engine"]) as writes:
        for user in _accounts(app):
            auth.logout()
            if user is not None:
                auth.login(user)
            who = user.email if user else "visitor"
            for endpoint, url in urls:
                writes.clear()
                response = client.get(url)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code >= 500:
                    problems.append(f"{who} GET {url}: {response.status_code}")
                for statement in writes:
                    audited = AUDIT_INSERT.match(statement) and (
                        endpoint in AUDITED_READS or (endpoint.startswith("bureau.") and response.status_code == 404)
                    )
                    if not audited:
                        problems.append(f"{who} GET {url} ({endpoint}): {statement}")
    assert statuses.get(200, 0) > 300  # most requests really rendered a page
    assert not problems, "\n".join(problems)
