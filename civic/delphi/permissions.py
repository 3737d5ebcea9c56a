"""Delphi permissions. ``delphi.organise`` lets officials and public-council members (council secretaries) create
studies and run the ones they organise; administrators run every study. Taking part needs no permission: it
follows from membership of a study's panel. Results are public only once the organiser publishes them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from civic import db
from civic.delphi.models import DelphiPanelist, DelphiStudy
from civic.identity.permissions import OFFICIAL

#: The module's roles (``official`` is identity's): public-council members organise studies, experts sit on panels.
COUNCIL_MEMBER, EXPERT = "council_member", "expert"
ROLES = {
    COUNCIL_MEMBER: _l("Public council member"),
    EXPERT: _l("Expert"),
}

ORGANISE = "delphi.organise"
MANAGE_ALL = "delphi.manage_all"

PERMISSIONS = {
    ORGANISE: _l("Organise Delphi studies: items, panel, rounds, feedback and results"),
    MANAGE_ALL: _l("Run every Delphi study, not only one's own"),
}
DEFAULTS = {
    OFFICIAL: {ORGANISE},
    COUNCIL_MEMBER: {ORGANISE},
}
#: Registered users with these roles can be added to a panel directly; anyone else through an email invitation.
PANEL_ROLES = (COUNCIL_MEMBER, EXPERT)


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def can_manage(user, study: DelphiStudy) -> bool:
    """The study's organiser (still holding the organise permission) or someone who runs every study."""
    if not _signed_in(user):
        return False
    if user.has_permission(MANAGE_ALL):
        return True
    return study.organiser_id == user.id and user.has_permission(ORGANISE)


def panelist_of(user, study: DelphiStudy) -> DelphiPanelist | None:
    if not _signed_in(user):
        return None
    return db.session.scalar(
        select(DelphiPanelist).where(DelphiPanelist.study_id == study.id, DelphiPanelist.user_id == user.id)
    )


def can_view(user, study: DelphiStudy) -> bool:
    """The study page: its organiser, its panel, and everyone once the results are published."""
    return study.results_published or can_manage(user, study) or panelist_of(user, study) is not None


def can_view_results(user, study: DelphiStudy) -> bool:
    """Aggregated results: the organiser; the panel once a round's feedback is published; the public when published."""
    if study.results_published or can_manage(user, study):
        return True
    return bool(study.published_rounds) and panelist_of(user, study) is not None
