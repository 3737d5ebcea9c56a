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


def registry_of(app: Flask) -> dict[str, PanelSource]:
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = app.extensions[EXTENSION] = {}
    return found


def register_source(app: Flask, name: str, label, people: Callable[[int], list[int]]) -> None:
    sources = registry_of(app)
    if name in sources:
        raise ValueError(f"panel source {name!r} is registered twice")
    sources[name] = PanelSource(name, label, people)


def sources() -> list[PanelSource]:
    return list(registry_of(current_app).values())


def people(name: str, source_id: int) -> list[int]:
    """The user ids of source ``name`` (e.g. "council") for ``source_id``; [] when the source is unknown."""
    source = registry_of(current_app).get(name)
    return source.people(source_id) if source is not None else []
