"""Stakeholders in the link registry: for any owner that has a map, a related item pointing at the map (public
part). Which owners exist is not our business: the map page resolves its owner through the registry."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from civic.core.http import path_for
from civic.core.links import Link, LinkRegistry


def _related(object_type: str, object_id: int, user) -> list[Link]:
    from civic.stakeholders.services import map_of

    if map_of(object_type, object_id) is None:
        return []
    return [
        Link(
            "stakeholder_map",
            object_id,
            str(_l("Stakeholder map")),
            path_for("stakeholders.map_page", owner_type=object_type, owner_id=object_id),
            str(_l("Stakeholder map")),
        )
    ]


def register_links(registry: LinkRegistry) -> None:
    registry.register_related("stakeholders", _related)
