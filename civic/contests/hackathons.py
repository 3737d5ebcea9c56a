"""Regional hackathons: the services (the seed's twelve steps, from a body's problem to an implemented solution).

- The organiser (``contests.organise`` over the territory and body) creates a hackathon with a default schedule in
  Asia/Almaty (Friday 21:00 → Sunday 10:00, pitching at 12:00), adds tracks (each owned by a body and judged as a
  ``contest_competitions`` row), sponsors, success metrics, datasets, agenda items, checkpoints and mentors.
- Residents with a confirmed email register with their skills; solo participants post on the open-mic board; teams
  are created, joined with an invitation code or by request; a team's size is capped by the database: each member
  takes a numbered seat 1..max and ``UNIQUE(team_id, slot)`` refuses a seat above the cap, even for racing joins.
- Teams post progress at checkpoints, mentors comment; the submission locks at the deadline (checked here, on the
  server, with the clock of the request).
- The technical review marks a submission "works" or "does not work"; a working one becomes an accepted entry of the
  track's competition, so the idea contests' jury (``civic.contests.jury``) and results (``civic.contests.results``,
  ``scoring.py``) judge it unchanged.
- Follow-up: implementation records for the winners; the talent pool (consent recorded, revocable).

Services ``add``/``flush`` and never commit; the views commit once.
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, bindparam, func, select, text, update

from civic import db
from civic.contests.models import (
    AgendaKind,
    Checkpoint,
    Coauthor,
    Competition,
    CompetitionKind,
    Dataset,
    Entry,
    EntryState,
    Hackathon,
    HackathonAgendaItem,
    HackathonPhase,
    HackathonTeamMember,
    Implementation,
    ImplementationStatus,
    JoinRequest,
    Mentor,
    MentorComment,
    Metric,
    MetricKind,
    OpenMicPost,
    Participant,
    ProgressPost,
    PublishState,
    ReviewState,
    Skill,
    Sponsor,
    Submission,
    Team,
    Track,
)
from civic.contests.permissions import ORGANISE
from civic.contests.services import PhaseClosed, token_hash
from civic.core.errors import Conflict, DomainError, InvalidTransition, NotFound, PermissionDenied
from civic.core.http import path_for
from civic.core.uploads import UploadFolder, read_limited
from civic.db import AwareDateTime, utc_now
from civic.identity import audit
from civic.identity.models import AssuranceLevel, StateBody, User
from civic.identity.notifications import notify

ALMATY = ZoneInfo("Asia/Almaty")
MAX_TEAM_SIZE = 10
DATASET_MAX_BYTES = 20 * 1024 * 1024
DATASET_SUFFIXES = {".csv", ".json", ".xlsx", ".zip", ".geojson", ".parquet", ".txt", ".pdf"}


class TeamFull(Conflict):
    default_message = _l("This team is full.")


class SubmissionClosed(PhaseClosed):
    default_message = _l("Submissions are closed: the deadline has passed.")


class NotRegistered(PermissionDenied):
    default_message = _l("Register for the hackathon first.")


def _url(value: str, field: str, required: bool = False) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            raise DomainError(_l("Give a link (http or https)."), field=field)
        return ""
    if not value.lower().startswith(("http://", "https://")) or len(value) > 500 or " " in value:
        raise DomainError(_l("Links must start with http:// or https:// (at most 500 characters)."), field=field)
    return value


def _text(value: str, field: str, limit: int, required: bool = True, message=None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(message or _l("This field is required."), field=field)
    if len(value) > limit:
        raise DomainError(_l("At most %(n)s characters.", n=limit), field=field)
    return value


# --------------------------------------------------------------------------- schedule


def default_schedule(today: datetime | None = None) -> tuple[datetime, datetime, datetime]:
    """The next weekend in Almaty: Friday 21:00 start, Sunday 10:00 submission deadline, Sunday 12:00 pitching."""
    local = (today or utc_now()).astimezone(ALMATY)
    days = (4 - local.weekday()) % 7 or 7
    friday = local.date() + timedelta(days=days)
    sunday = friday + timedelta(days=2)
    starts = datetime.combine(friday, time(21, 0), ALMATY)
    deadline = datetime.combine(sunday, time(10, 0), ALMATY)
    jury = datetime.combine(sunday, time(12, 0), ALMATY)
    return tuple(d.astimezone(ZoneInfo("UTC")) for d in (starts, deadline, jury))


def can_organise(user, hackathon: Hackathon) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.has_permission(ORGANISE, territory=hackathon.territory, body=hackathon.body)


def create_hackathon(
    actor: User,
    *,
    title: str,
    text: str,
    regulation: str,
    territory,
    body,
    venue: str = "",
    starts_at=None,
    submission_deadline=None,
    jury_opens_at=None,
    max_team_size: int = 5,
    recommended_team_size: int = 4,
) -> Hackathon:
    if body is None or not actor.has_permission(ORGANISE, territory=territory, body=body):
        raise PermissionDenied(_l("You may organise hackathons only for your body and territory."))
    default = default_schedule()
    starts_at = starts_at or default[0]
    submission_deadline = submission_deadline or default[1]
    jury_opens_at = jury_opens_at or default[2]
    if not starts_at < submission_deadline <= jury_opens_at:
        raise DomainError(_l("The start must come before the submission deadline, and the deadline before pitching."))
    if not 1 <= max_team_size <= MAX_TEAM_SIZE:
        raise DomainError(_l("A team has between 1 and %(n)s members.", n=MAX_TEAM_SIZE), field="max_team_size")
    if not 1 <= recommended_team_size <= max_team_size:
        raise DomainError(_l("The recommended size must not exceed the maximum."), field="recommended_team_size")
    hackathon = Hackathon(
        title=_text(title, "title", 200),
        text=_text(text, "text", 20000, required=False),
        regulation=_text(regulation, "regulation", 20000, required=False),
        territory_id=territory.id,
        body_id=body.id,
        organiser_id=actor.id,
        venue=_text(venue, "venue", 300, required=False),
        starts_at=starts_at,
        submission_deadline=submission_deadline,
        jury_opens_at=jury_opens_at,
        max_team_size=max_team_size,
        recommended_team_size=recommended_team_size,
    )
    db.session.add(hackathon)
    db.session.flush()
    audit.record("contests.create_hackathon", hackathon, actor=actor, after={"title": hackathon.title})
    return hackathon


def publish_hackathon(hackathon: Hackathon, actor: User) -> None:
    if hackathon.published:
        raise InvalidTransition(hackathon, "publish", _l("The hackathon is already published."))
    if not hackathon.tracks:
        raise DomainError(_l("Add at least one track before publishing."))
    hackathon.published = True
    db.session.flush()
    audit.record("contests.publish_hackathon", hackathon, actor=actor)


def add_track(hackathon: Hackathon, actor: User, title: str, problem: str, owner_body, regulation: str = "") -> Track:
    competition = Competition(kind=CompetitionKind.HACKATHON_TRACK, jury_weight=1.0, public_weight=0.0, min_judges=1)
    db.session.add(competition)
    db.session.flush()
    track = Track(
        hackathon_id=hackathon.id,
        competition_id=competition.id,
        position=len(hackathon.tracks),
        title=_text(title, "title", 200, message=_l("Name the track.")),
        problem=_text(problem, "problem", 20000, message=_l("Describe the track's problem.")),
        regulation=_text(regulation, "regulation", 20000, required=False),
        owner_body_id=owner_body.id if owner_body is not None else None,
    )
    db.session.add(track)
    db.session.flush()
    db.session.refresh(hackathon, ["tracks"])
    audit.record("contests.add_track", hackathon, actor=actor, after={"track": track.title})
    return track


def add_sponsor(track: Track, actor: User, name: str, url: str = "") -> Sponsor:
    sponsor = Sponsor(
        track_id=track.id, name=_text(name, "name", 200, message=_l("Name the sponsor.")), url=_url(url, "url")
    )
    db.session.add(sponsor)
    db.session.flush()
    audit.record("contests.add_sponsor", track.hackathon, actor=actor, after={"track": track.id, "sponsor": name})
    return sponsor


def add_metric(
    track: Track, actor: User, kind: str, name: str, target=None, unit: str = "", rubric: str = ""
) -> Metric:
    values = _metric_values(kind, name, target, unit, rubric)
    metric = Metric(track_id=track.id, **values)
    db.session.add(metric)
    db.session.flush()
    audit.record(
        "contests.add_metric", track.hackathon, actor=actor, after={"track": track.id, "metric": values["name"]}
    )
    return metric


DATASETS = UploadFolder("CONTESTS_UPLOAD_DIR", "contests", sub="datasets")


def _store_dataset_file(upload) -> tuple[str, str, int] | None:
    """Check and store an uploaded dataset file: (stored name, file name, size), or None without a file."""
    if upload is None or not getattr(upload, "filename", ""):
        return None
    file_name = os.path.basename(upload.filename)[:200]
    suffix = Path(file_name).suffix.lower()
    if suffix not in DATASET_SUFFIXES:
        raise DomainError(
            _l("Datasets may be %(kinds)s files.", kinds=", ".join(sorted(DATASET_SUFFIXES))), field="file"
        )
    data = read_limited(upload, DATASET_MAX_BYTES)
    if len(data) > DATASET_MAX_BYTES:
        raise DomainError(_l("A dataset file may be at most 20 MB; give a link instead."), field="file")
    if not data:
        raise DomainError(_l("The file is empty."), field="file")
    return DATASETS.write(data, suffix), file_name, len(data)


def add_dataset(
    track: Track,
    actor: User,
    title: str,
    provider: str = "",
    url: str = "",
    upload=None,
    teams_only: bool = False,
) -> Dataset:
    """A dataset as a link or an uploaded file (kept outside static/, under a random name, served with checks)."""
    title = _text(title, "title", 200, message=_l("Name the dataset."))
    url = _url(url, "url")
    stored, file_name, size = _store_dataset_file(upload) or (None, "", 0)
    if not url and stored is None:
        raise DomainError(_l("Upload a file or give a link."), field="url")
    dataset = Dataset(
        track_id=track.id,
        title=title,
        provider=_text(provider, "provider", 200, required=False),
        url=url,
        stored_name=stored,
        file_name=file_name,
        size=size,
        teams_only=bool(teams_only),
    )
    db.session.add(dataset)
    db.session.flush()
    audit.record("contests.add_dataset", track.hackathon, actor=actor, after={"track": track.id, "dataset": title})
    return dataset


def dataset_path(dataset: Dataset) -> Path | None:
    if dataset.stored_name is None:
        return None
    return DATASETS.path_of(dataset.stored_name)


def add_agenda_item(
    hackathon: Hackathon, actor: User, kind: str, title: str, speaker: str, starts_at, ends_at
) -> HackathonAgendaItem:
    item = HackathonAgendaItem(hackathon_id=hackathon.id, **_agenda_values(kind, title, speaker, starts_at, ends_at))
    db.session.add(item)
    db.session.flush()
    audit.record("contests.add_agenda_item", hackathon, actor=actor, after={"title": item.title})
    return item


def default_agenda(hackathon: Hackathon, actor: User) -> None:
    """The seed's agenda: opening, the three lectures (product, a technical topic, pitching), checkpoints, pitching."""
    s, d, j = hackathon.starts_at, hackathon.submission_deadline, hackathon.jury_opens_at
    h = timedelta(hours=1)
    items = [
        (AgendaKind.CEREMONY, _("Opening and the tracks' problems"), s, s + h),
        (AgendaKind.LECTURE, _("How to present an idea as a product"), s + 13 * h, s + 14 * h),
        (AgendaKind.LECTURE, _("Technical lecture: open data of the region"), s + 16 * h, s + 17 * h),
        (AgendaKind.LECTURE, _("Pitching: five minutes that convince"), d - 3 * h, d - 2 * h),
        (AgendaKind.CEREMONY, _("Pitching and jury"), j, j + 3 * h),
    ]
    for kind, title, start, end in items:
        add_agenda_item(hackathon, actor, kind, title, "", start, end)
    for title, due in ((_("Team and idea"), s + 15 * h), (_("Working prototype"), s + 24 * h)):
        add_checkpoint(hackathon, actor, title, due)


