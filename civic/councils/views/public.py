"""Public pages: councils, a council (mandate, members, experts, meetings, recommendations), a meeting (agenda,
residents' comments; minutes once published), a recommendation with its answer, the tracker, a body's page, the
iCalendar feeds, and applying to be an expert."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from civic import db
from civic.core import links
from civic.core.forms import commit_or_refuse
from civic.core.http import form_page, get_or_404
from civic.core.i18n import sort_by_name
from civic.core.richtext import render_markdown
from civic.councils import services, tracker
from civic.councils.forms import ApplyForm, CommentForm
from civic.councils.models import (
    STATUS_LABELS,
    CommentState,
    Council,
    CouncilComment,
    Expert,
    Meeting,
    MeetingState,
    MinutesState,
    Recommendation,
    RecState,
    Seat,
    VolunteerCall,
)
from civic.councils.permissions import can_answer, can_manage, can_run, sitting_seat
from civic.councils.views.common import bp, load_meeting, load_recommendation
from civic.db import utc_now
from civic.identity.models import StateBody, Territory


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.get("/")
def index():
    territory_id = _int_arg("territory")
    stmt = select(Council)
    if territory_id:
        territory = db.session.get(Territory, territory_id)
        if territory is not None:
            stmt = stmt.join(Territory, Territory.id == Council.territory_id).where(
                Territory.path.startswith(territory.path)
            )
    councils = sort_by_name(db.session.scalars(stmt.limit(500)))
    upcoming = list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.state == MeetingState.ANNOUNCED, Meeting.starts_at > utc_now())
            .order_by(Meeting.starts_at)
            .limit(10)
        )
    )
    return render_template(
        "councils/index.html",
        councils=councils,
        upcoming=upcoming,
        can_create=current_user.is_authenticated and current_user.has_permission("councils.manage"),
    )


@bp.get("/<int:council_id>")
def detail(council_id: int):
    council = get_or_404(Council, council_id)
    now = utc_now()
    seats = list(
        db.session.scalars(select(Seat).where(Seat.council_id == council.id).order_by(Seat.starts_on, Seat.id))
    )
    today = now.date()
    sitting = [s for s in seats if s.is_sitting(today)]
    history = [s for s in seats if not s.is_sitting(today)]
    experts = list(
        db.session.scalars(select(Expert).where(Expert.council_id == council.id, Expert.is_active).order_by(Expert.id))
    )
    meetings = [
        m
        for m in db.session.scalars(
            select(Meeting).where(Meeting.council_id == council.id).order_by(Meeting.starts_at.desc()).limit(50)
        )
        if m.state == MeetingState.ANNOUNCED or can_run(current_user, council)
    ]
    recs = tracker.sent(now, council_id=council.id, size=50).rows
    calls = list(
        db.session.scalars(
            select(VolunteerCall).where(VolunteerCall.council_id == council.id).order_by(VolunteerCall.id.desc())
        )
    )
    return render_template(
        "councils/detail.html",
        council=council,
        mandate=render_markdown(council.mandate),
        sitting=sitting,
        history=history,
        experts=experts,
        hours={e.id: services.remaining_hours(e) for e in experts},
        meetings=meetings,
        recs=recs,
        calls=calls,
        now=now,
        status_labels=STATUS_LABELS,
        runs=can_run(current_user, council),
        manages=can_manage(current_user, council),
    )


def render_meeting(meeting: Meeting, status: int = 200, forms: dict | None = None, error: str | None = None):
    now = utc_now()
    published = meeting.minutes_state == MinutesState.PUBLISHED
    comments = {}
    for item in meeting.items:
        comments[item.id] = list(
            db.session.scalars(
                select(CouncilComment)
                .where(CouncilComment.item_id == item.id, CouncilComment.state == CommentState.PUBLISHED)
                .order_by(CouncilComment.id)
            )
        )
    member = sitting_seat(current_user, meeting.council) is not None
    return (
        render_template(
            "councils/meeting.html",
            meeting=meeting,
            council=meeting.council,
            items=[i for i in meeting.items],
            linked={i.id: links.resolve(i.linked_type, i.linked_id, current_user) for i in meeting.items},
            comments=comments,
            comments_open={i.id: services.comments_open(i, now) for i in meeting.items},
            comment_forms=(forms or {}),
            published=published,
            attendance=services.quorum(meeting) if published else None,
            attendees=_attendees(meeting) if published else [],
            hours=services.expert_hours_at(meeting) if published else [],
            status_labels=STATUS_LABELS,
            now=now,
            runs=can_run(current_user, meeting.council),
            member=member,
            error=error,
        ),
        status,
    )


def _attendees(meeting: Meeting):
    from civic.councils.models import Attendance

    return list(
        db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id).order_by(Attendance.id))
    )


@bp.get("/meetings/<int:meeting_id>")
def meeting(meeting_id: int):
    return render_meeting(load_meeting(meeting_id))


@bp.post("/items/<int:item_id>/comment")
@login_required
def comment(item_id: int):
    from civic.councils.models import AgendaItem

    item = get_or_404(AgendaItem, item_id)
    if item.meeting is None:
        abort(404)
    meeting = load_meeting(item.meeting_id)
    form = CommentForm(prefix=f"c{item.id}")
    if not form.validate_on_submit():
        return render_meeting(meeting, 400, forms={item.id: form})
    refused = commit_or_refuse(lambda: services.comment(item, current_user, form.text.data), form).refused
    if refused:
        return render_meeting(meeting, refused.status_code, forms={item.id: form})
    flash(_("Thank you. Your comment will appear once the secretary has reviewed it."), "success")
    return redirect(url_for("councils.meeting", meeting_id=meeting.id), 303)


@bp.get("/recommendations/<int:rec_id>")
def recommendation(rec_id: int):
    from civic.councils.views.body import render_recommendation

    return render_recommendation(load_recommendation(rec_id))


@bp.get("/recommendations", endpoint="tracker")
def tracker_view():
    return _tracker()


def _tracker(body: StateBody | None = None):
    now = utc_now()
    council_id = _int_arg("council")
    body_id = body.id if body is not None else _int_arg("body")
    status = request.args.get("status") or None
    if status not in (None, *tracker.STATUSES):
        status = None
    page = _int_arg("page") or 1
    result = tracker.sent(now, council_id=council_id, body_id=body_id, status=status, page=page)
    timeliness = tracker.timeliness(now, body_id=body.id if body is not None else None, council_id=council_id)
    councils = sort_by_name(tracker.council_choices()) if body is None else []
    args = {k: v for k, v in {"council": council_id, "body": None if body else body_id, "status": status}.items() if v}
    return render_template(
        "councils/tracker.html",
        body=body,
        result=result,
        timeliness=timeliness,
        councils=councils,
        bodies=[t.body for t in timeliness],
        council_id=council_id,
        body_id=body_id,
        status=status,
        statuses=tracker.STATUSES,
        status_labels=STATUS_LABELS,
        page_url=lambda n: url_for(request.endpoint, page=n, **(request.view_args or {}), **args),
        now=now,
        answers=body is not None and can_answer(current_user, body),
    )


@bp.get("/bodies/<int:body_id>")
def body_page(body_id: int):
    return _tracker(get_or_404(StateBody, body_id))


def _ics_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics(meetings: list[Meeting], name: str) -> Response:
    """An iCalendar (RFC 5545) feed of announced meetings, two hours each."""
    stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Civic//Public councils//EN",
        f"X-WR-CALNAME:{_ics_escape(name)}",
    ]
    for m in meetings:
        lines += [
            "BEGIN:VEVENT",
            f"UID:council-meeting-{m.id}@civic",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{m.starts_at.strftime('%Y%m%dT%H%M%SZ')}",
            f"DTEND:{(m.starts_at + timedelta(hours=2)).strftime('%Y%m%dT%H%M%SZ')}",
            f"SUMMARY:{_ics_escape(m.title)}",
            f"LOCATION:{_ics_escape(m.place)}",
            f"DESCRIPTION:{_ics_escape(m.council.name)}",
            f"URL:{url_for('councils.meeting', meeting_id=m.id, _external=True)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return Response("\r\n".join(lines) + "\r\n", mimetype="text/calendar")


@bp.get("/meetings.ics")
def all_meetings_ics():
    meetings = list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.state == MeetingState.ANNOUNCED, Meeting.starts_at > utc_now() - timedelta(days=90))
            .order_by(Meeting.starts_at)
            .limit(1000)
        )
    )
    return _ics(meetings, _("Public council meetings"))


@bp.get("/<int:council_id>/meetings.ics")
def council_ics(council_id: int):
    council = get_or_404(Council, council_id)
    meetings = list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.council_id == council.id, Meeting.state == MeetingState.ANNOUNCED)
            .order_by(Meeting.starts_at)
        )
    )
    return _ics(meetings, council.name)


@bp.route("/<int:council_id>/apply", methods=["GET", "POST"])
@login_required
def apply(council_id: int):
    council = get_or_404(Council, council_id)
    form = ApplyForm()
    if form.validate_on_submit():
        data = services.ExpertData(
            areas=form.areas.data,
            languages=form.languages.data or "",
            bio=form.bio.data or "",
            organisation=form.organisation.data or "",
            motivation=form.motivation.data or "",
        )
        refused = commit_or_refuse(lambda: services.apply_as_expert(council, current_user, data), form).refused
        if refused:
            return form_page("councils/apply.html", form, status=refused.status_code, council=council)
        flash(_("Your application was sent. The chair or secretary will decide and tell you why."), "success")
        return redirect(url_for("councils.detail", council_id=council.id), 303)
    return form_page("councils/apply.html", form, council=council)


def rec_rows(recs: list[Recommendation]):
    return [(r, r.status()) for r in recs]


__all__ = ["RecState", "rec_rows"]
