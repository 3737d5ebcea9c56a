"""Initiatives without the stakeholders module (removed from civic.modules.MODULES): nothing breaks, step 6 has no
check to pass, and the workspace offers no stakeholder map."""

from __future__ import annotations

import pytest

from civic import db
from civic.core import providers
from civic.initiatives import services
from civic.initiatives.models import Initiative
from tests.factories import app_without, session_ident
from tests.initiatives.conftest import user


@pytest.fixture
def app_without_stakeholders(app, monkeypatch):
    with app_without(app, monkeypatch, "stakeholders") as other:
        yield other


def test_initiatives_work_without_stakeholders(app, app_without_stakeholders, cast, initiatives):
    initiative_id = initiatives.make(step=5)
    other = app_without_stakeholders
    assert "stakeholders" not in other.blueprints
    assert providers.registry_of(other).checks == {}
    with other.app_context():
        initiative = db.session.get(Initiative, initiative_id)
        owner = user(cast.owner)
        services.advance(initiative, owner, "Civil society involved")
        services.advance(initiative, owner, "No checks installed")
        assert initiative.step == 7
        db.session.commit()
    client = other.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = session_ident(other, cast.owner)
        sess["_fresh"] = True
    page = client.get(f"/initiatives/{initiative_id}/manage")
    assert page.status_code == 200
    assert "stakeholders-link" not in page.get_data(as_text=True)
    assert client.get(f"/initiatives/{initiative_id}").status_code == 200
    assert client.get(f"/stakeholders/initiative/{initiative_id}").status_code == 404