def _checkpoint_values(title: str, due_at) -> dict:
    if due_at is None:
        raise DomainError(_l("Give the checkpoint's deadline."), field="due_at")
    return {"title": _text(title, "title", 200), "due_at": due_at}


def add_checkpoint(hackathon: Hackathon, actor: User, title: str, due_at) -> Checkpoint:
    checkpoint = Checkpoint(hackathon_id=hackathon.id, **_checkpoint_values(title, due_at))
    db.session.add(checkpoint)
    db.session.flush()
    audit.record("contests.add_checkpoint", hackathon, actor=actor, after={"title": checkpoint.title})
    return checkpoint


def add_mentor(track: Track, actor: User, email: str, expertise: str = "") -> Mentor:
    email = (email or "").strip().lower()
    user = db.session.scalar(select(User).where(func.lower(User.email) == email, User.deleted_at.is_(None)))
    if user is None:
        raise DomainError(_l("No account has this email address; the mentor must register first."), field="email")
    if db.session.scalar(select(Mentor.id).where(Mentor.track_id == track.id, Mentor.user_id == user.id)):
        raise Conflict(_l("This person already mentors the track."), field="email")
    mentor = Mentor(track_id=track.id, user_id=user.id, expertise=_text(expertise, "expertise", 200, required=False))
    db.session.add(mentor)
    db.session.flush()
    audit.record("contests.add_mentor", track.hackathon, actor=actor, after={"track": track.id, "mentor": user.id})
    return mentor


