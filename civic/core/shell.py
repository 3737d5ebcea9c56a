"""The site's shell: grouped navigation and the home page's feed, both assembled from what modules declare.

Core imports no module. Each module's ``views`` may declare

- ``NAV_ITEMS``: ``(endpoint, label, group)`` triples (plain ``(endpoint, label)`` pairs land in "More");
- ``NAV_GROUPS``: ``{group_key: label}`` for a group core does not know yet (a new module brings its own);

and may provide ``home.HOME_FEED``: ``feed(territory, user, limit) -> list[FeedItem]``, the things happening in a
territory (``None`` means all of Kazakhstan) that the home page shows, newest first.

The home page's territory picker comes from the module that owns territories (identity) through
``home.HOME_TERRITORIES``: a ``TerritoryPicker(choices, load)``; without one the page shows all of Kazakhstan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l

from civic.modules import collect

#: The groups of the main navigation, in the order the header shows them.
NAV_GROUPS: dict[str, object] = {
    "take_part": _l("Take part"),
    "councils": _l("Councils & experts"),
    "help": _l("Help"),
    "akimat": _l("Akimat"),
}
OTHER_GROUP = "more"
OTHER_LABEL = _l("More")


@dataclass(frozen=True)
class FeedItem:
    """One line of the home page's feed."""

    title: str
    url: str
    kind: str  # a translated label of what this is ("Petition", "Expert panel")
    date: date | datetime | None = None
    status: str = ""  # a translated, short state ("Open for signatures", "Round 2 open until …")


@dataclass(frozen=True)
class TerritoryPicker:
    """How the home page offers territories: ``choices() -> [(id, label)]`` and ``load(id) -> territory or None``."""

    choices: Callable[[], list[tuple[int, str]]]
    load: Callable[[int], object]


def territory_picker() -> TerritoryPicker | None:
    """The first ``home.HOME_TERRITORIES`` a module declares (identity's), or None."""
    found = collect("home", "HOME_TERRITORIES")
    return found[0] if found else None


def navigation() -> list[dict]:
    """The header's groups: ``{"key", "label", "items": [{"url", "label", "current"}], "current"}``."""
    labels: dict[str, object] = dict(NAV_GROUPS)
    for declared in collect("views", "NAV_GROUPS"):
        for key, label in declared.items():
            labels.setdefault(key, label)
    groups: dict[str, dict] = {}
    for declared in collect("views", "NAV_ITEMS"):
        for entry in declared:
            endpoint, label, key = (*entry, OTHER_GROUP)[:3]
            blueprint = endpoint.partition(".")[0]
            item = {
                "url": url_for(endpoint),
                "label": label,
                "endpoint": endpoint,
                "current": request.blueprint == blueprint,
            }
            group = groups.setdefault(key, {"key": key, "label": labels.get(key, OTHER_LABEL), "items": []})
            group["items"].append(item)
    order = list(labels)
    ordered = sorted(groups.values(), key=lambda g: order.index(g["key"]) if g["key"] in order else len(order))
    for group in ordered:
        group["current"] = any(item["current"] for item in group["items"])
    return ordered


def home_feed(territory, user, limit: int = 5) -> list[FeedItem]:
    """Every module's feed for ``territory`` (up to ``limit`` items each, in module order).

    A provider that fails is logged and left out: one module's bug must not take the home page down."""
    from civic import db

    found: list[FeedItem] = []
    for provider in collect("home", "HOME_FEED"):
        try:
            found.extend(list(provider(territory, user, limit))[:limit])
        except Exception:
            db.session.rollback()
            current_app.logger.exception("home feed provider %r failed", provider)
    return found
