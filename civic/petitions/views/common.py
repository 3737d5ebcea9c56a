"""What the petition views share: loading with visibility rules, choices."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from civic import db
from civic.core.http import get_or_404
from civic.core.i18n import sort_by_name
from civic.identity.directory import territory_choices
from civic.identity.models import StateBody
from civic.petitions import rules
from civic.petitions.links import can_view
from civic.petitions.models import Petition


def load_visible(petition_id: int) -> Petition:
    """The petition if the current user may see it; 404 otherwise (its existence is not disclosed)."""
    petition = get_or_404(Petition, petition_id)
    if not can_view(petition, current_user):
        abort(404)
    return petition


def set_petition_choices(form) -> None:
    form.territory.choices = [(0, "—"), *territory_choices()]
    form.category.choices = [(0, "—"), *((c.id, c.name) for c in rules.petition_categories(active_only=True))]


def body_choices() -> list[tuple[int, str]]:
    return [(b.id, b.name) for b in sort_by_name(db.session.scalars(select(StateBody)))]