# --------------------------------------------------------------------------- editing and removing what was added
#
# Every edit runs the add's own checks (the shared ``_sponsor_values`` … helpers), is audited with what changed, and is
# permission-checked by the views exactly like the add (the organiser of *that* hackathon). What is frozen and why:
# - a success metric once a team of its track has submitted (the teams built against it) or the track's results are
#   published: the published rules stay what the teams saw;
# - a dataset once submissions have closed: the solutions were built on it and the review and the jury may need it;
# - a mentor cannot be changed into another person: editing changes the expertise; remove and add another instead.
# Sponsors and agenda items can be corrected and removed at any time (the agenda is the event's living schedule).


class Frozen(Conflict):
    default_message = _l("This can no longer be changed.")


def _track_of(row) -> Track:
    return db.session.get(Track, row.track_id)


def _changed(row, values: dict) -> tuple[dict, dict]:
    before = {k: getattr(row, k) for k in values if getattr(row, k) != values[k]}
    after = {k: values[k] for k in before}
    for key, value in values.items():
        setattr(row, key, value)
    return before, after


def _audit_edit(what: str, hackathon: Hackathon, row, actor: User, before: dict, after: dict, track=None) -> None:
    """Flush an edit and audit the fields it changed (``contests.edit_<what>``; times as ISO text)."""
    db.session.flush()
    plain = lambda values: {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}  # noqa: E731
    where = {"track": track.id} if track is not None else {}
    audit.record(
        f"contests.edit_{what}",
        hackathon,
        actor=actor,
        before={what: row.id, **plain(before)},
        after={**where, what: row.id, **plain(after)},
    )


def _remove_audited(what: str, hackathon: Hackathon, row, actor: User, before: dict) -> None:
    """Delete ``row`` and audit what it was (``contests.remove_<what>``)."""
    db.session.delete(row)
    db.session.flush()
    audit.record(f"contests.remove_{what}", hackathon, actor=actor, before=before)


def edit_sponsor(sponsor: Sponsor, actor: User, name: str, url: str = "") -> Sponsor:
    track = _track_of(sponsor)
    values = {"name": _text(name, "name", 200, message=_l("Name the sponsor.")), "url": _url(url, "url")}
    before, after = _changed(sponsor, values)
    _audit_edit("sponsor", track.hackathon, sponsor, actor, before, after, track)
    return sponsor


def remove_sponsor(sponsor: Sponsor, actor: User) -> None:
    track = _track_of(sponsor)
    before = {"track": track.id, "sponsor": sponsor.id, "name": sponsor.name, "url": sponsor.url}
    _remove_audited("sponsor", track.hackathon, sponsor, actor, before)


def _metric_values(kind: str, name: str, target, unit: str, rubric: str) -> dict:
    name = _text(name, "name", 200, message=_l("Name the metric."))
    if kind == MetricKind.OBJECTIVE:
        if target is None or (unit or "").strip() == "":
            raise DomainError(_l("An objective metric needs a target and its unit."), field="target")
        return {"kind": str(kind), "name": name, "target": float(target), "unit": unit.strip()[:40], "rubric": ""}
    if kind == MetricKind.SUBJECTIVE:
        rubric = _text(rubric, "rubric", 5000, message=_l("A subjective metric needs a rubric."))
        return {"kind": str(kind), "name": name, "target": None, "unit": "", "rubric": rubric}
    raise DomainError(_l("Choose the kind of metric."), field="kind")


def metric_frozen(track: Track) -> bool:
    """A track's metrics are frozen once one of its teams has submitted or its results are published."""
    if track.competition.results_published_at is not None:
        return True
    return (
        db.session.scalar(
            select(Submission.id).join(Team, Team.id == Submission.team_id).where(Team.track_id == track.id).limit(1)
        )
        is not None
    )


def _check_metric_open(track: Track) -> None:
    if metric_frozen(track):
        raise Frozen(
            _l("Teams have already submitted against this track's metrics: they can no longer be changed or removed.")
        )


def edit_metric(metric: Metric, actor: User, kind: str, name: str, target=None, unit: str = "", rubric: str = ""):
    track = _track_of(metric)
    _check_metric_open(track)
    before, after = _changed(metric, _metric_values(kind, name, target, unit, rubric))
    _audit_edit("metric", track.hackathon, metric, actor, before, after, track)
    return metric


