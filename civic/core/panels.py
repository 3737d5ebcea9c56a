"""Panel sources: named lists of people a module offers to another module's panel picker, without imports.

A module registers a source (``register_source(registry, name, label, people)``; ``people(source_id) -> list of
user ids``) when its blueprint is registered; a panel picker (Delphi's) lists ``sources()`` and reads
``people(name, source_id)``. Councils offers ``council``: a council's sitting members and active experts, so a
secretary can turn them into a Delphi panel in one click. The registry lives on the app, like the link registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

EXTENSION = "civic_panel_sources"


@dataclass(frozen=True)
class PanelSource:
    name: str
    label: Any
    people: Callable[[int], list[int]]
    #: ``choices() -> [(source_id, title)]``: what a picker offers (e.g. every council), in display order.
    choices: Callable[[], list[tuple[int, str]]] | None = None


def registry_of(app: Flask) -> dict[str, PanelSource]:
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = app.extensions[EXTENSION] = {}
    return found


def register_source(app: Flask, name: str, label, people: Callable[[int], list[int]], choices=None) -> None:
    sources = registry_of(app)
    if name in sources:
        raise ValueError(f"panel source {name!r} is registered twice")
    sources[name] = PanelSource(name, label, people, choices)


def sources() -> list[PanelSource]:
    return list(registry_of(current_app).values())


def choices() -> list[tuple[str, str]]:
    """``("<name>:<id>", "<label>: <title>")`` for every source's choices: the values a picker's select offers."""
    found = []
    for source in sources():
        for source_id, title in source.choices() if source.choices else []:
            found.append((f"{source.name}:{source_id}", f"{source.label}: {title}"))
    return found


def parse(value: str | None) -> tuple[str, int] | None:
    """``"council:5"`` -> ``("council", 5)``; None when malformed or the source is unknown."""
    name, _sep, raw = (value or "").partition(":")
    if not raw.isdigit() or name not in registry_of(current_app):
        return None
    return name, int(raw)


def people(name: str, source_id: int) -> list[int]:
    """The user ids of source ``name`` (e.g. "council") for ``source_id``; [] when the source is unknown."""
    source = registry_of(current_app).get(name)
    return source.people(source_id) if source is not None else []
