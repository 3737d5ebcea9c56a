"""Open data: public councils (mandate, members as public figures, invited experts with their public bio and hours),
announced meetings (agenda, declarations, recorded votes; minutes with attendance once published) and the
recommendations with the bodies' answers, dates and timeliness. Exactly what the public pages show: no e-mails,
no residents' comments, no drafts."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from civic import db
from civic.core import deadlines, opendata
from civic.core.opendata import choice, day, integer, parse_args, serve_list, subtree, text
from civic.councils import services
from civic.councils.models import (
    Attendance,
    Council,
    Expert,
    Meeting,
    MeetingState,
    MinutesState,
    Recommendation,
    RecState,
    Seat,
)
from civic.councils.tracker import status_condition
from civic.db import utc_now
from civic.identity.models import Category, StateBody

bp = Blueprint("councils_api", __name__, url_prefix="/api/v1")
MAX_ID = 2**31 - 1
#: Statuses of a voted recommendation (proposals are not listed: they are still before the council).
STATUSES = ("not_adopted", "awaiting", "overdue", "answered_on_time", "answered_late")
CAPACITIES = ("member", "expert", "guest")


def _code(obj) -> str | None:
    return obj.code if obj is not None else None


def council_item(council: Council) -> dict:
    return {
        "id": council.id,
        "name": opendata.names(council),
        "territory_code": council.territory.code,
        "sector_code": _code(council.category),
        "quorum_percent": council.quorum_percent,
        "notice_days": council.notice_days,
        "created_at": opendata.iso(council.created_at),
        "url": opendata.external("councils.detail", council_id=council.id),
        "api_url": opendata.external("councils_api.council", council_id=council.id),
    }


def _council_or_404(council_id: int) -> Council:
    council = db.session.get(Council, council_id) if council_id <= MAX_ID else None
    if council is None:
        abort(404, description=_("There is no public council with this number."))
    return council


@bp.get("/councils")
@bp.get("/councils.csv", endpoint="councils_csv")
def councils():
    """Public councils (filter by territory with its subtree and by sector)."""
    args = parse_args({**opendata.PAGING, "territory": text(40), "sector": text(40)})
    stmt = select(Council).options(selectinload(Council.territory), selectinload(Council.category))
    if (inside := subtree(Council.territory_id, args.get("territory"))) is not None:
        stmt = stmt.where(inside)
    if "sector" in args:
        stmt = stmt.where(Council.category_id == opendata.id_for(Category, "sector", args["sector"]))
    return serve_list(
        stmt,
        Council.id,
        args,
        council_item,
        csv_row=lambda c: [
            c.id,
            c.name_kk,
            c.name_ru,
            c.name_en,
            c.territory.code,
            _code(c.category),
            c.quorum_percent,
            c.notice_days,
            opendata.external("councils.detail", council_id=c.id),
        ],
        csv_columns=(
            "id",
            "name_kk",
            "name_ru",
            "name_en",
            "territory_code",
            "sector_code",
            "quorum_percent",
            "notice_days",
            "url",
        ),
        filename="councils.csv",
    )


def _member(seat: Seat, today) -> dict:
    return {
        "name": seat.user.public_name,
        "role": seat.role,
        "starts_on": opendata.iso(seat.starts_on),
        "term_ends_on": opendata.iso(seat.term_ends_on),
        "ended_on": opendata.iso(seat.ended_at.date()) if seat.ended_at else None,
        "sitting": seat.is_sitting(today),
    }


def _expert(expert: Expert, year: int) -> dict:
    sub = services.subscription_for(expert, year)
    total = float(sub.hours) if sub is not None else float(expert.council.expert_hours)
    used = float(sub.used_hours) if sub is not None else 0.0
    return {
        "name": expert.user.public_name,
        "areas": expert.areas,
        "languages": expert.languages,
        "bio": expert.bio,
        "year": year,
        "hours": total,
        "hours_used": used,
        "hours_remaining": max(total - used, 0.0),
    }


@bp.get("/councils/<int:council_id>")
def council(council_id: int):
    """One council: mandate, sitting and former members, invited experts with this year's hours."""
    parse_args({})
    item = _council_or_404(council_id)
    now = utc_now()
    seats = db.session.scalars(select(Seat).where(Seat.council_id == item.id).order_by(Seat.starts_on, Seat.id))
    experts = db.session.scalars(
        select(Expert).where(Expert.council_id == item.id, Expert.is_active).order_by(Expert.id)
    )
    return opendata.cached(
        {
            **council_item(item),
            "mandate": item.mandate,
            "members": [_member(s, now.date()) for s in seats],
            "experts": [_expert(e, now.year) for e in experts],
        }
    )


