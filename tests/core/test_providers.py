"""The provider registry: checks, recipients and owners, registered per app and run in registration order."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask

from civic.core import providers
from civic.core.providers import CheckResult, ProviderRegistry, Recipient


def test_checks_recipients_and_owners_are_per_app():
    registry = ProviderRegistry()
    registry.register_check("decision", "a", lambda t, i: CheckResult("a", "A", i > 1, () if i > 1 else ("no",)))
    registry.register_check("other", "b", lambda t, i: CheckResult("b", "B", False, ("never",)))
    registry.register_recipients("a", lambda t, i: [Recipient(i, None, t)])
    registry.register_owner("thing", lambda user, i: user == "team", lambda i: 7)
    assert [r.passed for r in registry.run_checks("decision", "thing", 1)] == [False]
    assert [r.passed for r in registry.run_checks("decision", "thing", 2)] == [True]
    assert registry.run_checks("nothing", "thing", 2) == []
    assert registry.collect_recipients("thing", 5) == [Recipient(5, None, "thing")]
    assert registry.owners["thing"].can_manage("team", 1) is True
    with pytest.raises(ValueError, match="twice"):
        registry.register_owner("thing", lambda u, i: True, lambda i: None)


def test_on_register_fills_the_app_registry_once():
    calls = []
    bp = Blueprint("probe", __name__)
    providers.on_register(bp, lambda registry: (calls.append(1), registry.register_check("m", "p", lambda t, i: None)))
    app, other = Flask("one"), Flask("two")
    app.register_blueprint(bp)
    assert calls == [1]
    assert len(providers.registry_of(app).checks["m"]) == 1
    assert providers.registry_of(other).checks == {}
    with app.app_context():
        assert providers.owner("thing") is None
        assert providers.recipients("thing", 1) == []
