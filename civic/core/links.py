"""The link registry: how one module points at another module's objects without importing it.

A module makes the objects it owns linkable with ``register_type`` (a label, how to build the object's URL, who may
see it, optionally how to load its title), and answers "what of mine relates to this object?" with
``register_related``. Both happen in the module's ``links.register_links(registry)``, which the app calls when it
registers the module's blueprint (``on_register(bp, register_links)`` in the module's ``views/__init__.py``), so a
module left out of ``civic.modules.MODULES`` registers nothing: its types cannot be chosen and its related items are simply not shown.

Links themselves stay where their owner keeps them (e.g. a Delphi study's ``linked_object_type`` and
``linked_object_id``); the registry is the one place that turns ``(type, id)`` into a label, a URL and a
visibility decision. The registry lives on the app (``app.extensions["civic_links"]``), not in module state, so two
apps with different modules do not see each other's types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

EXTENSION = "civic_links"


@dataclass(frozen=True)
class LinkType:
    name: str
    label: Any  # a lazy string: str(label) translates in the current locale
    url_builder: Callable[[int], str]
    visible: Callable[[Any, int], bool]
    title_loader: Callable[[int], str | None] | None = None


@dataclass(frozen=True)
class Link:
    """One resolved object: what a template needs to show a link to it."""

    type: str
    id: int
    label: str
    url: str
    title: str | None = None

    @property
    def text(self) -> str:
        return self.title or f"{self.label} #{self.id}"


#: ``related(object_type, object_id, user) -> list[Link]``; returns only what ``user`` may see.
RelatedProvider = Callable[[str, int, Any], list[Link]]


class LinkRegistry:
    def __init__(self) -> None:
        self.types: dict[str, LinkType] = {}
        self.providers: list[tuple[str, RelatedProvider]] = []

    # --- registration (at app creation) ---------------------------------------------------------------------------
    def register_type(
        self,
        name: str,
        label,
        url_builder: Callable[[int], str],
        visible: Callable[[Any, int], bool],
        title_loader: Callable[[int], str | None] | None = None,
    ) -> None:
        if name in self.types:
            raise ValueError(f"link type {name!r} is registered twice")
        self.types[name] = LinkType(name, label, url_builder, visible, title_loader)

    def register_related(self, owner: str, provider: RelatedProvider) -> None:
        """``owner`` names the module (or section) providing the items, e.g. "delphi"; templates may group by it."""
        self.providers.append((owner, provider))

    # --- lookups ----------------------------------------------------------------------------------------------------
    def knows(self, name: str | None) -> bool:
        return bool(name) and name in self.types

    def choices(self, exclude: tuple[str, ...] = ()) -> list[tuple[str, Any]]:
        """``(name, label)`` of every registered type, for a form's select field."""
        return [(t.name, t.label) for t in self.types.values() if t.name not in exclude]

    def label(self, name: str) -> str:
        link_type = self.types.get(name)
        return str(link_type.label) if link_type else name

    def resolve(self, name: str | None, object_id: int | None, user) -> Link | None:
        """The object as a link ``user`` may follow; None if the type is unknown (module off) or hidden from them."""
        link_type = self.types.get(name or "")
        if link_type is None or object_id is None or not link_type.visible(user, object_id):
            return None
        title = link_type.title_loader(object_id) if link_type.title_loader else None
        return Link(name, object_id, str(link_type.label), link_type.url_builder(object_id), title)

    def related(self, object_type: str, object_id: int, user) -> list[Link]:
        """Everything the registered modules link to ``(object_type, object_id)`` that ``user`` may see."""
        found: list[Link] = []
        for _owner, provider in self.providers:
            found.extend(provider(object_type, object_id, user))
        return found


def registry_of(app: Flask) -> LinkRegistry:
    """The app's registry, created on first use (by the first module registering, or the first lookup)."""
    registry = app.extensions.get(EXTENSION)
    if registry is None:
        registry = app.extensions[EXTENSION] = LinkRegistry()
    return registry


def on_register(blueprint, register_links: Callable[[LinkRegistry], None]) -> None:
    """Call ``register_links(registry)`` when ``blueprint`` is registered on an app (once per app)."""
    blueprint.record_once(lambda state: register_links(registry_of(state.app)))


def registry() -> LinkRegistry:
    return registry_of(current_app)


def resolve(name: str | None, object_id: int | None, user) -> Link | None:
    return registry().resolve(name, object_id, user)


def related(object_type: str, object_id: int, user) -> list[Link]:
    return registry().related(object_type, object_id, user)


def requested(args, user, exclude: tuple[str, ...] = ()) -> Link | None:
    """The object named by ``?linked_type=<type>&linked_id=<id>`` on a "new …" page (another module's "start a … linked
    to this" link), if ``user`` may see it; otherwise None and, when the parameters were given, a flashed message
    saying they were ignored. Reading it never writes: the page only pre-fills its own link field."""
    from flask import flash
    from flask_babel import gettext

    name, raw = args.get("linked_type"), args.get("linked_id")
    if not name and not raw:
        return None
    link = None
    if name not in exclude and raw and str(raw).isdigit():
        link = resolve(name, int(raw), user)
    if link is None:
        flash(
            gettext("The object to link to was not found or is not visible to you; the link was left empty."), "error"
        )
    return link
