"""The dashboard pages. They only read ``dashboard_figures`` (``flask dashboards refresh`` writes it)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from civic import db
from civic.dashboards import digest, models, onchange, tables
from civic.dashboards.measures import all_measures
from civic.dashboards.permissions import viewer_scopes
from civic.dashboards.views import bp
from civic.identity.models import Territory, TerritoryLevel

PERIODS = {models.WEEK: _l("Week"), models.MONTH: _l("Month"), models.QUARTER: _l("Quarter")}


def _republic() -> Territory:
    territory = db.session.scalars(
        sa.select(Territory).where(Territory.level == TerritoryLevel.REPUBLIC.value).order_by(Territory.id).limit(1)
    ).first()
    if territory is None:
        abort(404)
    return territory


def _territory_arg(default: Territory) -> Territory:
    code = request.args.get("t")
    if not code:
        return default
    territory = db.session.scalars(sa.select(Territory).where(Territory.code == code)).first()
    if territory is None:
        abort(404)
    return territory


def _period_arg() -> str:
    period = request.args.get("period", models.MONTH)
    if period not in PERIODS:
        abort(400, description=_("Choose a week, a month or a quarter."))
    return period


def _roots(scopes) -> list[Territory]:
    """The highest territories the viewer's dashboards cover (the republic for a republic-wide holder)."""
    if scopes.everywhere:
        return [_republic()]
    found = db.session.scalars(sa.select(Territory).where(Territory.path.in_(scopes.territory_paths))).all()
    found = [t for t in found if not any(o is not t and t.path.startswith(o.path) for o in found)]
    return sorted(found, key=lambda t: (len(t.path), t.path))


def _staff_context():
    scopes = viewer_scopes(current_user)  # one query: whether and where (nowhere: 403)
    if not scopes:
        abort(403)
    roots = _roots(scopes)
    if not roots:
        abort(403)
    territory = _territory_arg(roots[0])
    if not scopes.covers_territory(territory):
        abort(403)
    period = _period_arg()
    sections = tables.dashboard_sections(
        territory,
        all_measures(),
        period,
        lambda t: url_for("dashboards.index", t=t.code, period=period),
    )
    crumbs = [t for t in tables.ancestors(territory) if scopes.covers_territory(t)]
    return territory, period, sections, crumbs, roots


def _signed_in():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None


@bp.get("/")
def index():
    """The dashboard of a territory (``dashboards.view`` over it: ``_staff_context`` checks, in one query)."""
    if (login := _signed_in()) is not None:
        return login
    territory, period, sections, crumbs, roots = _staff_context()
    return render_template(
        "dashboards/index.html",
        territory=territory,
        period=period,
        periods=PERIODS,
        sections=sections,
        crumbs=crumbs,
        roots=roots if len(roots) > 1 else [],
        refresh=tables.last_refresh(),
        on_change=onchange.enabled(current_app),
        export_endpoint="dashboards.export",
    )


def _csv(table: tables.Table, filename: str) -> Response:
    first = _("Period") if table.id.endswith("-trend") else _("Name")
    return Response(
        "\ufeff" + tables.csv_text(table, first),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


def _find(all_tables, table_id: str) -> tables.Table:
    table = next((t for t in all_tables if t.id == table_id), None)
    if table is None:
        abort(404)
    return table


@bp.get("/export.csv")
def export():
    if (login := _signed_in()) is not None:
        return login
    territory, period, sections, _crumbs, _roots = _staff_context()
    table = _find([t for s in sections for t in s.tables], request.args.get("table", ""))
    return _csv(table, f"dashboard-{territory.code}-{table.id}-{period}")


def _public_tables():
    territory = _territory_arg(_republic())
    accountability = tables.accountability_tables(
        territory, all_measures(), lambda t: url_for("dashboards.accountability", t=t.code)
    )
    return territory, accountability


@bp.get("/accountability")
def accountability():
    territory, accountability_tables = _public_tables()
    return render_template(
        "dashboards/accountability.html",
        territory=territory,
        tables=accountability_tables,
        crumbs=tables.ancestors(territory),
        refresh=tables.last_refresh(),
        on_change=onchange.enabled(current_app),
        export_endpoint="dashboards.accountability_export",
    )


@bp.get("/accountability.csv")
def accountability_export():
    territory, accountability_tables = _public_tables()
    table = _find(accountability_tables, request.args.get("table", ""))
    return _csv(table, f"accountability-{territory.code}-{table.id}")


@bp.post("/digest")
@login_required
def digest_choice():
    form = digest.DigestForm()
    if not form.validate_on_submit():
        abort(400)
    digest.set_receives(current_user, form.receive.data)
    db.session.commit()
    flash(_("Your weekly digest choice is saved."), "success")
    return redirect(url_for("identity.account") + "#weekly-digest")


@bp.app_template_global("dashboards_digest")
def dashboards_digest(user):
    """For the account page: the bodies ``user`` heads and the digest form, or None."""
    return digest.account_panel(user)
