"""Supervisors and administrators: workload, the case export, response templates and the bureau's areas."""

from __future__ import annotations

import io

from flask import Response, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from civic import db
from civic.bureau import clock, forms, queries
from civic.bureau.models import BureauArea, ResponseTemplate
from civic.bureau.models.enums import OPEN_STATES, STATE_LABELS, CaseState
from civic.bureau.permissions import MANAGE, SUPERVISE
from civic.bureau.services import admin
from civic.bureau.services.catalog import BUILTIN_AREAS, bureau_categories
from civic.bureau.views import bp
from civic.bureau.views.common import category_choices, done
from civic.core.csv_export import SafeWriter
from civic.core.errors import DomainError
from civic.core.http import form_page, get_or_404
from civic.core.i18n import sort_by_name
from civic.identity import audit
from civic.identity.models import Category
from civic.identity.permissions import require_permission


@bp.get("/workload")
@require_permission(SUPERVISE)
def workload():
    """Show each consultant's open cases by state and overdue referrals, and the unassigned intake."""
    table, intake = queries.workload(current_user)
    states = [s for s in CaseState if s in OPEN_STATES]
    return render_template("bureau/workload.html", table=table, intake=intake, states=states, state_labels=STATE_LABELS)


@bp.get("/workload/cases.csv")
@require_permission(SUPERVISE)
def export_cases():
    """Export the open cases of my territory for planning: no names, contacts or texts (audited)."""
    rows = []
    page = 1
    while True:  # every open case: a planning export that silently stopped early would mislead
        batch, has_next = queries.queue(current_user, queries.QueueFilter(view="all", page=page))
        rows.extend(batch)
        if not has_next:
            break
        page += 1
    audit.record("bureau.export_cases", actor=current_user, object_type="bureau_cases", after={"rows": len(rows)})
    db.session.commit()
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    writer.writerow(
        [
            "case",
            "state",
            "area",
            "territory",
            "channel",
            "consultant_id",
            "opened_at",
            "referral_due_at",
            "referral_status",
        ]
    )
    for case, referral in rows:
        writer.writerow(
            [
                case.number,
                case.state,
                case.category.code,
                case.territory.code,
                case.channel,
                case.consultant_id or "",
                case.created_at.isoformat(),
                referral.due_at.isoformat() if referral and referral.due_at else "",
                referral.sla_state if referral else "",
            ]
        )
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="bureau-open-cases-{clock.now():%Y%m%d}.csv"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/templates")
@require_permission(SUPERVISE)
def templates():
    """List the response templates."""
    rows = db.session.scalars(select(ResponseTemplate).order_by(ResponseTemplate.language, ResponseTemplate.title))
    return render_template("bureau/templates.html", rows=list(rows))


def _template_form(template: ResponseTemplate | None) -> forms.TemplateForm:
    form = forms.TemplateForm(obj=template)
    form.category.choices = [(0, _("Any area")), *category_choices()]
    if template is not None and not form.is_submitted():
        form.category.data = template.category_id or 0
    return form


@bp.route("/templates/new", methods=["GET", "POST"], defaults={"template_id": None})
@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
@require_permission(SUPERVISE)
def edit_template(template_id: int | None):
    """Create or edit a response template (per area and language; audited)."""
    template = get_or_404(ResponseTemplate, template_id) if template_id else None
    form = _template_form(template)
    if form.validate_on_submit():
        try:
            admin.save_template(
                current_user,
                template,
                category=db.session.get(Category, form.category.data or 0),
                language=form.language.data,
                title=form.title.data,
                body=form.body.data,
                is_active=form.is_active.data,
            )
        except DomainError as exc:
            db.session.rollback()
            form.add_domain_error(exc)
        else:
            return done(_("The template was saved."), url_for("bureau.templates"))
    return form_page("bureau/template_form.html", form, item=template)


def _area_form() -> forms.AreaForm:
    form = forms.AreaForm()
    used = {c.id for c in bureau_categories()}
    others = sort_by_name(db.session.scalars(select(Category).where(Category.is_active.is_(True))))
    form.existing.choices = [(0, "—"), *((c.id, c.name) for c in others if c.id not in used)]
    return form


@bp.route("/admin/areas", methods=["GET", "POST"])
@require_permission(MANAGE)
def areas():
    """Let the bureau use more categories: an existing shared one or a new one (audited)."""
    form = _area_form()
    if form.validate_on_submit():
        try:
            admin.add_area(
                current_user,
                existing=db.session.get(Category, form.existing.data or 0),
                code=form.code.data or "",
                names={"kk": form.name_kk.data, "ru": form.name_ru.data, "en": form.name_en.data},
            )
        except DomainError as exc:
            db.session.rollback()
            form.add_domain_error(exc)
        else:
            return done(_("The area was added."), url_for("bureau.areas"))
    extra = db.session.scalars(select(BureauArea).order_by(BureauArea.added_at)).all()
    return form_page(
        "bureau/areas.html", form, builtin=[c for c in bureau_categories() if c.code in BUILTIN_AREAS], extra=extra
    )
