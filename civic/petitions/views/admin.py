"""Administration of the module: thresholds and signing windows per level, supporters, residence, categories."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from civic import db
from civic.core.errors import DomainError
from civic.core.http import get_or_404
from civic.identity import audit
from civic.identity.models import Category
from civic.identity.models.directory import TERRITORY_LEVEL_LABELS, TerritoryLevel
from civic.identity.permissions import require_permission
from civic.petitions import rules, tallies
from civic.petitions.forms import CategoryForm, LevelRuleForm, SettingsForm, ThresholdLevelForm
from civic.petitions.models import Petition
from civic.petitions.permissions import CONFIGURE
from civic.petitions.views import bp


def _settings_page(status: int = 200, settings_form=None, failed_level=None):
    current = rules.settings()
    settings_form = settings_form or SettingsForm(
        data={"supporters_needed": current.supporters_needed, "residence_required": current.residence_required}
    )
    level_forms = []
    for rule in rules.all_level_rules():
        if failed_level is not None and failed_level.level.data == rule.level:
            level_forms.append(failed_level)
        else:
            level_forms.append(LevelRuleForm(prefix=rule.level, formdata=None, data=rule.__dict__))
    labels = {level.value: label for level, label in TERRITORY_LEVEL_LABELS.items()}
    return render_template(
        "petitions/admin_settings.html",
        settings_form=settings_form,
        level_forms=level_forms,
        labels=labels,
        response_days=rules.RESPONSE_DAYS,
    ), status


@bp.get("/admin")
@require_permission(CONFIGURE)
def admin_settings():
    """Thresholds, signing windows and the module's settings."""
    return _settings_page()


@bp.post("/admin/settings")
@require_permission(CONFIGURE)
def save_settings():
    """Save the supporters and residence settings (audited)."""
    form = SettingsForm()
    if form.validate_on_submit():
        try:
            rules.save_settings(form.supporters_needed.data, form.residence_required.data, current_user)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            db.session.commit()
            flash(_("The settings are saved."), "success")
            return redirect(url_for("petitions.admin_settings"), 303)
    db.session.rollback()
    return _settings_page(400, settings_form=form)


@bp.post("/admin/levels/<level>")
@require_permission(CONFIGURE)
def save_level(level: str):
    """Save one territory level's thresholds and signing window (audited)."""
    if level not in {lvl.value for lvl in TerritoryLevel}:
        abort(404)
    form = LevelRuleForm(prefix=level)
    if form.validate_on_submit() and form.level.data == level:
        try:
            rules.save_level_rule(
                level, form.response_threshold.data, form.hearing_threshold.data, form.signing_days.data, current_user
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            db.session.commit()
            flash(_("The rules are saved. Petitions already open keep their thresholds."), "success")
            return redirect(url_for("petitions.admin_settings"), 303)
    db.session.rollback()
    return _settings_page(400, failed_level=form)


@bp.route("/admin/categories", methods=["GET", "POST"])
@require_permission(CONFIGURE)
def admin_categories():
    """Rename petition categories in three languages or switch them off for new petitions (audited)."""
    categories = rules.petition_categories()
    forms = {c.id: CategoryForm(prefix=f"c{c.id}", formdata=None, obj=c) for c in categories}
    status = 200
    if request.method == "POST":
        category = get_or_404(Category, request.form.get("category_id", 0, type=int))
        if category.id not in forms:
            abort(404)
        form = forms[category.id] = CategoryForm(prefix=f"c{category.id}")
        if form.validate_on_submit():
            try:
                rules.update_category(
                    category, form.name_kk.data, form.name_ru.data, form.name_en.data, form.is_active.data, current_user
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                db.session.commit()
                flash(_("The category is saved."), "success")
                return redirect(url_for("petitions.admin_categories"), 303)
        db.session.rollback()
        status = 400
    return render_template("petitions/admin_categories.html", categories=categories, forms=forms), status


@bp.post("/<int:petition_id>/threshold-level")
@require_permission(CONFIGURE)
def save_threshold_level(petition_id: int):
    """Choose which signatures count toward this petition's thresholds (audited); the stamps follow at once."""
    petition = get_or_404(Petition, petition_id)
    form = ThresholdLevelForm()
    if not form.validate_on_submit():
        abort(400)
    before = {"threshold_level": petition.threshold_level}
    petition.threshold_level = form.threshold_level.data
    db.session.flush()
    tallies.recheck_thresholds(petition)
    tallies.record_threshold_crossings(petition.id)
    audit.record(
        "petitions.threshold_level",
        petition,
        actor=current_user,
        before=before,
        after={"threshold_level": petition.threshold_level},
    )
    db.session.commit()
    flash(_("The rule for counting signatures toward the thresholds is saved."), "success")
    return redirect(url_for("petitions.detail", petition_id=petition.id), 303)
