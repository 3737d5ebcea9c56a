"""What the initiative views share: loading with visibility rules, choices."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from civic import db
from civic.core.http import get_or_404
from civic.core.i18n import sort_by_name
from civic.identity.directory import territory_choices
from civic.identity.models import StateBody
from civic.initiatives.models import Indicator, Initiative
from civic.initiatives.permissions import MANAGE, can_manage, can_view
from civic.initiatives.views import bp  # noqa: F401  (re-exported for the view modules)


def load_initiative(initiative_id: int) -> Initiative:
    """Visible initiatives; a hidden one answers 404 (its existence is not disclosed)."""
    initiative = get_or_404(Initiative, initiative_id)
    if not can_view(current_user, initiative):
        abort(404)
    return initiative


def managed_initiative(initiative_id: int) -> Initiative:
    initiative = get_or_404(Initiative, initiative_id)
    if not can_manage(current_user, initiative):
        abort(403 if initiative.is_public else 404)
    return initiative


def load_indicator(initiative: Initiative, indicator_id: int) -> Indicator:
    indicator = get_or_404(Indicator, indicator_id)
    if indicator.initiative_id != initiative.id:
        abort(404)
    return indicator


def set_initiative_choices(form) -> None:
    form.territory.choices = territory_choices()
    bodies = [b for b in db.session.scalars(select(StateBody)) if current_user.has_permission(MANAGE, body=b)]
    form.body.choices = [(0, "—"), *((b.id, b.name) for b in sort_by_name(bodies))]
