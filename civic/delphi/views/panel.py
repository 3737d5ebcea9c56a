"""The organiser's panel page: council members and experts to add, email invitations, removal before round 1."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from civic import db
from civic.core import panels
from civic.core.errors import DomainError
from civic.core.forms import EmptyForm
from civic.core.http import get_or_404
from civic.core.i18n import localized
from civic.delphi import services
from civic.delphi.forms import AddPanelistsForm, InviteForm
from civic.delphi.models import DelphiInvitation, DelphiPanelist, DelphiStudy, InvitationStatus
from civic.delphi.permissions import PANEL_ROLES, ROLES
from civic.delphi.services.panel import panel_roles
from civic.delphi.views import bp, managed_study
from civic.extensions import limiter
from civic.identity.directory import territory_choices
from civic.identity.models import Territory, User


def _filters() -> dict:
    """The picker's filters from the query string: name or email, role (council member or expert), territory."""
    role = request.args.get("role") or ""
    territory_id = request.args.get("territory", type=int)
    return {
        "query": (request.args.get("q") or "").strip(),
        "role": role if role in PANEL_ROLES else None,
        "territory": db.session.get(Territory, territory_id) if territory_id else None,
    }


def _role_text(row) -> str:
    where = (
        localized(row.state_body) if row.state_body is not None else localized(row.territory) if row.territory else ""
    )
    label = str(ROLES.get(row.role_name, row.role_name))
    return f"{label} ({where})" if where else label


def candidate_label(user, roles) -> str:
    """Who a candidate is, enough to tell two namesakes apart: name, email, roles with their council or body."""
    parts = [user.public_name, user.email, "; ".join(_role_text(r) for r in roles)]
    if user.home_territory is not None:
        parts.append(_("lives in %(place)s", place=localized(user.home_territory)))
    return " · ".join(p for p in parts if p)


def _panel_page(study: DelphiStudy, add_form=None, invite_form=None, status: int = 200):
    filters = _filters()
    candidates = services.eligible_users(study, filters["query"], role=filters["role"], territory=filters["territory"])
    roles = panel_roles([u.id for u in candidates])
    add_form = add_form or AddPanelistsForm(formdata=None)
    add_form.user_ids.choices = [(u.id, candidate_label(u, roles.get(u.id, []))) for u in candidates]
    members = db.session.scalars(
        select(DelphiPanelist).where(DelphiPanelist.study_id == study.id).order_by(DelphiPanelist.id)
    ).all()
    invitations = db.session.scalars(
        select(DelphiInvitation).where(DelphiInvitation.study_id == study.id).order_by(DelphiInvitation.id.desc())
    ).all()
    return render_template(
        "delphi/panel.html",
        study=study,
        members=members,
        candidates=candidates,
        q=filters["query"],
        role=filters["role"] or "",
        territory=filters["territory"],
        role_choices=[(name, ROLES[name]) for name in PANEL_ROLES],
        territory_choices=territory_choices(),
        add_form=add_form,
        invite_form=invite_form or InviteForm(formdata=None),
        invitations=invitations,
        form=EmptyForm(),
        pending=InvitationStatus.PENDING,
        panel_sources=panels.choices(),
        preselected_source=request.args.get("source", ""),
    ), status


@bp.get("/<int:study_id>/panel")
@login_required
def panel(study_id: int):
    """Show the panel, council members and experts to add, and email invitations."""
    return _panel_page(managed_study(study_id))


@bp.post("/<int:study_id>/panel/add")
@login_required
def add_panelists(study_id: int):
    """Add council members or experts to the panel (before round 1)."""
    study = managed_study(study_id)
    form = AddPanelistsForm()
    form.user_ids.choices = [(u.id, u.public_name) for u in services.eligible_users(study, limit=10_000)]
    if not form.validate_on_submit():
        return _panel_page(study, add_form=form, status=409 if study.is_frozen else 400)
    try:
        added = services.add_panelists(study, current_user, form.user_ids.data)
    except DomainError as exc:
        flash(str(exc), "error")
        return _panel_page(study, status=exc.status_code)
    db.session.commit()
    flash(_("%(n)s people were added to the panel.", n=len(added)), "success")
    return redirect(url_for("delphi.panel", study_id=study.id))


@bp.post("/<int:study_id>/panel/from-source")
@login_required
def add_from_source(study_id: int):
    """One click: a whole group another module offers (``civic.core.panels``: a public council's members and
    experts) joins the panel; council members and experts are added, anyone else is invited by email."""
    study = managed_study(study_id)
    source = panels.parse(request.form.get("source"))
    if source is None or not EmptyForm().validate_on_submit():
        abort(400)
    people = [db.session.get(User, i) for i in panels.people(*source)]
    people = [u for u in people if u is not None and not u.is_deleted]
    eligible = set(panel_roles([u.id for u in people]))
    try:
        added = services.add_panelists(study, current_user, [u.id for u in people if u.id in eligible])
        invited = [u for u in people if u.id not in eligible]
        for user in invited:
            services.invite_by_email(study, current_user, user.email)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _panel_page(study, status=exc.status_code)
    db.session.commit()
    flash(_("%(n)s people were added to the panel.", n=len(added)), "success")
    if invited:
        flash(_("%(n)s people were invited by email.", n=len(invited)), "success")
    return redirect(url_for("delphi.panel", study_id=study.id))


@bp.post("/<int:study_id>/panel/invite")
@login_required
@limiter.limit("30 per hour")
def invite(study_id: int):
    """Email an invitation that the recipient accepts with an account for that address."""
    study = managed_study(study_id)
    form = InviteForm()
    if not form.validate_on_submit():
        return _panel_page(study, invite_form=form, status=400)
    try:
        services.invite_by_email(study, current_user, form.email.data)
    except DomainError as exc:
        flash(str(exc), "error")
        return _panel_page(study, status=exc.status_code)
    db.session.commit()
    flash(_("The invitation was sent to %(email)s.", email=form.email.data), "success")
    return redirect(url_for("delphi.panel", study_id=study.id))


@bp.post("/<int:study_id>/panel/<int:panelist_id>/remove")
@login_required
def remove_panelist(study_id: int, panelist_id: int):
    """Take someone off the panel (before round 1)."""
    study = managed_study(study_id)
    member = get_or_404(DelphiPanelist, panelist_id)
    if member.study_id != study.id or not EmptyForm().validate_on_submit():
        abort(404 if member.study_id != study.id else 400)
    try:
        services.remove_panelist(member, current_user)
    except DomainError as exc:
        flash(str(exc), "error")
        return _panel_page(study, status=exc.status_code)
    db.session.commit()
    flash(_("The panelist was removed."), "success")
    return redirect(url_for("delphi.panel", study_id=study.id))


@bp.post("/<int:study_id>/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(study_id: int, invitation_id: int):
    """Withdraw a pending email invitation."""
    study = managed_study(study_id)
    invitation = get_or_404(DelphiInvitation, invitation_id)
    if invitation.study_id != study.id or not EmptyForm().validate_on_submit():
        abort(404 if invitation.study_id != study.id else 400)
    try:
        services.revoke_invitation(invitation, current_user)
    except DomainError as exc:
        flash(str(exc), "error")
        return _panel_page(study, status=exc.status_code)
    db.session.commit()
    flash(_("The invitation was withdrawn."), "success")
    return redirect(url_for("delphi.panel", study_id=study.id))
