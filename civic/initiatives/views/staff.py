"""The team's workspace: starting and editing an initiative, its team, steps, decisions, indicators, targets,
values and CSV upload; weak-spot reports sent upward and answered."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from civic import db
from civic.core.errors import DomainError
from civic.core.forms import EmptyForm, commit_or_refuse
from civic.core.http import form_page, get_or_404
from civic.identity.directory import territory_choices
from civic.identity.models import StateBody, Territory
from civic.identity.permissions import require_permission, scopes
from civic.initiatives import services, values
from civic.initiatives.forms import (
    AdvanceForm,
    AnswerForm,
    DecisionForm,
    IndicatorForm,
    InitiativeForm,
    TargetForm,
    TeamForm,
    UploadForm,
    ValueForm,
    WeakSpotForm,
)
from civic.initiatives.models import STEPS, Initiative, TeamMember, Template, WeakSpot
from civic.initiatives.permissions import MANAGE, WEAK_SPOTS, can_manage, can_send_weak_spots
from civic.initiatives.views.common import bp, load_indicator, managed_initiative, set_initiative_choices


def _data(form) -> services.InitiativeData:
    territory = get_or_404(Territory, form.territory.data)
    body = db.session.get(StateBody, form.body.data) if form.body.data else None
    return services.InitiativeData(
        title=form.title.data,
        summary=form.summary.data or "",
        territory=territory,
        sector=form.sector.data,
        horizon_years=form.horizon_years.data,
        body=body,
        is_public=form.is_public.data,
    )


@bp.get("/mine")
@require_permission(MANAGE)
def mine():
    scope = scopes(current_user, MANAGE)
    team = select(TeamMember.initiative_id).where(TeamMember.user_id == current_user.id)
    query = (
        select(Initiative)
        .join(Territory, Territory.id == Initiative.territory_id)
        .where(
            or_(
                Initiative.id.in_(team),
                scope.territory_condition(Territory.path)
                & (Initiative.body_id.is_(None) | scope.body_condition(Initiative.body_id)),
            )
        )
        .order_by(Initiative.id.desc())
        .limit(200)
    )
    rows = [i for i in db.session.scalars(query) if can_manage(current_user, i)]
    return render_template("initiatives/mine.html", initiatives=rows, steps=STEPS)


@bp.route("/new", methods=["GET", "POST"])
@require_permission(MANAGE)
def new():
    template = None
    case_no = request.args.get("template", type=int)
    if case_no:
        template = db.session.scalar(select(Template).where(Template.case_no == case_no))
        if template is None:
            abort(404)
    form = InitiativeForm()
    set_initiative_choices(form)
    if request.method == "GET" and template is not None:
        form.title.data = template.title
        form.sector.data = template.sector
        form.horizon_years.data = template.horizon_years
    if form.validate_on_submit():
        initiative, refused = commit_or_refuse(
            lambda: services.start_initiative(current_user, _data(form), template), form
        )
        if refused:
            return form_page("initiatives/form.html", form, status=refused.status_code, case=template)
        flash(_("The initiative was started at step 1."), "success")
        return redirect(url_for("initiatives.manage", initiative_id=initiative.id), 303)
    return form_page("initiatives/form.html", form, case=template)


@bp.route("/<int:initiative_id>/edit", methods=["GET", "POST"])
@login_required
def edit(initiative_id: int):
    initiative = managed_initiative(initiative_id)
    form = InitiativeForm(obj=None if request.method == "POST" else initiative)
    set_initiative_choices(form)
    if request.method == "GET":
        form.territory.data, form.body.data = initiative.territory_id, initiative.body_id or 0
    if form.validate_on_submit():
        refused = commit_or_refuse(
            lambda: services.update_initiative(initiative, current_user, _data(form)), form
        ).refused
        if refused:
            return form_page("initiatives/form.html", form, status=refused.status_code, initiative=initiative)
        flash(_("The initiative was saved."), "success")
        return redirect(url_for("initiatives.manage", initiative_id=initiative.id), 303)
    return form_page("initiatives/form.html", form, initiative=initiative)


def stakeholder_map_url(initiative: Initiative) -> str | None:
    """The stakeholder map's page, when the stakeholders module is installed (initiatives does not import it)."""
    if "stakeholders.map_page" not in current_app.view_functions:
        return None
    return url_for("stakeholders.map_page", owner_type="initiative", owner_id=initiative.id)


