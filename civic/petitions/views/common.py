"""The petitions blueprint and what its views share: loading with visibility rules, choices, write helpers."""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user
from sqlalchemy import select

from civic import db
from civic.core.http import get_or_404
from civic.core.i18n import sort_by_name
from civic.db import utc_now
from civic.identity.directory import territory_choices
from civic.identity.models import StateBody
from civic.petitions import rules, services, tallies
from civic.petitions.links import can_view
from civic.petitions.models import Petition, PetitionState
from civic.petitions.views import bp  # noqa: F401  (the package defines it; the view modules import it from here)

S = PetitionState


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


def wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def in_write_transaction(work, *args):
    """Run ``work`` in its own committed write transaction, e.g. upkeep noticed while serving a GET.

    The read transaction is ended first, so on SQLite the write starts with BEGIN IMMEDIATE (it waits for the lock
    instead of failing to upgrade a read snapshot) and the page then reads what was written.
    """
    db.session.rollback()
    token = db.write_intent.set(True)
    try:
        result = work(*args)
        db.session.commit()
        return result
    except Exception:
        db.session.rollback()
        raise
    finally:
        db.write_intent.reset(token)


def refresh_if_stale(petition: Petition) -> Petition:
    """Close an expired petition and tally recent signatures when the page notices they are due (throttled)."""
    if petition.state != S.OPEN:
        return petition
    now = utc_now()
    expired = petition.closes_at is not None and petition.closes_at <= now
    due = petition.tallied_at is None or now - petition.tallied_at >= tallies.count_max_age()
    if not expired and not (due and tallies.untallied_counts([petition.id])):
        return petition
    in_write_transaction(_upkeep, petition.id, now)
    return db.session.get(Petition, petition.id)


def _upkeep(petition_id: int, now) -> None:
    if not services.close_if_expired(petition_id, now) and tallies.claim_tally(petition_id, now):
        tallies.tally(petition_id, now)