def remove_metric(metric: Metric, actor: User) -> None:
    track = _track_of(metric)
    _check_metric_open(track)
    before = {"track": track.id, "metric": metric.id, "name": metric.name, "kind": metric.kind}
    _remove_audited("metric", track.hackathon, metric, actor, before)


def dataset_frozen(track: Track, now=None) -> bool:
    """Datasets are kept as they were once submissions close (the solutions were built on them)."""
    hackathon = track.hackathon
    return hackathon.published and (now or utc_now()) >= hackathon.submission_deadline


def _check_dataset_open(track: Track, now=None) -> None:
    if dataset_frozen(track, now):
        raise Frozen(
            _l("Submissions are closed: the datasets stay as the teams used them and can no longer be changed.")
        )


def edit_dataset(
    dataset: Dataset,
    actor: User,
    title: str,
    provider: str = "",
    url: str = "",
    upload=None,
    teams_only: bool = False,
    drop_file: bool = False,
    now=None,
) -> Dataset:
    """Change a dataset with the add's checks: a new upload replaces the stored file, ``drop_file`` keeps only the
    link; the replaced file is deleted once the change commits."""
    track = _track_of(dataset)
    _check_dataset_open(track, now)
    title = _text(title, "title", 200, message=_l("Name the dataset."))
    url = _url(url, "url")
    provider = _text(provider, "provider", 200, required=False)
    new_file = _store_dataset_file(upload)
    old_stored = dataset.stored_name
    stored, file_name, size = old_stored, dataset.file_name, dataset.size
    if new_file is not None:
        stored, file_name, size = new_file
    elif drop_file:
        stored, file_name, size = None, "", 0
    if not url and stored is None:
        raise DomainError(_l("Upload a file or give a link."), field="url")
    values = {
        "title": title,
        "provider": provider,
        "url": url,
        "stored_name": stored,
        "file_name": file_name,
        "size": size,
        "teams_only": bool(teams_only),
    }
    before, after = _changed(dataset, values)
    db.session.flush()
    if old_stored is not None and old_stored != stored:
        DATASETS.delete_after_commit(old_stored)
    before.pop("stored_name", None)
    after.pop("stored_name", None)
    audit.record(
        "contests.edit_dataset",
        track.hackathon,
        actor=actor,
        before={"dataset": dataset.id, **before},
        after={"track": track.id, "dataset": dataset.id, **after},
    )
    return dataset


def remove_dataset(dataset: Dataset, actor: User, now=None) -> None:
    track = _track_of(dataset)
    _check_dataset_open(track, now)
    before = {"track": track.id, "dataset": dataset.id, "title": dataset.title, "file": dataset.file_name}
    stored = dataset.stored_name
    db.session.delete(dataset)
    db.session.flush()
    if stored is not None:
        DATASETS.delete_after_commit(stored)
    audit.record("contests.remove_dataset", track.hackathon, actor=actor, before=before)


def _agenda_values(kind: str, title: str, speaker: str, starts_at, ends_at) -> dict:
    if kind not in set(AgendaKind):
        raise DomainError(_l("Choose the kind of agenda item."), field="kind")
    if starts_at is None or ends_at is None or not starts_at < ends_at:
        raise DomainError(_l("An agenda item must end after it starts."), field="ends_at")
    return {
        "kind": str(kind),
        "title": _text(title, "title", 200),
        "speaker": _text(speaker, "speaker", 200, required=False),
        "starts_at": starts_at,
        "ends_at": ends_at,
    }


def edit_agenda_item(item: HackathonAgendaItem, actor: User, kind: str, title: str, speaker: str, starts_at, ends_at):
    hackathon = db.session.get(Hackathon, item.hackathon_id)
    before, after = _changed(item, _agenda_values(kind, title, speaker, starts_at, ends_at))
    _audit_edit("agenda_item", hackathon, item, actor, before, after)
    return item


def remove_agenda_item(item: HackathonAgendaItem, actor: User) -> None:
    hackathon = db.session.get(Hackathon, item.hackathon_id)
    before = {"item": item.id, "title": item.title, "starts_at": str(item.starts_at)}
    _remove_audited("agenda_item", hackathon, item, actor, before)


def edit_checkpoint(checkpoint: Checkpoint, actor: User, title: str, due_at) -> Checkpoint:
    hackathon = db.session.get(Hackathon, checkpoint.hackathon_id)
    before, after = _changed(checkpoint, _checkpoint_values(title, due_at))
    _audit_edit("checkpoint", hackathon, checkpoint, actor, before, after)
    return checkpoint


def checkpoint_frozen(checkpoint: Checkpoint) -> bool:
    """A checkpoint teams have posted progress at stays (its title and deadline can still be corrected)."""
    return (
        db.session.scalar(select(ProgressPost.id).where(ProgressPost.checkpoint_id == checkpoint.id).limit(1))
        is not None
    )


def remove_checkpoint(checkpoint: Checkpoint, actor: User) -> None:
    if checkpoint_frozen(checkpoint):
        raise Frozen(
            _l("Teams have posted progress at this checkpoint: it can no longer be removed. Correct it instead.")
        )
    hackathon = db.session.get(Hackathon, checkpoint.hackathon_id)
    before = {"checkpoint": checkpoint.id, "title": checkpoint.title, "due_at": str(checkpoint.due_at)}
    _remove_audited("checkpoint", hackathon, checkpoint, actor, before)


def edit_mentor(mentor: Mentor, actor: User, expertise: str = "") -> Mentor:
    track = _track_of(mentor)
    before, after = _changed(mentor, {"expertise": _text(expertise, "expertise", 200, required=False)})
    db.session.flush()
    audit.record(
        "contests.edit_mentor",
        track.hackathon,
        actor=actor,
        before={"mentor": mentor.user_id, **before},
        after={"track": track.id, "mentor": mentor.user_id, **after},
    )
    return mentor


def remove_mentor(mentor: Mentor, actor: User) -> None:
    """The person stops mentoring the track (their past comments stay, signed with their name)."""
    track = _track_of(mentor)
    before = {"track": track.id, "mentor": mentor.user_id, "expertise": mentor.expertise}
    _remove_audited("mentor", track.hackathon, mentor, actor, before)


