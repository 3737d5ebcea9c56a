"""Stakeholder pages: an owner's map (public part for everyone who may see the owner; contacts, scores, plans and
engagements for the team) and a territory's register."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from civic import db
from civic.core import links, providers
from civic.core.errors import DomainError
from civic.core.forms import EmptyForm, commit_or_refuse
from civic.core.http import get_or_404
from civic.core.links import on_register
from civic.identity.models import Territory
from civic.identity.permissions import require_permission
from civic.stakeholders import services
from civic.stakeholders.api import bp as api_bp
from civic.stakeholders.forms import EngagementForm, PickForm, PlanForm, ScoreForm, StakeholderForm, ThresholdForm
from civic.stakeholders.grid import grid
from civic.stakeholders.links import register_links
from civic.stakeholders.models import GROUP_ADVICE, GROUPS, LEVEL_LABELS, MapEntry, Stakeholder, StakeholderMap
from civic.stakeholders.permissions import REGISTER

bp = Blueprint("stakeholders", __name__, url_prefix="/stakeholders")
on_register(bp, register_links)
providers.on_register(bp, services.register_providers)
BLUEPRINTS = (bp, api_bp)
ADMIN_LINKS = (("stakeholders.registers", _l("Stakeholder registers"), REGISTER),)


def _owner(owner_type: str, owner_id: int):
    """The owner as a link the user may follow, or 404."""
    owner = links.resolve(owner_type, owner_id, current_user)
    if owner is None or providers.owner(owner_type) is None:
        abort(404)
    return owner


def _data(form) -> services.StakeholderData:
    return services.StakeholderData(
        form.name.data,
        form.kind.data,
        form.description.data or "",
        form.contact_name.data or "",
        form.contact_email.data or "",
        form.contact_phone.data or "",
    )


def render_map(owner_type: str, owner_id: int, status: int = 200, **forms):
    owner = _owner(owner_type, owner_id)
    manager = services.can_manage_owner(current_user, owner_type, owner_id)
    stakeholder_map = services.map_of(owner_type, owner_id)
    if stakeholder_map is None and not manager:
        abort(404)
    rows, chart_rows = [], []
    plans = services.plans(stakeholder_map) if stakeholder_map else {}
    if stakeholder_map is not None:
        for entry in services.entries(stakeholder_map):
            if not manager and entry.group is None:
                continue
            positions = services.history(entry)
            previous = (positions[-2].interest, positions[-2].influence) if len(positions) > 1 else None
            due = services.plan_due(entry, plans.get(entry.group))
            rows.append(
                {
                    "entry": entry,
                    "positions": positions,
                    "due": due,
                    "scores": services.scores(entry) if manager else [],
                    "engagements": services.engagements(entry) if manager else [],
                }
            )
            if entry.group is not None:
                chart_rows.append((entry.stakeholder.name, entry.interest, entry.influence, entry.group, previous))
    chart = grid(chart_rows, stakeholder_map.threshold) if stakeholder_map and chart_rows else None
    register = []
    if manager and stakeholder_map is not None and stakeholder_map.territory_id:
        on_map = {r["entry"].stakeholder_id for r in rows}
        territory = db.session.get(Territory, stakeholder_map.territory_id)
        register = [s for s in services.register_of(territory) if s.id not in on_map]
    pick_form = forms.get("pick_form") or PickForm(formdata=None)
    pick_form.stakeholder.choices = [(s.id, f"{s.name} ({s.territory.name})") for s in register]
    return (
        render_template(
            "stakeholders/map.html",
            owner=owner,
            owner_type=owner_type,
            owner_id=owner_id,
            stakeholder_map=stakeholder_map,
            manager=manager,
            rows=rows,
            chart=chart,
            plans=plans,
            groups=GROUPS,
            advice=GROUP_ADVICE,
            levels=LEVEL_LABELS,
            stakeholder_form=forms.get("stakeholder_form") or StakeholderForm(formdata=None),
            pick_form=pick_form,
            score_form=forms.get("score_form") or ScoreForm(formdata=None),
            engagement_form=EngagementForm(formdata=None),
            threshold_form=forms.get("threshold_form")
            or ThresholdForm(formdata=None, threshold=stakeholder_map.threshold if stakeholder_map else 3),
            plan_forms={g: PlanForm(formdata=None, level=p.level, mechanisms=p.mechanisms) for g, p in plans.items()},
            failed_entry=forms.get("failed_entry"),
            empty_form=EmptyForm(formdata=None),
            register=register,
        ),
        status,
    )


def _managed_map(owner_type: str, owner_id: int) -> StakeholderMap:
    _owner(owner_type, owner_id)
    if not services.can_manage_owner(current_user, owner_type, owner_id):
        abort(403)
    found = services.map_of(owner_type, owner_id)
    if found is None:
        abort(404)
    return found


def _back(stakeholder_map: StakeholderMap):
    return redirect(
        url_for("stakeholders.map_page", owner_type=stakeholder_map.owner_type, owner_id=stakeholder_map.owner_id), 303
    )


@bp.get("/<owner_type>/<int:owner_id>")
def map_page(owner_type: str, owner_id: int):
    return render_map(owner_type, owner_id)


@bp.post("/<owner_type>/<int:owner_id>/open")
@login_required
def open_map(owner_type: str, owner_id: int):
    _owner(owner_type, owner_id)
    if not services.can_manage_owner(current_user, owner_type, owner_id):
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    stakeholder_map = services.open_map(owner_type, owner_id, current_user)
    db.session.commit()
    return _back(stakeholder_map)


@bp.post("/<owner_type>/<int:owner_id>/add")
@login_required
def add(owner_type: str, owner_id: int):
    stakeholder_map = _managed_map(owner_type, owner_id)
    form = StakeholderForm()
    if not form.validate_on_submit():
        return render_map(owner_type, owner_id, 400, stakeholder_form=form)
    territory = db.session.get(Territory, stakeholder_map.territory_id)
    try:
        stakeholder = services.register_stakeholder(territory, _data(form), current_user)
        services.add_to_map(stakeholder_map, stakeholder, current_user)
    except DomainError as exc:
        db.session.rollback()
        form.add_domain_error(exc)
        return render_map(owner_type, owner_id, exc.status_code, stakeholder_form=form)
    db.session.commit()
    flash(_("The stakeholder was added; score its interest and influence."), "success")
    return _back(stakeholder_map)


@bp.post("/<owner_type>/<int:owner_id>/pick")
@login_required
def pick(owner_type: str, owner_id: int):
    stakeholder_map = _managed_map(owner_type, owner_id)
    form = PickForm()
    stakeholder = db.session.get(Stakeholder, form.stakeholder.data or 0) if form.validate_on_submit() else None
    territory = db.session.get(Territory, stakeholder_map.territory_id)
    if stakeholder is None or stakeholder.territory_id not in territory.ancestor_ids:
        form.stakeholder.errors = [_("Choose a stakeholder from the register.")]
        return render_map(owner_type, owner_id, 400, pick_form=form)
    refused = commit_or_refuse(lambda: services.add_to_map(stakeholder_map, stakeholder, current_user), form).refused
    if refused:
        return render_map(owner_type, owner_id, refused.status_code, pick_form=form)
    return _back(stakeholder_map)


@bp.post("/<owner_type>/<int:owner_id>/threshold")
@login_required
def threshold(owner_type: str, owner_id: int):
    stakeholder_map = _managed_map(owner_type, owner_id)
    form = ThresholdForm()
    if not form.validate_on_submit():
        return render_map(owner_type, owner_id, 400, threshold_form=form)
    services.set_threshold(stakeholder_map, current_user, form.threshold.data)
    db.session.commit()
    flash(_("The threshold was saved and the groups recomputed."), "success")
    return _back(stakeholder_map)


@bp.post("/<owner_type>/<int:owner_id>/plan/<int:group>")
@login_required
def plan(owner_type: str, owner_id: int, group: int):
    stakeholder_map = _managed_map(owner_type, owner_id)
    if group not in GROUPS:
        abort(404)
    form = PlanForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_plan(stakeholder_map, current_user, group, form.level.data, form.mechanisms.data or "")
    db.session.commit()
    flash(_("The engagement plan was saved."), "success")
    return _back(stakeholder_map)


def _managed_entry(entry_id: int):
    entry = get_or_404(MapEntry, entry_id)
    stakeholder_map = db.session.get(StakeholderMap, entry.map_id)
    _managed_map(stakeholder_map.owner_type, stakeholder_map.owner_id)
    return entry, stakeholder_map


@bp.post("/entries/<int:entry_id>/score")
@login_required
def score(entry_id: int):
    entry, stakeholder_map = _managed_entry(entry_id)
    form = ScoreForm()
    if not form.validate_on_submit():
        return render_map(
            stakeholder_map.owner_type, stakeholder_map.owner_id, 400, score_form=form, failed_entry=entry.id
        )
    refused = commit_or_refuse(
        lambda: services.score(
            entry, current_user, form.interest.data, form.influence.data, form.assessor_label.data or ""
        ),
        form,
    ).refused
    if refused:
        return render_map(
            stakeholder_map.owner_type,
            stakeholder_map.owner_id,
            refused.status_code,
            score_form=form,
            failed_entry=entry.id,
        )
    flash(_("The scores were saved."), "success")
    return _back(stakeholder_map)


@bp.post("/entries/<int:entry_id>/engage")
@login_required
def engage(entry_id: int):
    entry, stakeholder_map = _managed_entry(entry_id)
    form = EngagementForm()
    if not form.validate_on_submit():
        flash(_("Summarise the engagement."), "error")
        return render_map(stakeholder_map.owner_type, stakeholder_map.owner_id, 400)
    services.record_engagement(entry, current_user, form.level.data, form.summary.data)
    db.session.commit()
    flash(_("The engagement was recorded."), "success")
    return _back(stakeholder_map)


# --------------------------------------------------------------------------- registers


@bp.get("/registers")
@require_permission(REGISTER)
def registers():
    places = [
        t
        for t in db.session.scalars(select(Territory).order_by(Territory.path))
        if services.can_keep_register(current_user, t) and t.level != "rural_district"
    ]
    return render_template("stakeholders/registers.html", places=places[:200])


@bp.route("/registers/<code>", methods=["GET", "POST"])
@require_permission(REGISTER)
def register(code: str):
    territory = db.session.scalar(select(Territory).where(Territory.code == code))
    if territory is None:
        abort(404)
    if not services.can_keep_register(current_user, territory):
        abort(403)
    form = StakeholderForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.register_stakeholder(territory, _data(form), current_user)
            except DomainError as exc:
                db.session.rollback()
                form.add_domain_error(exc)
            else:
                db.session.commit()
                flash(_("The stakeholder was added to the register."), "success")
                return redirect(url_for("stakeholders.register", code=code), 303)
        status = 400
    else:
        status = 200
    rows = list(
        db.session.scalars(
            select(Stakeholder).where(Stakeholder.territory_id == territory.id).order_by(Stakeholder.name)
        )
    )
    return render_template("stakeholders/register.html", territory=territory, rows=rows, form=form), status


@bp.get("/registers/<code>/<int:stakeholder_id>")
@require_permission(REGISTER)
def stakeholder(code: str, stakeholder_id: int):
    item = get_or_404(Stakeholder, stakeholder_id)
    if item.territory.code != code:
        abort(404)
    if not services.can_keep_register(current_user, item.territory):
        abort(403)
    return render_template("stakeholders/stakeholder.html", item=item)
