"""Administration: users and their roles, front-office verification, and the audit log."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from civic import db
from civic.core.deadlines import end_of_local_day, start_of_local_day
from civic.core.errors import DomainError
from civic.core.forms import EmptyForm, platform_zone
from civic.core.http import get_or_404
from civic.core.i18n import sort_by_name
from civic.identity import audit, services
from civic.identity.directory import category_choices, sort_territory_tree, state_body_choices, territory_choices
from civic.identity.forms import AssignRoleForm, InPersonForm, StateBodyForm
from civic.identity.models import AuditEvent, Category, StateBody, Territory, User, UserRole
from civic.identity.permissions import (
    ASSIGN_ROLES,
    MANAGE_DIRECTORY,
    MANAGE_USERS,
    VERIFY_IN_PERSON,
    VIEW_AUDIT,
    require_permission,
)

bp = Blueprint("identity_admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50
#: ``{{ things|sort_by_name }}`` in any template: alphabetical in the page's language (not by code point).
bp.add_app_template_filter(sort_by_name, "sort_by_name")


@bp.get("/")
@require_permission(MANAGE_USERS)
def index():
    """Show the administration entry page."""
    return redirect(url_for("identity_admin.users"))


@bp.get("/users")
@require_permission(MANAGE_USERS)
def users():
    """Find users by email or name."""
    query = (request.args.get("q") or "").strip()[:100]
    page = max(request.args.get("page", 1, type=int), 1)
    stmt = select(User).where(User.deleted_at.is_(None))
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(or_(func.lower(User.email).like(like), func.lower(User.display_name).like(like)))
    rows = db.session.scalars(stmt.order_by(User.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    return render_template(
        "admin/users.html", users=rows[:PAGE_SIZE], q=query, page=page, has_next=len(rows) > PAGE_SIZE
    )


def _assign_form() -> AssignRoleForm:
    form = AssignRoleForm()
    form.territory.choices = [(0, "\u2014"), *territory_choices()]
    form.state_body.choices = [(0, "\u2014"), *state_body_choices()]
    return form


@bp.get("/users/<int:user_id>")
@require_permission(MANAGE_USERS)
def user_detail(user_id: int):
    """Show one user's roles and verification."""
    user = get_or_404(User, user_id)
    return _user_page(user, _assign_form(), InPersonForm())


def _user_page(user, assign_form, in_person_form, status=200):
    assignments = db.session.scalars(select(UserRole).where(UserRole.user_id == user.id).order_by(UserRole.id)).all()
    return render_template(
        "admin/user.html",
        user=user,
        assignments=assignments,
        assign_form=assign_form,
        in_person_form=in_person_form,
        revoke_form=EmptyForm(),
        can_assign=current_user.has_permission(ASSIGN_ROLES),
        can_verify=current_user.has_permission(VERIFY_IN_PERSON),
    ), status


@bp.post("/users/<int:user_id>/roles")
@require_permission(ASSIGN_ROLES)
def assign_role(user_id: int):
    """Assign a role to a user (audited)."""
    user = get_or_404(User, user_id)
    form = _assign_form()
    if form.validate_on_submit():
        territory = db.session.get(Territory, form.territory.data) if form.territory.data else None
        body = db.session.get(StateBody, form.state_body.data) if form.state_body.data else None
        try:
            services.assign_role(user, form.role.data, current_user, territory=territory, body=body)
        except DomainError as exc:
            db.session.rollback()
            form.add_domain_error(exc)
        else:
            db.session.commit()
            flash(_("The role was assigned."), "success")
            return redirect(url_for("identity_admin.user_detail", user_id=user.id))
    return _user_page(user, form, InPersonForm(), status=400)


