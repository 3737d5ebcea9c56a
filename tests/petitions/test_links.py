"""The link registry seen from a petition: related Delphi studies, visibility, and an app built without Delphi."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from civic import db
from civic.core import links
from civic.db import utc_now
from civic.delphi.models import DelphiStudy, StudyStatus
from tests.factories import app_without


def _study(app, petition_id: int, title: str, published: bool) -> int:
    with app.app_context():
        study = DelphiStudy(
            title_en=title,
            base_language="en",
            status=StudyStatus.FINISHED,
            config={},
            linked_object_type="petition",
            linked_object_id=petition_id,
            results_published_at=utc_now() if published else None,
        )
        db.session.add(study)
        db.session.commit()
        return study.id


def test_petition_page_shows_only_published_linked_studies(app, client, world):
    petition_id = world.petition("open")
    published = _study(app, petition_id, "Crossing safety panel", published=True)
    _study(app, petition_id, "Unpublished draft panel", published=False)
    page = client.get(f"/petitions/{petition_id}").get_data(as_text=True)
    assert "related-items" in page
    assert "Crossing safety panel" in page
    assert f'href="/delphi/{published}/results"' in page
    assert "Unpublished draft panel" not in page


def test_petition_page_without_linked_studies_has_no_related_section(client, world):
    petition_id = world.petition("open")
    page = client.get(f"/petitions/{petition_id}").get_data(as_text=True)
    assert "related-items" not in page
    assert "/delphi/linked/" not in page


def test_registry_resolves_petitions_by_visibility(app, world):
    open_id = world.petition("open")
    draft_id = world.draft()
    with app.test_request_context():
        anonymous = AnonymousUserMixin()
        link = links.resolve("petition", open_id, anonymous)
        assert link is not None
        assert link.url == f"/petitions/{open_id}"
        assert link.title == "Install a pedestrian crossing at Abay Avenue"
        assert links.resolve("petition", draft_id, anonymous) is None  # a draft is its author's only
        assert links.resolve("petition", 999_999, anonymous) is None
        assert links.resolve("no-such-type", open_id, anonymous) is None


def test_linked_studies_page_needs_a_visible_object(app, client, world):
    open_id = world.petition("open")
    draft_id = world.draft()
    _study(app, open_id, "Crossing safety panel", published=True)
    _study(app, draft_id, "Panel on a private draft", published=True)
    page = client.get(f"/delphi/linked/petition/{open_id}")
    assert page.status_code == 200
    assert "Crossing safety panel" in page.get_data(as_text=True)
    assert client.get(f"/delphi/linked/petition/{draft_id}").status_code == 404
    assert client.get("/delphi/linked/unknown/1").status_code == 404


@pytest.fixture
def app_without_delphi(app, monkeypatch):
    """A second app on the same database with Delphi switched off."""
    with app_without(app, monkeypatch, "delphi") as other:
        yield other


def test_petition_page_renders_without_delphi(app, app_without_delphi, world):
    petition_id = world.petition("open")
    _study(app, petition_id, "Crossing safety panel", published=True)
    registry = app_without_delphi.extensions[links.EXTENSION]
    assert "delphi_study" not in registry.types
    assert "petition" in registry.types
    assert "delphi" not in app_without_delphi.blueprints
    client = app_without_delphi.test_client()
    page = client.get(f"/petitions/{petition_id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Crossing safety panel" not in body
    assert "related-items" not in body
    assert client.get("/delphi/").status_code == 404
    # the full app still shows the study: the registry is per app
    assert "delphi_study" in app.extensions[links.EXTENSION].types
