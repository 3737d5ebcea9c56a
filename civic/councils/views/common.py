"""What the council views share: loading with visibility rules and refusals."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from civic.core.http import get_or_404
from civic.councils.links import meeting_visible, recommendation_visible
from civic.councils.models import AgendaItem, Council, Meeting, Recommendation
from civic.councils.permissions import can_run
from civic.councils.views import bp  # noqa: F401  (the view modules import it from here)


def load_meeting(meeting_id: int) -> Meeting:
    meeting = get_or_404(Meeting, meeting_id)
    if not meeting_visible(meeting, current_user):
        abort(404)
    return meeting


def load_recommendation(rec_id: int) -> Recommendation:
    rec = get_or_404(Recommendation, rec_id)
    if not recommendation_visible(rec, current_user):
        abort(404)
    return rec


def run_council(council_id: int) -> Council:
    """The council if the current user runs it (403 otherwise; anonymous visitors go to the login page first)."""
    council = get_or_404(Council, council_id)
    if not can_run(current_user, council):
        abort(403)
    return council


def run_meeting(meeting_id: int) -> Meeting:
    meeting = get_or_404(Meeting, meeting_id)
    if not can_run(current_user, meeting.council):
        abort(403)
    return meeting


def run_item(item_id: int) -> AgendaItem:
    item = get_or_404(AgendaItem, item_id)
    if not can_run(current_user, item.council):
        abort(403)
    return item
