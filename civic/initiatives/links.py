"""What initiatives give the link registry (``civic.core.links``) and the provider registry
(``civic.core.providers``): the ``initiative`` type, and the initiative as an owner others attach to (its team works
on the stakeholder map; its territory is the map's).

Starting a Delphi study, a contest or a council agenda item from an initiative: the initiative page links to
``<their new page>?linked_type=initiative&linked_id=<id>`` (``start_links``); a module that reads those query
parameters pre-fills its own ``linked_object_type``/``linked_object_id`` and its item then shows up under "Related"
through the registry. Initiatives imports none of them: a link is offered only when the endpoint exists."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from civic import db
from civic.core.http import path_for
from civic.core.links import LinkRegistry
from civic.core.providers import ProviderRegistry
from civic.initiatives.models import Initiative
from civic.initiatives.permissions import can_manage, can_view

TYPE = "initiative"

#: (endpoint another module may own, label): offered on the initiative page when the endpoint is registered.
START_LINKS = (
    ("delphi.new_study", _l("Start a Delphi study")),
    ("contests.new", _l("Start an idea contest")),
    ("councils.propose_item", _l("Propose a council agenda item")),
)


def start_links(initiative_id: int) -> list[tuple[str, str]]:
    """(label, URL) for each module installed that can start an item linked back to this initiative."""
    found = []
    for endpoint, label in START_LINKS:
        if endpoint in current_app.view_functions:
            found.append((str(label), path_for(endpoint, linked_type=TYPE, linked_id=initiative_id)))
    return found


def _visible(user, initiative_id: int) -> bool:
    initiative = db.session.get(Initiative, initiative_id)
    return initiative is not None and can_view(user, initiative)


def _title(initiative_id: int) -> str | None:
    initiative = db.session.get(Initiative, initiative_id)
    return initiative.title if initiative is not None else None


def register_links(registry: LinkRegistry) -> None:
    registry.register_type(
        TYPE, _l("Initiative"), lambda i: path_for("initiatives.detail", initiative_id=i), _visible, title_loader=_title
    )


def _can_manage(user, initiative_id: int) -> bool:
    initiative = db.session.get(Initiative, initiative_id)
    return initiative is not None and can_manage(user, initiative)


def _territory_id(initiative_id: int) -> int | None:
    initiative = db.session.get(Initiative, initiative_id)
    return initiative.territory_id if initiative is not None else None


def register_providers(registry: ProviderRegistry) -> None:
    registry.register_owner(TYPE, _can_manage, _territory_id)
