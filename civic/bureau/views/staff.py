"""The consultant's workspace: intake on a client's behalf, queues, bulk actions, and the steps of a case."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from civic import db
from civic.bureau import forms, queries
from civic.bureau.models import Case, CaseState
from civic.bureau.models.enums import OPEN_STATES, STATE_LABELS
from civic.bureau.permissions import CONSULT, can_work_on
from civic.bureau.services import cases as case_services
from civic.bureau.services import referrals as referral_services
from civic.bureau.services import work
from civic.bureau.services.attachments import check_count
from civic.bureau.services.catalog import bureau_categories
from civic.bureau.views import bp, page
from civic.bureau.views.common import (
    case_url,
    category_choices,
    done,
    form_errors_status,
    load,
    refused_status,
    territory_select,
)
from civic.bureau.views.page import render_case
from civic.core.errors import DomainError
from civic.core.forms import EmptyForm
from civic.core.http import form_page
from civic.identity.models import Category, StateBody, Territory, User
from civic.identity.permissions import holders, require_permission
from civic.identity.services import find_user_by_email


@bp.route("/intake", methods=["GET", "POST"])
@require_permission(CONSULT)
def intake():
    """Record a case for a client who came in, phoned, met us at a telecottage or wrote in a messenger."""
    form = forms.IntakeForm()
    form.category.choices, form.territory.choices = category_choices(), territory_select()
    if form.validate_on_submit():
        client = find_user_by_email(form.client_email.data) if form.client_email.data else None
        try:
            case = case_services.open_case(
                actor=current_user,
                client=client,
                channel=form.channel.data,
                category=db.session.get(Category, form.category.data),
                territory=db.session.get(Territory, form.territory.data),
                description=form.description.data,
                preferred_language=form.preferred_language.data,
                contact_channel=form.contact_channel.data,
                consents=form.consents(),
                client_name=form.client_name.data,
                client_phone=form.client_phone.data,
                client_email=form.client_email.data if client is None else None,
                uploads=check_count(form.attachments.data),
            )
        except DomainError as exc:
            db.session.rollback()
            form.add_domain_error(exc)
        else:
            return done(
                _("Case %(number)s was recorded. Give the client this number.", number=case.number), case_url(case)
            )
    return form_page("bureau/intake.html", form)


def _queue_filter() -> queries.QueueFilter:
    view = request.args.get("view", "work")
    state = request.args.get("state") or None
    return queries.QueueFilter(
        view=view if view in queries.QUEUE_VIEWS else "work",
        state=state if state in {s.value for s in CaseState} else None,
        category_id=request.args.get("category", type=int),
        territory_id=request.args.get("territory", type=int),
        page=max(request.args.get("page", 1, type=int), 1),
    )


@bp.get("/queue")
@require_permission(CONSULT)
def queue():
    """Show the consultant's queues: by default the intake of my territory and my cases together (with their counts),
    each on its own tab, and (supervisors) all and overdue."""
    flt = _queue_filter()
    rows, has_next = queries.queue(current_user, flt)
    return render_template(
        "bureau/queue.html",
        rows=rows,
        counts=queries.queue_counts(current_user),
        has_next=has_next,
        flt=flt,
        categories=bureau_categories(),
        territories=territory_select(),
        states=[(s, STATE_LABELS[s]) for s in CaseState if s in OPEN_STATES],
        consultants=_assignable(),
        bulk_form=EmptyForm(),
    )


def _assignable() -> list[User]:
    people = holders(CONSULT)
    return people if any(p.id == current_user.id for p in people) else [current_user, *people]


@bp.post("/queue/bulk")
@require_permission(CONSULT)
def bulk():
    """Apply one action to the ticked cases in one transaction: all succeed or none does."""
    form = EmptyForm()
    ids = request.form.getlist("case_ids", type=int)[:200]
    action, back = request.form.get("action"), url_for("bureau.queue", **request.args)
    if not form.validate_on_submit() or not ids or action not in ("triage", "assign_me", "assign"):
        return _bulk_refused(_("Tick at least one case and choose an action."), back)
    chosen = request.form.get("consultant", type=int)
    target = current_user if action == "assign_me" else db.session.get(User, chosen) if chosen else None
    try:
        for case_id in ids:
            case = load(Case, case_id, can_work_on)
            _bulk_one(case, action, target)
    except DomainError as exc:
        return _bulk_refused(str(exc), back, getattr(exc, "status_code", 400))
    return done(_("%(n)s cases updated.", n=len(ids)), back)


def _bulk_one(case: Case, action: str, target: User | None) -> None:
    if case.state == CaseState.NEW:
        case_services.triage(case, current_user)
    if action != "triage":
        if target is None:
            raise DomainError(_("Choose the consultant."))
        case_services.assign(case, current_user, target)


def _bulk_refused(message: str, back: str, status: int = 400):
    db.session.rollback()
    return render_template("bureau/refused.html", message=message, back=back), status


def _step(case_id: int, build, field_name: str, act, message: str, anchor: str = ""):
    """Shared shape of a staff step: check access, validate the form, run the service, commit, redirect."""
    case = load(Case, case_id, can_work_on)
    form = build(case)
    if not form.validate_on_submit():
        return render_case(case, form_errors_status(form), **{field_name: form})
    try:
        act(case, form)
    except DomainError as exc:
        form.add_domain_error(exc)
        return render_case(case, refused_status(exc), **{field_name: form})
    return done(message, case_url(case, anchor))


@bp.post("/cases/<int:case_id>/triage")
@require_permission(CONSULT)
def triage(case_id: int):
    """Confirm the area, territory and urgency of a new case."""

    def act(case, form):
        case_services.triage(
            case,
            current_user,
            category=db.session.get(Category, form.category.data),
            territory=db.session.get(Territory, form.territory.data),
            urgent=form.urgent.data,
        )

    return _step(case_id, page.triage_form, "triage_form", act, _("The case was triaged."))


@bp.post("/cases/<int:case_id>/take")
@require_permission(CONSULT)
def take(case_id: int):
    """The guided path's first step in one: triage (area, territory, urgency), assign to me and start work."""

    def act(case, form):
        case_services.take(
            case,
            current_user,
            category=db.session.get(Category, form.category.data),
            territory=db.session.get(Territory, form.territory.data),
            urgent=form.urgent.data,
        )

    return _step(case_id, page.take_form, "take_form", act, _("You took the case; it is now in progress."), "next")