def meeting_item(meeting: Meeting) -> dict:
    published = meeting.minutes_state == MinutesState.PUBLISHED
    return {
        "id": meeting.id,
        "council_id": meeting.council_id,
        "title": meeting.title,
        "starts_at": opendata.iso(meeting.starts_at),
        "place": meeting.place,
        "announced_at": opendata.iso(meeting.announced_at),
        "minutes_published_at": opendata.iso(meeting.minutes_published_at) if published else None,
        "url": opendata.external("councils.meeting", meeting_id=meeting.id),
        "api_url": opendata.external("councils_api.meeting", meeting_id=meeting.id),
    }


@bp.get("/councils/<int:council_id>/meetings")
def meetings(council_id: int):
    """A council's announced meetings (drafts and cancelled meetings are not public), ordered by id."""
    args = parse_args(opendata.PAGING)
    item = _council_or_404(council_id)
    stmt = select(Meeting).where(Meeting.council_id == item.id, Meeting.state == MeetingState.ANNOUNCED)
    return serve_list(stmt, Meeting.id, args, meeting_item)


def _votes(rec: Recommendation) -> dict:
    return {
        "for": rec.votes_for,
        "against": rec.votes_against,
        "abstain": rec.votes_abstain,
        "present": rec.present_at_vote,
        "sitting": rec.sitting_at_vote,
    }


def _public_recommendation(rec: Recommendation) -> bool:
    """Voted recommendations are public; a proposal only while its meeting is announced."""
    if rec.state != RecState.PROPOSED:
        return True
    return rec.item is not None and rec.item.meeting is not None and rec.item.meeting.state == MeetingState.ANNOUNCED


def _agenda_item(item) -> dict:
    return {
        "id": item.id,
        "position": item.position,
        "kind": item.kind,
        "title": item.title,
        "text": item.text,
        "open": item.is_open,
        "closed_reason": None if item.is_open else item.closed_reason,
        "declarations": [{"member": d.user.public_name, "text": d.text} for d in item.declarations],
        "recommendations": [
            {
                "id": r.id,
                "text": r.text,
                "status": r.status(),
                "voted_at": opendata.iso(r.voted_at),
                "votes": _votes(r) if r.voted_at else None,
                "recorded_votes": [{"member": v.user.public_name, "choice": v.choice} for v in r.votes],
                "api_url": opendata.external("councils_api.recommendation", rec_id=r.id),
            }
            for r in item.recommendations
            if _public_recommendation(r)
        ],
    }


def _minutes(meeting: Meeting) -> dict | None:
    if meeting.minutes_state != MinutesState.PUBLISHED:
        return None
    quorum = services.quorum(meeting)
    attendees = db.session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting.id).order_by(Attendance.id)
    )
    return {
        "text": {lang: getattr(meeting, f"minutes_{lang}") or "" for lang in opendata.LANGUAGES},
        "approved_at": opendata.iso(meeting.minutes_approved_at),
        "published_at": opendata.iso(meeting.minutes_published_at),
        "attendance": {"present": quorum.present, "sitting": quorum.sitting, "quorum": quorum.needed},
        "attendees": [
            {"name": a.user.public_name, "capacity": a.capacity if a.capacity in CAPACITIES else "guest"}
            for a in attendees
        ],
        "expert_hours": [{"name": e.user.public_name, "hours": h} for e, h in services.expert_hours_at(meeting)],
    }


@bp.get("/councils/meetings/<int:meeting_id>")
def meeting(meeting_id: int):
    """An announced meeting: its agenda (open and closed items, declarations, recommendations with recorded votes)
    and, once published, the minutes with attendance."""
    parse_args({})
    found = db.session.get(Meeting, meeting_id) if meeting_id <= MAX_ID else None
    if found is None or found.state != MeetingState.ANNOUNCED:
        abort(404, description=_("There is no announced council meeting with this number."))
    return opendata.cached(
        {**meeting_item(found), "agenda": [_agenda_item(i) for i in found.items], "minutes": _minutes(found)}
    )


