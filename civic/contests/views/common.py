"""What the contest views share: loading with visibility rules, choices, refusals."""

from __future__ import annotations

from flask import abort, flash
from flask_login import current_user
from sqlalchemy import select

from civic import db
from civic.contests.links import can_view, can_view_entry
from civic.contests.models import Contest, Entry
from civic.contests.permissions import can_moderate, can_organise
from civic.contests.views import bp  # noqa: F401  (the view modules import it from here)
from civic.core.http import get_or_404
from civic.core.i18n import sort_by_name
from civic.identity.directory import territory_choices
from civic.identity.models import Category, StateBody


def load_contest(contest_id: int) -> Contest:
    """The contest if the current user may see it; 404 otherwise (a draft's existence is not disclosed)."""
    contest = get_or_404(Contest, contest_id)
    if not can_view(contest, current_user):
        abort(404)
    return contest


def load_entry(contest: Contest, entry_id: int) -> Entry:
    entry = get_or_404(Entry, entry_id)
    if entry.competition_id != contest.competition_id or not can_view_entry(entry, contest, current_user):
        abort(404)
    return entry


def organised_contest(contest_id: int) -> Contest:
    contest = load_contest(contest_id)
    if not can_organise(current_user, contest):
        abort(403)
    return contest


def moderated_contest(contest_id: int) -> Contest:
    contest = load_contest(contest_id)
    if not can_moderate(current_user, contest):
        abort(403)
    return contest


def set_contest_choices(form) -> list[StateBody]:
    """Fill the contest form's choices; the bodies the user may organise for, in the order shown."""
    form.territory.choices = territory_choices()
    bodies = sort_by_name(
        b for b in db.session.scalars(select(StateBody)) if current_user.has_permission("contests.organise", body=b)
    )
    form.body.choices = [(b.id, b.name) for b in bodies]
    categories = db.session.scalars(select(Category).where(Category.is_active.is_(True)))
    form.category.choices = [(0, "—"), *((c.id, c.name) for c in sort_by_name(categories))]
    return bodies


def refuse(exc) -> None:
    """Undo what the refused request did and show the service's message."""
    db.session.rollback()
    flash(str(exc), "error")
