"""Provider registry: named checks and recipient lists one module offers another without either importing the other.

A module that *owns* a workspace (initiatives) asks, at a moment of its own, for whatever the installed modules
provide; a module that *attaches* to any owner by ``(owner_type, owner_id)`` (stakeholders) registers the providers.
Like the link registry (``civic.core.links``) it lives on the app (``app.extensions["civic_providers"]``) and is
filled when a module's blueprint is registered (``on_register(bp, register_providers)``), so a module left out of
``civic.modules.MODULES`` provides nothing and the asking module carries on without it.

- ``register_check(moment, name, check)``: ``check(owner_type, owner_id) -> CheckResult`` before ``moment``
  (initiatives asks for ``"decision"`` before step 6 is passed).
- ``register_recipients(name, provider)``: ``provider(owner_type, owner_id) -> list[Recipient]`` — who must be told
  when the owner informs its participants (initiatives' step 10 public report).
- ``register_owner(owner_type, can_manage, territory_id)``: the owning module says who works on its object
  (``can_manage(user, owner_id) -> bool``: the initiative's team) and where it lies (``territory_id(owner_id)``), so
  an attaching module can show team-only data (stakeholders' contact persons) without knowing what a team is.
- ``checks(moment, owner_type, owner_id)`` and ``recipients(owner_type, owner_id)`` run them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

EXTENSION = "civic_providers"


@dataclass(frozen=True)
class CheckResult:
    """One provider's answer: ``passed``, and the translated reasons when it did not pass."""

    name: str
    label: Any
    passed: bool
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recipient:
    """Someone to tell: a platform user (``user_id``) or only an email address; ``reason`` says why (a group)."""

    user_id: int | None
    email: str | None = None
    reason: str = ""


Check = Callable[[str, int], CheckResult]
RecipientProvider = Callable[[str, int], list[Recipient]]


@dataclass(frozen=True)
class Owner:
    can_manage: Callable[[Any, int], bool]
    territory_id: Callable[[int], int | None]


@dataclass
class ProviderRegistry:
    checks: dict[str, list[tuple[str, Check]]] = field(default_factory=dict)
    recipients: list[tuple[str, RecipientProvider]] = field(default_factory=list)
    owners: dict[str, Owner] = field(default_factory=dict)

    def register_owner(self, owner_type: str, can_manage, territory_id) -> None:
        if owner_type in self.owners:
            raise ValueError(f"owner type {owner_type!r} is registered twice")
        self.owners[owner_type] = Owner(can_manage, territory_id)

    def register_check(self, moment: str, name: str, check: Check) -> None:
        self.checks.setdefault(moment, []).append((name, check))

    def register_recipients(self, name: str, provider: RecipientProvider) -> None:
        self.recipients.append((name, provider))

    def run_checks(self, moment: str, owner_type: str, owner_id: int) -> list[CheckResult]:
        return [check(owner_type, owner_id) for _name, check in self.checks.get(moment, [])]

    def collect_recipients(self, owner_type: str, owner_id: int) -> list[Recipient]:
        found: list[Recipient] = []
        for _name, provider in self.recipients:
            found.extend(provider(owner_type, owner_id))
        return found


def registry_of(app: Flask) -> ProviderRegistry:
    registry = app.extensions.get(EXTENSION)
    if registry is None:
        registry = app.extensions[EXTENSION] = ProviderRegistry()
    return registry


def on_register(blueprint, register_providers: Callable[[ProviderRegistry], None]) -> None:
    """Call ``register_providers(registry)`` when ``blueprint`` is registered on an app (once per app)."""
    blueprint.record_once(lambda state: register_providers(registry_of(state.app)))


def checks(moment: str, owner_type: str, owner_id: int) -> list[CheckResult]:
    return registry_of(current_app).run_checks(moment, owner_type, owner_id)


def recipients(owner_type: str, owner_id: int) -> list[Recipient]:
    return registry_of(current_app).collect_recipients(owner_type, owner_id)


def owner(owner_type: str) -> Owner | None:
    return registry_of(current_app).owners.get(owner_type)