def recommendation_item(rec: Recommendation) -> dict:
    now = utc_now()
    answered = rec.state == RecState.ANSWERED
    return {
        "id": rec.id,
        "council_id": rec.council_id,
        "meeting_id": rec.item.meeting_id if rec.item is not None else None,
        "text": rec.text,
        "status": rec.status(now),
        "voted_at": opendata.iso(rec.voted_at),
        "votes": _votes(rec),
        "body_code": _code(rec.body),
        "sent_at": opendata.iso(rec.sent_at),
        "due_at": opendata.iso(rec.due_at),
        "extended_at": opendata.iso(rec.extended_at),
        "extension_reason": rec.extension_reason if rec.extended_at else None,
        "acknowledged_at": opendata.iso(rec.acknowledged_at),
        "answered_at": opendata.iso(rec.answered_at) if answered else None,
        "answered_late": bool(rec.answered_late) if answered else None,
        "decision": rec.decision if answered else None,
        "answer": rec.answer_text if answered else None,
        "plan": (rec.plan or None) if answered else None,
        "plan_date": opendata.iso(rec.plan_date) if answered else None,
        "unjustified_at": opendata.iso(rec.unjustified_at),
        "unjustified_reason": rec.unjustified_reason if rec.unjustified_at else None,
        "url": opendata.external("councils.recommendation", rec_id=rec.id),
        "api_url": opendata.external("councils_api.recommendation", rec_id=rec.id),
    }


RECOMMENDATION_CSV = (
    "id",
    "council_id",
    "meeting_id",
    "text",
    "status",
    "voted_at",
    "body_code",
    "sent_at",
    "due_at",
    "extended_at",
    "acknowledged_at",
    "answered_at",
    "answered_late",
    "decision",
    "answer",
    "plan",
    "plan_date",
    "unjustified_at",
    "url",
)


@bp.get("/councils/recommendations")
@bp.get("/councils/recommendations.csv", endpoint="recommendations_csv")
def recommendations():
    """Voted recommendations with the bodies' answers (filter by council, body, territory, status, sending dates)."""
    args = parse_args(
        {
            **opendata.PAGING,
            "council": integer(1, MAX_ID),
            "body": text(40),
            "territory": text(40),
            "status": choice(*STATUSES),
            "sent_from": day,
            "sent_to": day,
        }
    )
    stmt = (
        select(Recommendation)
        .where(Recommendation.state != RecState.PROPOSED)
        .options(selectinload(Recommendation.body), selectinload(Recommendation.item))
    )
    if "council" in args:
        stmt = stmt.where(Recommendation.council_id == args["council"])
    if "body" in args:
        stmt = stmt.where(Recommendation.body_id == opendata.id_for(StateBody, "body", args["body"]))
    if (inside := subtree(Council.territory_id, args.get("territory"))) is not None:
        stmt = stmt.where(Recommendation.council_id.in_(select(Council.id).where(inside)))
    if "status" in args:
        status = args["status"]
        condition = (
            Recommendation.state == RecState.NOT_ADOPTED
            if status == "not_adopted"
            else status_condition(status, utc_now())
        )
        stmt = stmt.where(condition)
    if "sent_from" in args:
        stmt = stmt.where(Recommendation.sent_at >= deadlines.start_of_local_day(args["sent_from"]))
    if "sent_to" in args:
        stmt = stmt.where(Recommendation.sent_at < deadlines.start_of_local_day(args["sent_to"] + timedelta(days=1)))
    return serve_list(
        stmt, Recommendation.id, args, recommendation_item, RECOMMENDATION_CSV, filename="recommendations.csv"
    )


@bp.get("/councils/recommendations/<int:rec_id>")
def recommendation(rec_id: int):
    """One recommendation with its vote, the body's answer and its timeliness."""
    parse_args({})
    rec = db.session.get(Recommendation, rec_id) if rec_id <= MAX_ID else None
    if rec is None or rec.state == RecState.PROPOSED:
        abort(404, description=_("There is no voted council recommendation with this number."))
    return opendata.cached(
        {
            **recommendation_item(rec),
            "recorded_votes": [{"member": v.user.public_name, "choice": v.choice} for v in rec.votes],
        }
    )
