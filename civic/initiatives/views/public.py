"""Public pages: initiatives by territory, sector and step; an initiative with its indicators, targets, decisions
and report; an indicator's progress and territory view; the catalogue of the seed's cases; following."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from civic import db
from civic.core import charts, links
from civic.core.errors import DomainError
from civic.core.forms import EmptyForm
from civic.core.i18n import current_language
from civic.identity.models import Territory
from civic.initiatives import services, values
from civic.initiatives.links import start_links
from civic.initiatives.models import (
    SECTORS,
    STEPS,
    Initiative,
    Template,
    WeakSpot,
)
from civic.initiatives.permissions import can_manage
from civic.initiatives.views.common import bp, load_indicator, load_initiative

PAGE = 30


@bp.get("/")
def index():
    query = select(Initiative).where(Initiative.is_public.is_(True))
    territory_code = request.args.get("territory", "").strip()
    territory = None
    if territory_code:
        territory = db.session.scalar(select(Territory).where(Territory.code == territory_code))
        if territory is not None:
            query = query.join(Territory, Territory.id == Initiative.territory_id).where(
                Territory.path.startswith(territory.path)
            )
    sector = request.args.get("sector", "")
    if sector in SECTORS:
        query = query.where(Initiative.sector == sector)
    step = request.args.get("step", type=int)
    if step in STEPS:
        query = query.where(Initiative.step == step)
    initiatives = list(
        db.session.scalars(query.order_by(Initiative.created_at.desc(), Initiative.id.desc()).limit(PAGE * 4))
    )
    places = list(
        db.session.scalars(
            select(Territory).where(Territory.level.in_(("republic", "oblast", "city"))).order_by(Territory.code)
        )
    )
    return render_template(
        "initiatives/index.html",
        initiatives=initiatives,
        sectors=SECTORS,
        steps=STEPS,
        places=places,
        territory=territory,
        sector=sector,
        step=step,
    )


@bp.get("/templates")
def templates():
    rows = list(db.session.scalars(select(Template).order_by(Template.case_no)))
    from civic.initiatives.models import MECHANISMS

    return render_template(
        "initiatives/templates.html",
        templates=rows,
        sectors=SECTORS,
        mechanisms=MECHANISMS,
        language=current_language(),
    )


@bp.get("/<int:initiative_id>")
def detail(initiative_id: int):
    initiative = load_initiative(initiative_id)
    indicators = values.indicators_of(initiative)
    summaries = [(i, values.progress(i, initiative.territory)) for i in indicators]
    manager = can_manage(current_user, initiative)
    weak = (
        list(
            db.session.scalars(
                select(WeakSpot).where(WeakSpot.initiative_id == initiative.id).order_by(WeakSpot.id.desc())
            )
        )
        if manager
        else []
    )
    return render_template(
        "initiatives/detail.html",
        initiative=initiative,
        summaries=summaries,
        decisions=services.decisions(initiative),
        moves=services.moves(initiative),
        steps=STEPS,
        related=links.related("initiative", initiative.id, current_user),
        start=start_links(initiative.id) if manager else [],
        manager=manager,
        subscribed=services.is_subscribed(initiative, current_user),
        empty_form=EmptyForm(formdata=None),
        weak_spots=weak,
    )


@bp.get("/<int:initiative_id>/indicators/<int:indicator_id>")
def indicator(initiative_id: int, indicator_id: int):
    initiative = load_initiative(initiative_id)
    ind = load_indicator(initiative, indicator_id)
    code = request.args.get("territory", "").strip()
    territory = initiative.territory
    if code:
        territory = db.session.scalar(select(Territory).where(Territory.code == code))
        if (
            territory is None
            or not initiative.territory.contains(territory)
            and not territory.contains(initiative.territory)
        ):
            abort(404)
    known = values.periods(ind, initiative.territory)
    period = request.args.get("period", "").strip() or (known[-1] if known else "")
    if period and period not in known:
        abort(404)
    points = values.series(ind, territory)
    chart = charts.columns([(p, v) for p, v in points], fit_labels=True, title=ind.name) if points else None
    places = values.territory_view(ind, territory, period) if period else []
    return render_template(
        "initiatives/indicator.html",
        initiative=initiative,
        indicator=ind,
        territory=territory,
        period=period,
        periods=known,
        points=points,
        chart=chart,
        places=places,
        progress=values.progress(ind, territory),
    )


@bp.post("/<int:initiative_id>/subscribe")
@login_required
def subscribe(initiative_id: int):
    initiative = load_initiative(initiative_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.subscribe(initiative, current_user)
    except DomainError as exc:
        db.session.rollback()
        abort(exc.status_code, description=str(exc))
    db.session.commit()
    flash(_("You will be told about this initiative's progress and its report."), "success")
    return redirect(url_for("initiatives.detail", initiative_id=initiative.id), 303)


@bp.post("/<int:initiative_id>/unsubscribe")
@login_required
def unsubscribe(initiative_id: int):
    initiative = load_initiative(initiative_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.unsubscribe(initiative, current_user)
    db.session.commit()
    flash(_("You no longer follow this initiative."), "success")
    return redirect(url_for("initiatives.detail", initiative_id=initiative.id), 303)