def render_manage(initiative: Initiative, status: int = 200, **forms):
    indicators = values.indicators_of(initiative)
    defaults = {
        "advance_form": AdvanceForm(formdata=None),
        "decision_form": DecisionForm(formdata=None),
        "team_form": TeamForm(formdata=None),
    }
    defaults.update(forms)
    target_forms = {
        i.id: TargetForm(
            formdata=None, prefix=f"target{i.id}", target_value=i.target_value, target_period=i.target_period
        )
        for i in indicators
    }
    if "target_form" in forms:
        target_forms[forms["target_indicator"]] = forms["target_form"]
    value_forms = {i.id: ValueForm(formdata=None, prefix=f"value{i.id}") for i in indicators}
    if "value_form" in forms:
        value_forms[forms["value_indicator"]] = forms["value_form"]
    return (
        render_template(
            "initiatives/manage.html",
            initiative=initiative,
            indicators=indicators,
            target_forms=target_forms,
            value_forms=value_forms,
            checks=services.stakeholder_checks(initiative) if initiative.step == 6 else [],
            decisions=services.decisions(initiative),
            value_count=values.value_count(initiative),
            steps=STEPS,
            empty_form=EmptyForm(formdata=None),
            stakeholder_map_url=stakeholder_map_url(initiative),
            **{k: v for k, v in defaults.items() if k.endswith("_form") and k not in ("target_form", "value_form")},
        ),
        status,
    )


@bp.get("/<int:initiative_id>/manage")
@login_required
def manage(initiative_id: int):
    return render_manage(managed_initiative(initiative_id))


@bp.post("/<int:initiative_id>/advance")
@login_required
def advance(initiative_id: int):
    initiative = managed_initiative(initiative_id)
    form = AdvanceForm()
    if not form.validate_on_submit():
        return render_manage(initiative, 400, advance_form=form)
    step = initiative.step
    refused = commit_or_refuse(
        lambda: services.advance(
            initiative,
            current_user,
            form.note.data,
            decision_text=form.decision_text.data,
            override_reason=form.override_reason.data,
            report_text=form.report_text.data,
        ),
        form,
    ).refused
    if refused:
        return render_manage(db.session.get(Initiative, initiative_id), refused.status_code, advance_form=form)
    if step == 10:
        flash(_("The report was published and sent to everyone concerned."), "success")
    else:
        flash(_("Step %(n)s was passed.", n=step), "success")
    return redirect(url_for("initiatives.manage", initiative_id=initiative.id), 303)