def is_mentor(user, track_id: int) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(select(Mentor.id).where(Mentor.track_id == track_id, Mentor.user_id == user.id)) is not None
    )


def mentored_track_ids(user, hackathon: Hackathon) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        db.session.scalars(
            select(Mentor.track_id)
            .join(Track, Track.id == Mentor.track_id)
            .where(Track.hackathon_id == hackathon.id, Mentor.user_id == user.id)
        )
    )


def can_review(user, track: Track) -> bool:
    return can_organise(user, track.hackathon) or is_mentor(user, track.id)


# --------------------------------------------------------------------------- participants


def participant_of(hackathon: Hackathon, user) -> Participant | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Participant).where(Participant.hackathon_id == hackathon.id, Participant.user_id == user.id)
    )


def _skills(values) -> list[str]:
    known = [s.value for s in Skill]
    chosen = [v for v in known if v in set(values or [])]
    if set(values or []) - set(known):
        raise DomainError(_l("Unknown skill."), field="skills")
    return chosen


def register(hackathon: Hackathon, user: User, skills, talent_consent: bool = False, now=None) -> Participant:
    now = now or utc_now()
    phase = hackathon.phase_at(now)
    if phase not in (HackathonPhase.REGISTRATION, HackathonPhase.HACKING):
        raise PhaseClosed(hackathon, "register", _l("Registration is closed."))
    if not user.has_level(AssuranceLevel.EMAIL_VERIFIED):
        raise PermissionDenied(_l("Confirm your email address to register."))
    skills = _skills(skills)
    if not skills:
        raise DomainError(_l("Choose at least one skill."), field="skills")
    if participant_of(hackathon, user) is not None:
        raise Conflict(_l("You are already registered."))
    participant = Participant(hackathon_id=hackathon.id, user_id=user.id, skills=skills)
    if talent_consent:
        participant.talent_consent_at = now
    db.session.add(participant)
    db.session.flush()
    if talent_consent:
        audit.record("contests.talent_consent", participant, actor=user, after={"consent": True})
    return participant


def set_talent_consent(participant: Participant, user: User, consent: bool, now=None) -> None:
    """Join or leave the talent pool; each change is recorded (the audit log keeps the history)."""
    now = now or utc_now()
    if participant.user_id != user.id:
        raise PermissionDenied()
    if consent:
        if participant.in_talent_pool:
            raise Conflict(_l("You are already in the talent pool."))
        participant.talent_consent_at, participant.talent_revoked_at = now, None
    else:
        if not participant.in_talent_pool:
            raise Conflict(_l("You are not in the talent pool."))
        participant.talent_revoked_at = now
    db.session.flush()
    audit.record("contests.talent_consent", participant, actor=user, after={"consent": consent})


def talent_pool(hackathon: Hackathon) -> list[Participant]:
    return list(
        db.session.scalars(
            select(Participant)
            .where(
                Participant.hackathon_id == hackathon.id,
                Participant.talent_consent_at.is_not(None),
                Participant.talent_revoked_at.is_(None),
            )
            .order_by(Participant.id)
        )
    )


def post_open_mic(
    hackathon: Hackathon, user: User, task: str, experience: str, idea: str, needs, track_id=None, now=None
) -> OpenMicPost:
    now = now or utc_now()
    if hackathon.phase_at(now) not in (HackathonPhase.REGISTRATION, HackathonPhase.HACKING):
        raise PhaseClosed(hackathon, "open_mic", _l("The open-mic board is closed."))
    if participant_of(hackathon, user) is None:
        raise NotRegistered()
    if team_of(hackathon, user) is not None:
        raise Conflict(_l("You are already in a team; the open-mic board is for solo participants."))
    if track_id and not any(t.id == track_id for t in hackathon.tracks):
        raise DomainError(_l("Unknown track."), field="track")
    post = db.session.scalar(
        select(OpenMicPost).where(OpenMicPost.hackathon_id == hackathon.id, OpenMicPost.user_id == user.id)
    )
    if post is None:
        post = OpenMicPost(hackathon_id=hackathon.id, user_id=user.id)
        db.session.add(post)
    post.task = _text(task, "task", 300, message=_l("Say which task you want to work on."))
    post.experience = _text(experience, "experience", 2000, required=False)
    post.idea = _text(idea, "idea", 2000, required=False)
    post.needs = _skills(needs)
    post.track_id = track_id or None
    db.session.flush()
    return post


def open_mic(hackathon: Hackathon) -> list[OpenMicPost]:
    in_team = select(HackathonTeamMember.user_id).where(HackathonTeamMember.hackathon_id == hackathon.id)
    return list(
        db.session.scalars(
            select(OpenMicPost)
            .where(OpenMicPost.hackathon_id == hackathon.id, OpenMicPost.user_id.not_in(in_team))
            .order_by(OpenMicPost.created_at.desc(), OpenMicPost.id.desc())
        )
    )


# --------------------------------------------------------------------------- teams


def team_of(hackathon: Hackathon, user) -> Team | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Team)
        .join(HackathonTeamMember, HackathonTeamMember.team_id == Team.id)
        .where(Team.hackathon_id == hackathon.id, HackathonTeamMember.user_id == user.id)
    )


_SLOTS = " UNION ALL ".join(f"SELECT {k} AS k" for k in range(1, MAX_TEAM_SIZE + 1))
#: One guarded INSERT: the lowest free seat 1..max_team_size, or nothing. UNIQUE(team_id, slot) turns a race for the
#: last seat into one winner; UNIQUE(hackathon_id, user_id) keeps a person in one team.
_JOIN = text(
    f"""
INSERT INTO hackathon_team_members (team_id, hackathon_id, user_id, slot, joined_at)
SELECT t.id, t.hackathon_id, :user_id, free.k, :now
FROM hackathon_teams t
JOIN hackathons h ON h.id = t.hackathon_id
JOIN (SELECT MIN(s.k) AS k FROM ({_SLOTS}) s
      WHERE s.k <= (SELECT h2.max_team_size FROM hackathons h2 JOIN hackathon_teams t2 ON t2.hackathon_id = h2.id
                    WHERE t2.id = :team_id)
        AND NOT EXISTS (SELECT 1 FROM hackathon_team_members m WHERE m.team_id = :team_id AND m.slot = s.k)) free
  ON free.k IS NOT NULL
WHERE t.id = :team_id
ON CONFLICT DO NOTHING
RETURNING id
"""
).bindparams(bindparam("now", type_=AwareDateTime()), bindparam("user_id", type_=Integer))


