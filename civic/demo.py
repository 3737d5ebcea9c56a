"""``flask seed demo``: identity data first, then each module's ``demo.seed_demo(context)`` in dependency order."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from civic.modules import MODULES, submodule


@dataclass
class DemoContext:
    """What module seeders share: the random generators, the demo users by key, and a progress printer."""

    rng: random.Random
    np_rng: np.random.Generator
    echo: Callable[[str], None]
    users: dict = field(default_factory=dict)
    #: What one module's demo leaves for a later module's (by name, e.g. "initiatives"): modules never import each
    #: other, so the stakeholders demo maps the initiatives the initiatives demo started through this.
    objects: dict = field(default_factory=dict)


def load_demo(seed: int = 42, if_empty: bool = False, echo: Callable[[str], None] = print) -> bool:
    """Load the demo data; returns False (and does nothing) if ``if_empty`` and it is already there."""
    from civic.identity.demo import demo_present

    if if_empty and demo_present():
        return False
    context = DemoContext(rng=random.Random(seed), np_rng=np.random.default_rng(seed), echo=echo)
    for index, module in enumerate(MODULES, start=1):
        demo = submodule(module, "demo")
        if demo is None:
            continue
        echo(f"[{index}/{len(MODULES)}] {module} ...")
        demo.seed_demo(context)
    return True
