"""The list of platform modules, lowest layer first, and the conventions by which the app wires them.

Each module ``civic.<name>`` may provide:
- ``views.BLUEPRINTS``: blueprints to register;
- ``permissions.PERMISSIONS`` (name -> description), ``permissions.DEFAULTS`` (role -> set of names) and
  ``permissions.ROLES`` (the module's own roles: name -> label);
- ``cli.COMMANDS``: click groups/commands for the ``flask`` CLI;
- ``demo.seed_demo(context)``: deterministic demo data, run by ``flask seed demo`` in this order;
- ``views.HOME_CARDS`` (dicts: endpoint, title, text), ``views.NAV_ITEMS`` ((endpoint, label, group) triples) and
  ``views.NAV_GROUPS`` ({group key: label}, for a group core does not know);
- ``home.HOME_FEED``: ``feed(territory, user, limit)`` -> the home page's items (``civic.core.shell``);
- ``views.LANDING_PAGES``: ``(rank, permission or None, endpoint or callable)``: where people land after signing in
  (``civic.identity.landing``);
- ``links.register_links(registry)``: the object types the module owns and its related-items providers
  (``civic.core.links``), called when its blueprint is registered (``on_register(bp, register_links)`` at the top
  of ``views/__init__.py``), so a module left out of ``MODULES`` adds no types and no related items.

A module's ``views/__init__.py`` defines its blueprint at the top and imports its view submodules at the bottom
(they register their routes on ``bp``); signal receivers live in ``services``, never in views.
"""

from __future__ import annotations

import importlib
from types import ModuleType

MODULES: tuple[str, ...] = (
    "identity",
    "ops",
    "petitions",
    "delphi",
    "bureau",
    "contests",
    "councils",
    "initiatives",
    "stakeholders",  # after initiatives: its demo maps the initiatives' stakeholders (DemoContext.objects)
    "dashboards",  # last: its demo refreshes the figures of every module before it
)


def submodule(module: str, part: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"civic.{module}.{part}")
    except ModuleNotFoundError as exc:
        if exc.name in (f"civic.{module}", f"civic.{module}.{part}"):
            return None
        raise


def collect(part: str, attribute: str) -> list:
    """Return ``attribute`` of ``civic.<module>.<part>`` for every module that has it."""
    found = []
    for module in MODULES:
        mod = submodule(module, part)
        if mod is not None and hasattr(mod, attribute):
            found.append(getattr(mod, attribute))
    return found