@bp.post("/<int:initiative_id>/decisions")
@login_required
def add_decision(initiative_id: int):
    initiative = managed_initiative(initiative_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return render_manage(initiative, 400, decision_form=form)
    services.record_decision(initiative, current_user, form.text.data)
    db.session.commit()
    flash(_("The decision was recorded."), "success")
    return redirect(url_for("initiatives.manage", initiative_id=initiative.id), 303)


@bp.post("/<int:initiative_id>/team")
@login_required
def add_member(initiative_id: int):
    initiative = managed_initiative(initiative_id)
    form = TeamForm()
    if not form.validate_on_submit():
        return render_manage(initiative, 400, team_form=form)
    refused = commit_or_refuse(
        lambda: services.add_team_member(initiative, current_user, form.email.data), form
    ).refused
    if refused:
        return render_manage(db.session.get(Initiative, initiative_id), refused.status_code, team_form=form)
    flash(_("The team member was added."), "success")
    return redirect(url_for("initiatives.manage", initiative_id=initiative.id), 303)


@bp.post("/<int:initiative_id>/team/<int:user_id>/remove")
@login_required
def remove_member(initiative_id: int, user_id: int):
    initiative = managed_initiative(initiative_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.remove_team_member(initiative, current_user, user_id)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("initiatives.manage", initiative_id=initiative.id), 303)
    db.session.commit()
    flash(_("The team member was removed."), "success")
    return redirect(url_for("initiatives.manage", initiative_id=initiative.id), 303)


@bp.route("/<int:initiative_id>/indicators/new", methods=["GET", "POST"])
@login_required
def new_indicator(initiative_id: int):
    initiative = managed_initiative(initiative_id)
    form = IndicatorForm()
    if form.validate_on_submit():
        data = values.IndicatorData(
            form.code.data, form.name.data, form.unit.data, form.direction.data, form.level.data, form.aggregation.data
        )
        refused = commit_or_refuse(lambda: values.add_indicator(initiative, current_user, data), form).refused
        if refused:
            return form_page("initiatives/indicator_form.html", form, status=refused.status_code, initiative=initiative)
        flash(_("The indicator was added."), "success")
        return redirect(url_for("initiatives.manage", initiative_id=initiative.id), 303)
    return form_page("initiatives/indicator_form.html", form, initiative=initiative)


@bp.post("/<int:initiative_id>/indicators/<int:indicator_id>/target")
@login_required
def set_target(initiative_id: int, indicator_id: int):
    initiative = managed_initiative(initiative_id)
    indicator = load_indicator(initiative, indicator_id)
    form = TargetForm(prefix=f"target{indicator.id}")
    if form.validate_on_submit():
        refused = commit_or_refuse(
            lambda: values.set_target(
                indicator, initiative, current_user, form.target_value.data, form.target_period.data
            ),
            form,
        ).refused
        if refused:
            return render_manage(
                db.session.get(Initiative, initiative_id),
                refused.status_code,
                target_form=form,
                target_indicator=indicator_id,
            )
        flash(_("The target was set."), "success")
        return redirect(url_for("initiatives.manage", initiative_id=initiative.id), 303)
    return render_manage(initiative, 400, target_form=form, target_indicator=indicator_id)


@bp.post("/<int:initiative_id>/indicators/<int:indicator_id>/values")
@login_required
def add_value(initiative_id: int, indicator_id: int):
    initiative = managed_initiative(initiative_id)
    indicator = load_indicator(initiative, indicator_id)
    form = ValueForm(prefix=f"value{indicator.id}")
    if form.validate_on_submit():
        territory = db.session.scalar(select(Territory).where(Territory.code == form.territory.data.strip()))
        try:
            if territory is None:
                raise DomainError(
                    _("Unknown territory code “%(code)s”.", code=form.territory.data.strip()), field="territory"
                )
            values.set_value(indicator, initiative, current_user, territory, form.period.data.strip(), form.value.data)
        except DomainError as exc:
            db.session.rollback()
            form.add_domain_error(exc)
            return render_manage(
                db.session.get(Initiative, initiative_id),
                exc.status_code,
                value_form=form,
                value_indicator=indicator_id,
            )
        db.session.commit()
        flash(_("The value was saved and rolled up."), "success")
        return redirect(url_for("initiatives.manage", initiative_id=initiative.id), 303)
    return render_manage(initiative, 400, value_form=form, value_indicator=indicator_id)


@bp.route("/<int:initiative_id>/upload", methods=["GET", "POST"])
@login_required
def upload(initiative_id: int):
    initiative = managed_initiative(initiative_id)
    form = UploadForm()
    indicators = values.indicators_of(initiative)
    if form.validate_on_submit():
        report = values.import_csv(initiative, current_user, form.file.data.read())
        if not report.ok:
            db.session.rollback()
            return render_template(
                "initiatives/upload.html", form=form, initiative=initiative, report=report, indicators=indicators
            ), 400
        db.session.commit()
        flash(_("%(n)s values were imported and rolled up.", n=report.imported), "success")
        return redirect(url_for("initiatives.manage", initiative_id=initiative.id), 303)
    return form_page("initiatives/upload.html", form, initiative=initiative, report=None, indicators=indicators)


# --------------------------------------------------------------------------- weak spots


def _weak_spot_form(form):
    territories = [
        t
        for t in db.session.scalars(select(Territory).where(Territory.parent_id.is_not(None)))
        if can_send_weak_spots(current_user, t)
    ]
    allowed = {t.id for t in territories}
    form.territory.choices = [(tid, name) for tid, name in territory_choices() if tid in allowed]
    form.initiative.choices = [(0, "—")] + [
        (i.id, i.title)
        for i in db.session.scalars(select(Initiative).order_by(Initiative.id.desc()).limit(300))
        if can_manage(current_user, i)
    ]


@bp.get("/weak-spots")
@require_permission(WEAK_SPOTS)
def weak_spots():
    received, sent = services.weak_spots_for(current_user)
    return render_template(
        "initiatives/weak_spots.html", received=received, sent=sent, answer_form=AnswerForm(formdata=None)
    )


@bp.route("/weak-spots/new", methods=["GET", "POST"])
@require_permission(WEAK_SPOTS)
def new_weak_spots():
    form = WeakSpotForm()
    _weak_spot_form(form)
    if request.method == "GET" and request.args.get("initiative", type=int):
        form.initiative.data = request.args.get("initiative", type=int)
    if form.validate_on_submit():
        territory = get_or_404(Territory, form.territory.data)
        initiative = db.session.get(Initiative, form.initiative.data) if form.initiative.data else None
        if initiative is not None and not can_manage(current_user, initiative):
            initiative = None
        refused = commit_or_refuse(
            lambda: services.send_weak_spots(
                current_user, territory, form.weak_spots.data, form.proposals.data or "", initiative
            ),
            form,
        ).refused
        if refused:
            return form_page("initiatives/weak_spot_form.html", form, status=refused.status_code)
        flash(_("The report was sent to the level above."), "success")
        return redirect(url_for("initiatives.weak_spots"), 303)
    return form_page("initiatives/weak_spot_form.html", form)


@bp.post("/weak-spots/<int:report_id>/answer")
@require_permission(WEAK_SPOTS)
def answer_weak_spots(report_id: int):
    report = get_or_404(WeakSpot, report_id)
    if not can_send_weak_spots(current_user, report.to_territory):
        abort(403)
    form = AnswerForm()
    if not form.validate_on_submit():
        received, sent = services.weak_spots_for(current_user)
        return render_template(
            "initiatives/weak_spots.html", received=received, sent=sent, answer_form=form, failed=report.id
        ), 400
    services.answer_weak_spots(report, current_user, form.answer.data)
    db.session.commit()
    flash(_("The answer was sent."), "success")
    return redirect(url_for("initiatives.weak_spots"), 303)
