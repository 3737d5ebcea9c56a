"""The council office's and the secretary's pages: setting a council up, seats, experts and their hours, meetings
with their agenda, attendance, declarations, votes and minutes, and moderating residents' comments."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from civic import db
from civic.core import links
from civic.core.errors import DomainError, PermissionDenied
from civic.core.forms import EmptyForm, commit_or_refuse
from civic.core.http import form_page, get_or_404
from civic.core.i18n import sort_by_name
from civic.councils import services
from civic.councils.forms import (
    BookingForm,
    CouncilForm,
    DecideForm,
    DeclareForm,
    EndSeatForm,
    ExpertForm,
    ItemForm,
    MeetingForm,
    MinutesForm,
    ProposeItemForm,
    RecommendationForm,
    ScheduleForm,
    SeatForm,
)
from civic.councils.models import (
    ITEM_LINK_TYPES,
    VOTE_LABELS,
    ApplicationState,
    Attendance,
    CommentState,
    Council,
    CouncilComment,
    Expert,
    ExpertApplication,
    Meeting,
    MeetingState,
    MinutesState,
    Recommendation,
    Seat,
)
from civic.councils.permissions import MANAGE, can_manage, can_run
from civic.councils.views.common import bp, run_council, run_item, run_meeting
from civic.db import utc_now
from civic.identity.directory import territory_choices
from civic.identity.models import Category, StateBody, Territory, User
from civic.identity.permissions import require_permission


def _user_by_email(email: str, field: str = "email") -> User:
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        raise DomainError(_("No account with this email address; ask the person to register first."), field=field)
    return user


# --------------------------------------------------------------------------- councils


def _set_council_choices(form: CouncilForm) -> None:
    form.territory.choices = territory_choices()
    categories = db.session.scalars(select(Category).where(Category.is_active.is_(True)))
    form.category.choices = [(0, "—"), *((c.id, c.name) for c in sort_by_name(categories))]


def _council_data(form: CouncilForm) -> services.CouncilData:
    territory = db.session.get(Territory, form.territory.data)
    if territory is None:
        raise DomainError(_("Choose the territory."), field="territory")
    return services.CouncilData(
        name_kk=form.name_kk.data,
        name_ru=form.name_ru.data,
        name_en=form.name_en.data or "",
        territory=territory,
        category=db.session.get(Category, form.category.data) if form.category.data else None,
        mandate=form.mandate.data,
        quorum_percent=form.quorum_percent.data,
        notice_days=form.notice_days.data,
        expert_hours=form.expert_hours.data,
    )


@bp.route("/new", methods=["GET", "POST"])
@require_permission(MANAGE)
def new():
    form = CouncilForm()
    _set_council_choices(form)
    if form.validate_on_submit():
        council, refused = commit_or_refuse(lambda: services.create_council(current_user, _council_data(form)), form)
        if refused:
            return form_page("councils/council_form.html", form, status=refused.status_code, council=None)
        flash(_("The council was created. Appoint its members."), "success")
        return redirect(url_for("councils.manage", council_id=council.id), 303)
    return form_page("councils/council_form.html", form, council=None)


@bp.route("/<int:council_id>/edit", methods=["GET", "POST"])
@require_permission(MANAGE)
def edit(council_id: int):
    council = get_or_404(Council, council_id)
    if not can_manage(current_user, council):
        abort(403)
    form = CouncilForm(obj=council)
    _set_council_choices(form)
    if not form.is_submitted():
        form.territory.data, form.category.data = council.territory_id, council.category_id or 0
    if form.validate_on_submit():
        refused = commit_or_refuse(
            lambda: services.update_council(council, current_user, _council_data(form)), form
        ).refused
        if refused:
            return form_page("councils/council_form.html", form, status=refused.status_code, council=council)
        flash(_("The council was saved."), "success")
        return redirect(url_for("councils.manage", council_id=council.id), 303)
    return form_page("councils/council_form.html", form, council=council)


def _meeting_choices(council: Council) -> list[tuple[int, str]]:
    meetings = db.session.scalars(
        select(Meeting)
        .where(Meeting.council_id == council.id, Meeting.state != MeetingState.CANCELLED)
        .order_by(Meeting.starts_at.desc())
        .limit(50)
    )
    return [(m.id, m.title) for m in meetings]


def render_manage(council: Council, status: int = 200, error: str | None = None, **forms):
    seats = list(db.session.scalars(select(Seat).where(Seat.council_id == council.id).order_by(Seat.id)))
    experts = list(db.session.scalars(select(Expert).where(Expert.council_id == council.id).order_by(Expert.id)))
    applications = list(
        db.session.scalars(
            select(ExpertApplication)
            .where(ExpertApplication.council_id == council.id)
            .order_by(ExpertApplication.state != ApplicationState.PENDING, ExpertApplication.id.desc())
            .limit(100)
        )
    )
    meetings = list(
        db.session.scalars(select(Meeting).where(Meeting.council_id == council.id).order_by(Meeting.starts_at.desc()))
    )
    meeting_choices = [(0, "—"), *_meeting_choices(council)]
    booking_forms = {}
    for expert in experts:
        form = forms.get("booking_form") if forms.get("booking_expert") == expert.id else None
        booking_forms[expert.id] = form or BookingForm(prefix=f"b{expert.id}")
        booking_forms[expert.id].meeting.choices = meeting_choices
    today = utc_now().date()
    manages = can_manage(current_user, council)
    seat_form, appoint_open = forms.get("seat_form"), False
    # "propose this expert as a member": the appoint form pre-filled with the expert's account (nothing is written)
    from_expert = request.args.get("member_from_expert", type=int) if request.method == "GET" else None
    expert = next((e for e in experts if e.id == from_expert and e.is_active), None)
    if seat_form is None and manages and expert is not None:
        seat_form, appoint_open = SeatForm(formdata=None, email=expert.user.email, role="member", starts_on=today), True
    return (
        render_template(
            "councils/manage.html",
            council=council,
            seats=seats,
            today=today,
            experts=experts,
            hours={e.id: services.remaining_hours(e) for e in experts},
            applications=applications,
            meetings=meetings,
            pending=services.pending_items(council),
            manages=manages,
            seat_form=seat_form or SeatForm(),
            appoint_open=appoint_open,
            end_form=EndSeatForm(),
            expert_form=forms.get("expert_form") or ExpertForm(),
            decide_form=forms.get("decide_form") or DecideForm(),
            booking_forms=booking_forms,
            booking_expert=forms.get("booking_expert"),
            meeting_form=forms.get("meeting_form") or MeetingForm(),
            item_form=forms.get("item_form") or ItemForm(prefix="pending"),
            error=error,
        ),
        status,
    )


@bp.get("/<int:council_id>/manage")
@login_required
def manage(council_id: int):
    return render_manage(run_council(council_id))


def _act(council: Council, action, success: str, target: str | None = None, form_key: str | None = None, **forms):
    form = forms.get(form_key) if form_key else None
    refused = commit_or_refuse(action, *([form] if form is not None else [])).refused
    if refused:
        return render_manage(council, refused.status_code, error=None if form is not None else str(refused), **forms)
    flash(success, "success")
    return redirect(target or url_for("councils.manage", council_id=council.id), 303)


@bp.post("/<int:council_id>/seats")
@login_required
def appoint(council_id: int):
    council = get_or_404(Council, council_id)
    if not can_manage(current_user, council):
        abort(403)
    form = SeatForm()
    if not form.validate_on_submit():
        return render_manage(council, 400, seat_form=form)

    def action():
        user = _user_by_email(form.email.data)
        services.appoint(council, current_user, user, form.role.data, form.starts_on.data, form.term_ends_on.data)

    return _act(council, action, _("The member was appointed."), form_key="seat_form", seat_form=form)


@bp.post("/seats/<int:seat_id>/end")
@login_required
def end_seat(seat_id: int):
    seat = get_or_404(Seat, seat_id)
    form = EndSeatForm()
    if not form.validate_on_submit():
        abort(400)
    own = seat.user_id == current_user.id
    target = url_for("councils.detail", council_id=seat.council_id) if own else None
    if not own and not can_manage(current_user, seat.council):
        abort(403)
    return _act(
        seat.council,
        lambda: services.end_seat(seat, current_user, form.reason.data, form.note.data or ""),
        _("The seat has ended; it stays in the council's history."),
        target=target,
    )


@bp.post("/<int:council_id>/experts")
@login_required
def add_expert(council_id: int):
    council = run_council(council_id)
    form = ExpertForm()
    if not form.validate_on_submit():
        return render_manage(council, 400, expert_form=form)

    def action():
        user = _user_by_email(form.email.data)
        data = services.ExpertData(form.areas.data, form.languages.data or "", form.bio.data or "")
        services.add_expert(council, current_user, user, data)

    return _act(council, action, _("The expert was added to the roster."), form_key="expert_form", expert_form=form)


@bp.post("/applications/<int:application_id>/decide")
@login_required
def decide(application_id: int):
    application = get_or_404(ExpertApplication, application_id)
    council = run_council(application.council_id)
    form = DecideForm()
    if not form.validate_on_submit():
        return render_manage(council, 400, decide_form=form)
    return _act(
        council,
        lambda: services.decide_application(
            application, current_user, form.decision.data == "accept", form.reason.data
        ),
        _("The decision was recorded and the applicant told."),
    )


@bp.post("/experts/<int:expert_id>/book")
@login_required
def book(expert_id: int):
    expert = get_or_404(Expert, expert_id)
    council = run_council(expert.council_id)
    form = BookingForm(prefix=f"b{expert.id}")
    form.meeting.choices = [(0, "—"), *_meeting_choices(council)]
    if not form.validate_on_submit():
        return render_manage(council, 400, booking_form=form, booking_expert=expert.id)
    meeting = db.session.get(Meeting, form.meeting.data) if form.meeting.data else None
    return _act(
        council,
        lambda: services.book_hours(
            expert, current_user, form.kind.data, form.hours.data, meeting, form.note.data or ""
        ),
        _("The hours were booked."),
        form_key="booking_form",
        booking_form=form,
        booking_expert=expert.id,
    )


@bp.post("/<int:council_id>/meetings")
@login_required
def new_meeting(council_id: int):
    council = run_council(council_id)
    form = MeetingForm()
    if not form.validate_on_submit():
        return render_manage(council, 400, meeting_form=form)
    created = {}

    def action():
        created["meeting"] = services.create_meeting(
            council, current_user, form.title.data, form.starts_at.data, form.place.data or ""
        )

    response = _act(
        council,
        action,
        _("The meeting was created. Set its agenda, then announce it."),
        form_key="meeting_form",
        meeting_form=form,
    )
    if "meeting" in created and response.status_code == 303:
        return redirect(url_for("councils.meeting_manage", meeting_id=created["meeting"].id), 303)
    return response


def _item_data(form: ItemForm) -> services.ItemData:
    return services.ItemData(
        kind=form.kind.data,
        title=form.title.data,
        text=form.text.data or "",
        linked_id=form.linked_id.data,
        is_open=bool(form.is_open.data),
        closed_reason=form.closed_reason.data or "",
    )


@bp.post("/<int:council_id>/pending")
@login_required
def add_pending(council_id: int):
    council = run_council(council_id)
    form = ItemForm(prefix="pending")
    if not form.validate_on_submit():
        return render_manage(council, 400, item_form=form)
    return _act(
        council,
        lambda: services.add_item(council, current_user, _item_data(form)),
        _("The item waits for the next meeting."),
        form_key="item_form",
        item_form=form,
    )


def _runnable_councils() -> list[Council]:
    return [c for c in sort_by_name(db.session.scalars(select(Council))) if can_run(current_user, c)]


@bp.route("/agenda/propose", methods=["GET", "POST"])
@login_required
def propose_item():
    """Propose an item for the next meeting of a council one runs, e.g. from an initiative's page with
    ``?linked_type=initiative&linked_id=<id>`` (validated through the link registry, then pre-filled)."""
    councils = _runnable_councils()
    if not councils:
        abort(403)
    form = ProposeItemForm()
    form.council.choices = [(c.id, c.name) for c in councils]
    if not form.is_submitted():
        requested = links.requested(request.args, current_user)
        kinds = {link_type: kind for kind, link_type in ITEM_LINK_TYPES.items()}
        if requested is not None and requested.type in kinds:
            form.kind.data, form.linked_id.data = str(kinds[requested.type]), requested.id
            form.title.data = requested.title or ""
        elif requested is not None:
            flash(_("A council agenda item cannot be linked to this kind of object."), "error")
        wanted = request.args.get("council_id", type=int)
        if wanted in {c.id for c in councils}:
            form.council.data = wanted
    if form.validate_on_submit():
        council = db.session.get(Council, form.council.data)
        refused = commit_or_refuse(lambda: services.add_item(council, current_user, _item_data(form)), form).refused
        if refused:
            return form_page("councils/propose_item.html", form, status=refused.status_code)
        flash(_("The item waits for the council's next meeting."), "success")
        return redirect(url_for("councils.manage", council_id=council.id), 303)
    return form_page("councils/propose_item.html", form)


# --------------------------------------------------------------------------- a meeting


def _delphi_panel(meeting: Meeting) -> dict | None:
    """ "Make a Delphi panel of this council": for each Delphi study linked to the meeting that the viewer organises,
    Delphi's panel page with this council's members and experts preselected (one click adds them); and a way to
    start such a study. None when Delphi is not installed. Councils imports nothing of Delphi: endpoint names only."""
    views = current_app.view_functions
    if "delphi.panel" not in views:
        return None
    source = f"council:{meeting.council_id}"
    studies = [
        (link, url_for("delphi.panel", study_id=link.id, source=source, _anchor="panel-from-source"))
        for link in links.related("council_meeting", meeting.id, current_user)
        if link.type == "delphi_study"
    ]
    start = (
        url_for("delphi.new_study", linked_type="council_meeting", linked_id=meeting.id)
        if "delphi.new_study" in views
        else None
    )
    return {"studies": studies, "start": start}


def render_meeting_manage(meeting: Meeting, status: int = 200, error: str | None = None, **forms):
    council = meeting.council
    sitting = services.sitting_seats(council, meeting.starts_at.date())
    experts = list(db.session.scalars(select(Expert).where(Expert.council_id == council.id, Expert.is_active)))
    present = {
        a.user_id: a.capacity for a in db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id))
    }
    schedule_form = forms.get("schedule_form") or ScheduleForm()
    pending = services.pending_items(council)
    declare_form = forms.get("declare_form") or DeclareForm()
    declare_form.member.choices = [(s.user_id, s.user.public_name) for s in sitting]
    comments = list(
        db.session.scalars(
            select(CouncilComment)
            .where(
                CouncilComment.item_id.in_([i.id for i in meeting.items]), CouncilComment.state == CommentState.PENDING
            )
            .order_by(CouncilComment.id)
        )
    )
    bodies = sort_by_name(
        db.session.scalars(select(StateBody).where(StateBody.territory_id.in_(council.territory.ancestor_ids)))
    )
    return (
        render_template(
            "councils/meeting_manage.html",
            meeting=meeting,
            council=council,
            sitting=sitting,
            experts=experts,
            present=present,
            quorum=services.quorum(meeting),
            started=meeting.has_started(),
            notice_ok=services.notice_ok(meeting),
            pending=pending,
            schedule_form=schedule_form,
            item_form=forms.get("item_form") or ItemForm(prefix="item"),
            declare_form=declare_form,
            rec_form=forms.get("rec_form") or RecommendationForm(),
            minutes_form=forms.get("minutes_form") or MinutesForm(obj=meeting),
            vote_labels=VOTE_LABELS,
            bodies=bodies,
            default_body=services.default_body(council),
            comments=comments,
            delphi_panel=_delphi_panel(meeting),
            empty_form=EmptyForm(),
            error=error,
            MinutesState=MinutesState,
        ),
        status,
    )


@bp.get("/meetings/<int:meeting_id>/manage")
@login_required
def meeting_manage(meeting_id: int):
    return render_meeting_manage(run_meeting(meeting_id))


def _mact(meeting: Meeting, action, success: str, form_key: str | None = None, **forms):
    form = forms.get(form_key) if form_key else None
    refused = commit_or_refuse(action, *([form] if form is not None else [])).refused
    if refused:
        error = None if form is not None else str(refused)
        return render_meeting_manage(meeting, refused.status_code, error=error, **forms)
    flash(success, "success")
    return redirect(url_for("councils.meeting_manage", meeting_id=meeting.id), 303)


@bp.post("/meetings/<int:meeting_id>/items")
@login_required
def add_item(meeting_id: int):
    meeting = run_meeting(meeting_id)
    form = ItemForm(prefix="item")
    if not form.validate_on_submit():
        return render_meeting_manage(meeting, 400, item_form=form)
    return _mact(
        meeting,
        lambda: services.add_item(meeting.council, current_user, _item_data(form), meeting=meeting),
        _("The item was added to the agenda."),
        form_key="item_form",
        item_form=form,
    )


@bp.post("/items/<int:item_id>/schedule")
@login_required
def schedule(item_id: int):
    item = run_item(item_id)
    meeting = db.session.get(Meeting, request.form.get("meeting", type=int) or 0)
    if meeting is None or meeting.council_id != item.council_id or not EmptyForm().validate_on_submit():
        abort(400)
    return _mact(meeting, lambda: services.schedule_item(item, meeting, current_user), _("The item is on the agenda."))


@bp.post("/meetings/<int:meeting_id>/announce")
@login_required
def announce(meeting_id: int):
    meeting = run_meeting(meeting_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _mact(meeting, lambda: services.announce(meeting, current_user), _("The meeting and its agenda are public."))


@bp.post("/meetings/<int:meeting_id>/attendance")
@login_required
def attendance(meeting_id: int):
    meeting = run_meeting(meeting_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    members = [int(v) for v in request.form.getlist("member") if v.isdigit()]
    others = [int(v) for v in request.form.getlist("other") if v.isdigit()]
    return _mact(
        meeting, lambda: services.set_attendance(meeting, current_user, members, others), _("Attendance recorded.")
    )


@bp.post("/items/<int:item_id>/declare")
@login_required
def declare(item_id: int):
    from civic.councils.models import AgendaItem

    item = get_or_404(AgendaItem, item_id)
    if item.meeting is None:
        abort(404)
    form = DeclareForm()
    form.member.choices = [(s.user_id, s.user.public_name) for s in services.sitting_seats(item.council)]
    runs = can_run(current_user, item.council)

    def refused(status: int, message: str):
        if runs:
            return render_meeting_manage(item.meeting, status, declare_form=form)
        from civic.councils.views.public import render_meeting

        return render_meeting(item.meeting, status, error=message)

    if not form.validate_on_submit():
        messages = [e for f in form for e in f.errors] or [_("Describe the conflict of interest.")]
        return refused(400, " ".join(str(m) for m in messages))
    member = db.session.get(User, form.member.data) or current_user
    try:
        services.declare(item, member, form.text.data, actor=current_user)
    except PermissionDenied:
        db.session.rollback()
        abort(403)
    except DomainError as exc:
        db.session.rollback()
        form.add_domain_error(exc)
        return refused(exc.status_code, str(exc))
    db.session.commit()
    flash(_("The declaration was recorded; the member will not vote on this item."), "success")
    return redirect(url_for("councils.meeting_manage", meeting_id=item.meeting_id), 303)


@bp.post("/items/<int:item_id>/recommendations")
@login_required
def propose(item_id: int):
    item = run_item(item_id)
    if item.meeting is None:
        abort(404)
    form = RecommendationForm(prefix=f"r{item.id}")
    if not form.validate_on_submit():
        return render_meeting_manage(item.meeting, 400, rec_form=form)
    return _mact(
        item.meeting,
        lambda: services.propose(item, current_user, form.text.data),
        _("The recommendation is ready for the vote."),
        form_key="rec_form",
        rec_form=form,
    )


@bp.post("/recommendations/<int:rec_id>/votes")
@login_required
def votes(rec_id: int):
    rec = get_or_404(Recommendation, rec_id)
    if rec.item is None or rec.item.meeting is None:
        abort(404)
    meeting = run_meeting(rec.item.meeting_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    choices = {
        int(key.removeprefix("vote-")): value
        for key, value in request.form.items()
        if key.startswith("vote-") and key.removeprefix("vote-").isdigit()
    }
    body = db.session.get(StateBody, request.form.get("body", type=int) or 0)
    return _mact(
        meeting, lambda: services.record_votes(rec, current_user, choices, body), _("The votes were recorded.")
    )


@bp.post("/meetings/<int:meeting_id>/minutes")
@login_required
def minutes(meeting_id: int):
    meeting = run_meeting(meeting_id)
    form = MinutesForm()
    if not form.validate_on_submit():
        return render_meeting_manage(meeting, 400, minutes_form=form)
    step = request.form.get("step", "save")

    def action():
        if step in ("save", "approve") and meeting.minutes_state in (MinutesState.NONE, MinutesState.DRAFT):
            services.save_minutes(
                meeting, current_user, form.minutes_kk.data, form.minutes_ru.data, form.minutes_en.data
            )
        if step == "approve":
            services.approve_minutes(meeting, current_user)
        if step == "publish":
            services.publish_minutes(meeting, current_user)

    messages = {
        "save": _("The draft minutes were saved."),
        "approve": _("The minutes are approved."),
        "publish": _("The minutes are published."),
    }
    return _mact(meeting, action, messages.get(step, messages["save"]), form_key="minutes_form", minutes_form=form)


@bp.post("/comments/<int:comment_id>/moderate")
@login_required
def moderate(comment_id: int):
    note = get_or_404(CouncilComment, comment_id)
    meeting = run_meeting(note.item.meeting_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    publish = request.form.get("publish") == "1"
    return _mact(
        meeting,
        lambda: services.moderate_comment(note, current_user, publish),
        _("The comment is published.") if publish else _("The comment was rejected."),
    )
