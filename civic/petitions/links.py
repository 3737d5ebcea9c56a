"""Who may see a petition, and what the module gives the link registry (``civic.core.links``): petitions as a
linkable type, so that other modules (a Delphi study, ...) can point at one without importing this module."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from civic import db
from civic.core.http import path_for
from civic.core.links import LinkRegistry
from civic.petitions import moderation, services
from civic.petitions.models import Petition, PetitionState

TYPE = "petition"


def can_view(petition: Petition, user) -> bool:
    """Public petitions are seen by all; drafts by their author only; the rest also by their territory's moderators."""
    if petition.is_public:
        return True
    if not user.is_authenticated:
        return False
    if petition.author_id == user.id:
        return True
    if petition.state == PetitionState.DRAFT:
        return False
    return moderation.can_moderate(user, petition) or services.can_respond(user, petition)


def _visible(user, petition_id: int) -> bool:
    petition = db.session.get(Petition, petition_id)
    return petition is not None and can_view(petition, user)


def _title(petition_id: int) -> str | None:
    petition = db.session.get(Petition, petition_id)
    return petition.title if petition is not None else None


def register_links(registry: LinkRegistry) -> None:
    registry.register_type(
        TYPE, _l("Petition"), lambda i: path_for("petitions.detail", petition_id=i), _visible, title_loader=_title
    )