def _seat(team: Team, user: User, now: datetime) -> None:
    for _attempt in range(2):  # a lost race for a seat that is not the last one: try the next free seat once
        new_id = db.session.execute(_JOIN, {"team_id": team.id, "user_id": user.id, "now": now}).scalar()
        if new_id is not None:
            db.session.expire(team, ["members"])
            return
        if team_of(team_hackathon(team), user) is not None:
            raise Conflict(_l("You are already in a team of this hackathon."))
    raise TeamFull(_l("This team is full: at most %(n)s members.", n=team_hackathon(team).max_team_size))


def team_hackathon(team: Team) -> Hackathon:
    return db.session.get(Hackathon, team.hackathon_id)


def _team_phase(hackathon: Hackathon, now: datetime) -> None:
    if hackathon.phase_at(now) not in (HackathonPhase.REGISTRATION, HackathonPhase.HACKING):
        raise PhaseClosed(hackathon, "team", _l("Teams can be formed only until the submission deadline."))


def create_team(hackathon: Hackathon, user: User, track: Track, name: str, now=None) -> Team:
    now = now or utc_now()
    _team_phase(hackathon, now)
    if participant_of(hackathon, user) is None:
        raise NotRegistered()
    if track is None or track.hackathon_id != hackathon.id:
        raise DomainError(_l("Choose the team's track."), field="track")
    name = _text(name, "name", 120, message=_l("Name your team."))
    if team_of(hackathon, user) is not None:
        raise Conflict(_l("You are already in a team of this hackathon."))
    if db.session.scalar(select(Team.id).where(Team.hackathon_id == hackathon.id, Team.name == name)):
        raise Conflict(_l("Another team already has this name."), field="name")
    team = Team(
        hackathon_id=hackathon.id,
        track_id=track.id,
        name=name,
        captain_id=user.id,
        invite_code=secrets.token_hex(5).upper(),
    )
    db.session.add(team)
    db.session.flush()
    _seat(team, user, now)
    return team


def join_by_code(hackathon: Hackathon, user: User, code: str, now=None) -> Team:
    now = now or utc_now()
    _team_phase(hackathon, now)
    if participant_of(hackathon, user) is None:
        raise NotRegistered()
    code = (code or "").strip().upper()
    team = db.session.scalar(select(Team).where(Team.hackathon_id == hackathon.id, Team.invite_code == code))
    if team is None:
        raise DomainError(_l("No team of this hackathon has this invitation code."), field="code")
    if team_of(hackathon, user) is not None:
        raise Conflict(_l("You are already in a team of this hackathon."))
    _seat(team, user, now)
    return team


def request_to_join(team: Team, user: User, message: str, now=None) -> JoinRequest:
    now = now or utc_now()
    hackathon = team_hackathon(team)
    _team_phase(hackathon, now)
    if participant_of(hackathon, user) is None:
        raise NotRegistered()
    if team_of(hackathon, user) is not None:
        raise Conflict(_l("You are already in a team of this hackathon."))
    if len(team.members) >= hackathon.max_team_size:
        raise TeamFull(_l("This team is full: at most %(n)s members.", n=hackathon.max_team_size))
    existing = db.session.scalar(
        select(JoinRequest).where(JoinRequest.team_id == team.id, JoinRequest.user_id == user.id)
    )
    if existing is not None and existing.state == "pending":
        raise Conflict(_l("You have already asked to join this team."))
    if existing is None:
        existing = JoinRequest(team_id=team.id, user_id=user.id)
        db.session.add(existing)
    existing.state, existing.message = "pending", _text(message, "message", 1000, required=False)
    db.session.flush()
    for member in team.members:
        notify(
            member.user,
            "contests.team_request",
            lambda: _("%(name)s asks to join your team", name=user.public_name),
            existing.message,
            path_for("contests.hackathon_team", hackathon_id=hackathon.id, team_id=team.id),
        )
    return existing


def answer_request(request_row: JoinRequest, actor: User, accept: bool, now=None) -> None:
    now = now or utc_now()
    team = db.session.get(Team, request_row.team_id)
    if actor.id not in team.member_ids():
        raise PermissionDenied(_l("Only the team's members answer requests to join."))
    if request_row.state != "pending":
        raise InvalidTransition(request_row, "answer", _l("This request was already answered."))
    hackathon = team_hackathon(team)
    if accept:
        _team_phase(hackathon, now)
        _seat(team, db.session.get(User, request_row.user_id), now)
    request_row.state = "accepted" if accept else "declined"
    db.session.flush()


def leave_team(team: Team, user: User, now=None) -> None:
    now = now or utc_now()
    hackathon = team_hackathon(team)
    _team_phase(hackathon, now)
    member = db.session.scalar(
        select(HackathonTeamMember).where(
            HackathonTeamMember.team_id == team.id, HackathonTeamMember.user_id == user.id
        )
    )
    if member is None:
        raise NotFound()
    db.session.delete(member)
    db.session.flush()
    db.session.expire(team, ["members"])
    if team.captain_id == user.id:
        team.captain_id = team.members[0].user_id if team.members else None
    db.session.flush()


def can_change_track(team: Team, user) -> bool:
    """The captain manages the team's track (the other members see it)."""
    return getattr(user, "is_authenticated", False) and team.captain_id == user.id