@bp.post("/roles/<int:assignment_id>/revoke")
@require_permission(ASSIGN_ROLES)
def revoke_role(assignment_id: int):
    """Revoke one role assignment (audited)."""
    assignment = get_or_404(UserRole, assignment_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    user_id = assignment.user_id
    try:
        services.revoke_role(assignment, current_user)
    except DomainError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("The role was revoked."), "success")
    return redirect(url_for("identity_admin.user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/verify-in-person")
@require_permission(VERIFY_IN_PERSON)
def verify_in_person(user_id: int):
    """Record a front-office identity check (audited)."""
    user = get_or_404(User, user_id)
    form = InPersonForm()
    if form.validate_on_submit():
        try:
            services.verify_in_person(user, form.iin.data, current_user, form.office.data)
        except DomainError as exc:
            db.session.rollback()
            form.add_domain_error(exc)
        else:
            db.session.commit()
            flash(_("The account is now verified in person."), "success")
            return redirect(url_for("identity_admin.user_detail", user_id=user.id))
    return _user_page(user, _assign_form(), form, status=400)


def _parse_day(value: str | None, end: bool = False):
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        abort(400, description=_("Dates must look like 2026-01-31."))
    # A day typed in the filter is an Almaty day (the dates the page shows), not a UTC one.
    return end_of_local_day(day, platform_zone()) if end else start_of_local_day(day, platform_zone())


@bp.get("/audit")
@require_permission(VIEW_AUDIT)
def audit_log():
    """Browse and filter the audit log."""
    args = request.args
    stmt = select(AuditEvent)
    if args.get("action"):
        stmt = stmt.where(AuditEvent.action.startswith(args["action"][:80]))
    if args.get("actor", type=int):
        stmt = stmt.where(AuditEvent.actor_id == args.get("actor", type=int))
    if args.get("object_type"):
        stmt = stmt.where(AuditEvent.object_type == args["object_type"][:40])
    if args.get("object_id"):
        stmt = stmt.where(AuditEvent.object_id == args["object_id"][:40])
    start, end = _parse_day(args.get("from")), _parse_day(args.get("to"), end=True)
    if start:
        stmt = stmt.where(AuditEvent.at >= start)
    if end:
        stmt = stmt.where(AuditEvent.at <= end)
    page = max(args.get("page", 1, type=int), 1)
    rows = db.session.scalars(
        stmt.order_by(AuditEvent.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ).all()
    return render_template(
        "admin/audit.html",
        events=rows[:PAGE_SIZE],
        page=page,
        has_next=len(rows) > PAGE_SIZE,
        args=args,
        audit_changes=audit.changes,
    )


@bp.get("/bodies")
@require_permission(MANAGE_DIRECTORY)
def bodies():
    """List state bodies by territory with their heads and competences."""
    bodies = sort_by_name(db.session.scalars(select(StateBody)))
    by_territory = {t.id: i for i, t in enumerate(sort_territory_tree(db.session.scalars(select(Territory))))}
    rows = sorted(bodies, key=lambda b: by_territory[b.territory_id])  # stable: bodies stay alphabetical
    return render_template("admin/bodies.html", bodies=rows)


def _body_form(body: StateBody) -> StateBodyForm:
    form = StateBodyForm(obj=None if request.method == "POST" else body)
    form.categories.choices = category_choices()
    if request.method == "GET":
        form.head_email.data = body.head.email if body.head else ""
        form.categories.data = [c.id for c in body.categories]
    return form


@bp.route("/bodies/<int:body_id>", methods=["GET", "POST"])
@require_permission(MANAGE_DIRECTORY)
def edit_body(body_id: int):
    """Set a state body's head and competences (audited)."""
    body = get_or_404(StateBody, body_id)
    form = _body_form(body)
    if form.validate_on_submit():
        chosen = db.session.scalars(select(Category).where(Category.id.in_(form.categories.data or []))).all()
        try:
            services.update_state_body(body, current_user, (form.head_email.data or "").strip(), chosen)
        except DomainError as exc:
            db.session.rollback()
            form.add_domain_error(exc)
        else:
            db.session.commit()
            flash(_("The state body was saved."), "success")
            return redirect(url_for("identity_admin.bodies"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/body.html", body=body, form=form), status