@bp.post("/cases/<int:case_id>/assign")
@require_permission(CONSULT)
def assign(case_id: int):
    """Assign or reassign the case to a consultant."""

    def act(case, form):
        case_services.assign(case, current_user, db.session.get(User, form.consultant.data))

    return _step(case_id, page.assign_form, "assign_form", act, _("The case was assigned."))


@bp.post("/cases/<int:case_id>/start")
@require_permission(CONSULT)
def start(case_id: int):
    """Start working on an assigned case."""
    return _step(
        case_id,
        lambda _case: EmptyForm(),
        "start_form",
        lambda case, _f: case_services.start(case, current_user),
        _("Work on the case started."),
    )


@bp.post("/cases/<int:case_id>/await")
@require_permission(CONSULT)
def await_client(case_id: int):
    """Ask the client for information; a running legal deadline stops until they answer."""
    return _step(
        case_id,
        lambda _case: forms.RequestInfoForm(),
        "await_form",
        lambda case, form: case_services.await_client(case, current_user, form.question.data),
        _("The client was asked for information."),
    )


@bp.post("/cases/<int:case_id>/resume")
@require_permission(CONSULT)
def resume(case_id: int):
    """The client answered outside the site (e.g. by phone): continue the case."""
    return _step(
        case_id,
        lambda _case: forms.ResumeForm(),
        "resume_form",
        lambda case, form: case_services.resume(case, current_user, form.client_said.data or ""),
        _("The case continues."),
    )


@bp.post("/cases/<int:case_id>/notes")
@require_permission(CONSULT)
def add_note(case_id: int):
    """Write a confidential note."""
    return _step(
        case_id,
        lambda _case: forms.NoteForm(),
        "note_form",
        lambda case, form: work.add_note(case, current_user, form.note.data),
        _("The note was saved."),
        "timeline",
    )


@bp.post("/cases/<int:case_id>/actions")
@require_permission(CONSULT)
def record_action(case_id: int):
    """Record work done for the client."""
    return _step(
        case_id,
        lambda _case: forms.ActionForm(),
        "action_form",
        lambda case, form: work.record_action(case, current_user, form.action.data, form.details.data),
        _("The work was recorded."),
        "timeline",
    )


@bp.post("/cases/<int:case_id>/refer")
@require_permission(CONSULT)
def refer(case_id: int):
    """Refer the case to the competent state body as an official appeal (with the client's consent).

    From the intake this is the whole path in one transaction: a case not yet in progress is triaged as it stands,
    assigned to me and started first (each step on the timeline), so a new case reaches its body with one form."""

    def act(case, form):
        if case.state in (CaseState.NEW, CaseState.TRIAGED, CaseState.ASSIGNED):
            case_services.take(case, current_user)
        referral_services.refer(
            case, current_user, db.session.get(StateBody, form.body.data), form.summary.data, form.shared.data or ()
        )

    return _step(
        case_id,
        lambda case: page.refer_form(case, queries.attachments(case, "staff")),
        "refer_form",
        act,
        _("The case was referred to the state body."),
    )


@bp.post("/cases/<int:case_id>/resolve")
@require_permission(CONSULT)
def resolve(case_id: int):
    """Give the client the answer and resolve the case."""

    def act(case, form):
        case_services.resolve(case, current_user, form.outcome.data, form.answer.data, form.invitation.data or "")

    return _step(
        case_id,
        lambda _case: forms.ResolveForm(),
        "resolve_form",
        act,
        _("The case was resolved and the client informed."),
    )