def change_track(team: Team, user: User, track: Track | None, now=None) -> None:
    """Move the team to another track of its hackathon: the captain, while teams form (until the submission deadline)
    and before the team has submitted; the new track's mentors then see the team."""
    now = now or utc_now()
    hackathon = team_hackathon(team)
    if not can_change_track(team, user):
        raise PermissionDenied(_l("Only the team's captain changes its track."))
    if now >= hackathon.submission_deadline:
        raise PhaseClosed(
            hackathon, "track", _l("The track can no longer be changed: the submission deadline has passed.")
        )
    _team_phase(hackathon, now)
    if submission_of(team) is not None:
        raise Frozen(_l("The team has already submitted its solution to this track: the track can no longer change."))
    if track is None or track.hackathon_id != hackathon.id:
        raise DomainError(_l("Choose the team's track."), field="track")
    if track.id == team.track_id:
        raise DomainError(_l("The team is already in this track."), field="track")
    before = team.track_id
    team.track_id = track.id
    db.session.flush()
    db.session.expire(team, ["track"])
    audit.record("contests.change_team_track", team, actor=user, before={"track": before}, after={"track": track.id})


def coverage(team: Team) -> dict:
    """The skill-coverage hint: which of the five skills the members bring, and which are missing."""
    participants = {
        p.user_id: p
        for p in db.session.scalars(
            select(Participant).where(
                Participant.hackathon_id == team.hackathon_id, Participant.user_id.in_(team.member_ids())
            )
        )
    }
    have = {s for p in participants.values() for s in (p.skills or [])}
    return {
        "have": [s.value for s in Skill if s.value in have],
        "missing": [s.value for s in Skill if s.value not in have],
        "skills": {uid: p.skills for uid, p in participants.items()},
    }


def teams(hackathon: Hackathon) -> list[Team]:
    return list(db.session.scalars(select(Team).where(Team.hackathon_id == hackathon.id).order_by(Team.name)))


# --------------------------------------------------------------------------- checkpoints, progress, mentors


def checkpoints(hackathon: Hackathon) -> list[Checkpoint]:
    return list(
        db.session.scalars(
            select(Checkpoint).where(Checkpoint.hackathon_id == hackathon.id).order_by(Checkpoint.due_at)
        )
    )


def post_progress(team: Team, user: User, text_value: str, checkpoint_id=None, now=None) -> ProgressPost:
    now = now or utc_now()
    if user.id not in team.member_ids():
        raise PermissionDenied(_l("Only the team's members post its progress."))
    hackathon = team_hackathon(team)
    if hackathon.phase_at(now) != HackathonPhase.HACKING:
        raise PhaseClosed(hackathon, "progress", _l("Progress is posted while the hackathon runs."))
    if (
        checkpoint_id
        and db.session.scalar(
            select(Checkpoint.id).where(Checkpoint.id == checkpoint_id, Checkpoint.hackathon_id == hackathon.id)
        )
        is None
    ):
        raise DomainError(_l("Unknown checkpoint."), field="checkpoint")
    post = ProgressPost(
        team_id=team.id,
        checkpoint_id=checkpoint_id or None,
        author_id=user.id,
        text=_text(text_value, "text", 5000, message=_l("Write what the team has done.")),
    )
    db.session.add(post)
    db.session.flush()
    return post


def comment_progress(post: ProgressPost, mentor: User, text_value: str) -> MentorComment:
    team = db.session.get(Team, post.team_id)
    if not is_mentor(mentor, team.track_id):
        raise PermissionDenied(_l("Only the track's mentors comment on progress."))
    comment = MentorComment(
        post_id=post.id, mentor_id=mentor.id, text=_text(text_value, "text", 3000, message=_l("Write a comment."))
    )
    db.session.add(comment)
    db.session.flush()
    return comment


def progress_of(team: Team) -> list[ProgressPost]:
    return list(
        db.session.scalars(
            select(ProgressPost).where(ProgressPost.team_id == team.id).order_by(ProgressPost.created_at.desc())
        )
    )


# --------------------------------------------------------------------------- submissions and technical review


def submission_of(team: Team) -> Submission | None:
    return db.session.scalar(select(Submission).where(Submission.team_id == team.id))


def submit(
    team: Team, user: User, *, repo_url: str, demo_url: str, slides_url: str, description: str, now=None
) -> Submission:
    """Create or update the team's submission; refused once the deadline has passed (the server's clock)."""
    now = now or utc_now()
    if user.id not in team.member_ids():
        raise PermissionDenied(_l("Only the team's members submit its solution."))
    hackathon = team_hackathon(team)
    if not hackathon.published or now < hackathon.starts_at:
        raise PhaseClosed(hackathon, "submit", _l("Submissions open when the hackathon starts."))
    if now >= hackathon.submission_deadline:
        raise SubmissionClosed()
    values = {
        "repo_url": _url(repo_url, "repo_url", required=True),
        "demo_url": _url(demo_url, "demo_url"),
        "slides_url": _url(slides_url, "slides_url"),
        "description": _text(description, "description", 10000, message=_l("Describe the solution.")),
    }
    submission = submission_of(team)
    if submission is None:
        submission = Submission(team_id=team.id, submitted_at=now, **values)
        db.session.add(submission)
    else:
        for key, value in values.items():
            setattr(submission, key, value)
    submission.updated_at = now
    db.session.flush()
    return submission


def submissions(hackathon: Hackathon, track_id: int | None = None) -> list[Submission]:
    stmt = (
        select(Submission)
        .join(Team, Team.id == Submission.team_id)
        .where(Team.hackathon_id == hackathon.id)
        .order_by(Team.track_id, Team.name)
    )
    if track_id is not None:
        stmt = stmt.where(Team.track_id == track_id)
    return list(db.session.scalars(stmt))


def review(submission: Submission, actor: User, works: bool, note: str, now=None) -> None:
    """Mark a submission as working or not. Only working ones go before the jury (as accepted entries)."""
    now = now or utc_now()
    team = submission.team
    track = db.session.get(Track, team.track_id)
    hackathon = track.hackathon
    if not can_review(actor, track):
        raise PermissionDenied(_l("Only the organisers and the track's mentors review submissions."))
    if now < hackathon.submission_deadline:
        raise PhaseClosed(hackathon, "review", _l("The technical review starts at the submission deadline."))
    if track.competition.results_published_at is not None:
        raise PhaseClosed(hackathon, "review", _l("The track's results are published; the review is final."))
    note = _text(note, "note", 2000, required=not works, message=_l("Say what does not work."))
    before = submission.review_state
    submission.review_state = ReviewState.WORKS if works else ReviewState.BROKEN
    submission.review_note, submission.reviewed_by_id, submission.reviewed_at = note, actor.id, now
    entry = db.session.get(Entry, submission.entry_id) if submission.entry_id else None
    if works:
        body = submission.description
        links = [
            {"url": u, "video": False} for u in (submission.repo_url, submission.demo_url, submission.slides_url) if u
        ]
        if entry is None:
            entry = Entry(
                competition_id=track.competition_id,
                author_id=team.captain_id,
                title=team.name,
                text=body,
                links=links,
                state=EntryState.ACCEPTED,
            )
            db.session.add(entry)
            db.session.flush()
            submission.entry_id = entry.id
            for member in team.members:  # the whole team are the entry's authors (results and notices)
                if member.user_id != team.captain_id:
                    db.session.add(
                        Coauthor(
                            entry_id=entry.id,
                            email=member.user.email.lower(),
                            user_id=member.user_id,
                            token_hash=token_hash(secrets.token_urlsafe(24)),
                            accepted_at=now,
                        )
                    )
        else:
            entry.state, entry.text, entry.links, entry.updated_at = EntryState.ACCEPTED, body, links, now
    elif entry is not None:
        entry.state = EntryState.REJECTED
    db.session.flush()
    audit.record(
        "contests.technical_review",
        submission,
        actor=actor,
        before={"state": before},
        after={"state": submission.review_state},
    )


def track_for_competition(competition_id: int) -> Track | None:
    return db.session.scalar(select(Track).where(Track.competition_id == competition_id))


def results_phase_open(track: Track, now=None) -> bool:
    """Pitching has begun in the published hackathon: the rule for scoring and for publishing a track's results."""
    now = now or utc_now()
    return track.hackathon.published and now >= track.hackathon.jury_opens_at


def jury_open(track: Track, now=None) -> bool:
    """Judges score, and the organiser may publish (``publish_results``; the page offers it only then), from pitching
    until the track's results are published."""
    return results_phase_open(track, now) and track.competition.results_published_at is None


def publish_results(track: Track, actor: User, now=None) -> dict:
    """Freeze and publish a track's ranking (``results.build`` and ``scoring.py``); the winning teams are told."""
    from civic.contests import results

    now = now or utc_now()
    competition = track.competition
    if not results_phase_open(track, now):
        raise PhaseClosed(track.hackathon, "publish", _l("Results can be published once pitching has begun."))
    # Claimed by one guarded UPDATE: of two organisers publishing at once, one publishes and the other is told.
    claimed = db.session.execute(
        update(Competition)
        .where(Competition.id == competition.id, Competition.results_published_at.is_(None))
        .values(results_published_at=now, results_state=PublishState.PUBLISHED.value)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise PhaseClosed(track.hackathon, "publish", _l("The results are already published."))
    breakdown = results.build(track, now)
    db.session.refresh(competition, ["results_published_at", "results_state"])
    competition.results = breakdown
    db.session.flush()
    audit.record("contests.publish_track_results", track.hackathon, actor=actor, after={"track": track.id})
    link = path_for("contests.hackathon_results", hackathon_id=track.hackathon_id, track_id=track.id)
    title = f"{track.hackathon.title}: {track.title}"
    for row in breakdown["entries"]:
        entry = db.session.get(Entry, row["id"])
        won = row["id"] in breakdown["winners"]
        for uid in sorted(entry.author_ids()):
            notify(
                db.session.get(User, uid),
                "contests.winner" if won else "contests.results",
                (lambda: _("Your team won in “%(title)s”", title=title))
                if won
                else (lambda: _("The results of “%(title)s” are published", title=title)),
                "",
                link,
            )
    return breakdown


def winning_submissions(track: Track) -> list[Submission]:
    winners = (track.competition.results or {}).get("winners", []) if track.competition.results_published_at else []
    if not winners:
        return []
    return list(db.session.scalars(select(Submission).where(Submission.entry_id.in_(winners))))


def set_implementation(
    submission: Submission, actor: User, owner_body: StateBody | None, status: str, started_on, finished_on, note: str
) -> Implementation:
    team = submission.team
    track = db.session.get(Track, team.track_id)
    if not can_organise(actor, track.hackathon):
        raise PermissionDenied()
    if submission.id not in {s.id for s in winning_submissions(track)}:
        raise InvalidTransition(submission, "implement", _l("Implementation is recorded for winning solutions."))
    if status not in set(ImplementationStatus):
        raise DomainError(_l("Choose the status."), field="status")
    if started_on and finished_on and finished_on < started_on:
        raise DomainError(_l("The end cannot come before the start."), field="finished_on")
    record = implementation_of(submission)
    if record is None:
        record = Implementation(submission_id=submission.id)
        db.session.add(record)
    before = record.status
    record.owner_body_id = owner_body.id if owner_body is not None else track.owner_body_id
    record.status, record.started_on, record.finished_on = status, started_on, finished_on
    record.note = _text(note, "note", 5000, required=False)
    record.updated_at = utc_now()
    db.session.flush()
    audit.record(
        "contests.implementation", submission, actor=actor, before={"status": before}, after={"status": status}
    )
    return record


def implementation_of(submission: Submission) -> Implementation | None:
    return db.session.scalar(select(Implementation).where(Implementation.submission_id == submission.id))


def implementations(hackathon: Hackathon) -> list[Implementation]:
    return list(
        db.session.scalars(
            select(Implementation)
            .join(Submission, Submission.id == Implementation.submission_id)
            .join(Team, Team.id == Submission.team_id)
            .where(Team.hackathon_id == hackathon.id)
            .order_by(Implementation.id)
        )
    )
