"""GET /api/v1/ answers with an index of the API, built from the registered API blueprints."""

from __future__ import annotations


def test_api_index_links_to_the_petitions_api_and_its_openapi_document(client, directory):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    index = response.get_json()
    assert index["self"] == "http://localhost/api/v1/"
    apis = {api["name"]: api for api in index["apis"]}
    petitions = apis["petitions"]
    assert index["openapi"] == "http://localhost/api/v1/openapi.json"
    assert index["docs"] == "http://localhost/api/v1/docs"
    hrefs = {e["href"] for e in petitions["endpoints"]}
    assert {"http://localhost/api/v1/petitions", "http://localhost/api/v1/petitions/{petition_id}"} <= hrefs
    assert all(e["description"] and e["methods"] == ["GET"] for e in petitions["endpoints"])
    # Every plain link works; the templated one is marked as such.
    for endpoint in petitions["endpoints"]:
        if endpoint["templated"]:
            assert "{" in endpoint["href"]
        else:
            assert client.get(endpoint["href"]).status_code == 200, endpoint["href"]
    assert client.get("/api/v1").status_code == 308


def test_api_index_lists_every_api_route_the_app_has(app, client):
    """A module's new API blueprint appears without touching the index: it lists whatever is registered."""
    listed = {
        e["href"].removeprefix("http://localhost")
        for api in client.get("/api/v1/").get_json()["apis"]
        for e in api["endpoints"]
    }
    routes = {
        rule.rule.replace("<int:", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") and not rule.endpoint.startswith("api_index.")
    }
    assert routes
    assert listed == routes


def test_api_index_picks_up_a_new_api_blueprint(app, monkeypatch):
    from flask import Blueprint

    from civic.core.api import index_document

    extra = Blueprint("wells_api", __name__, url_prefix="/api/v1/wells")

    @extra.get("/")
    def wells():
        """List public wells."""

    monkeypatch.setitem(app.blueprints, "wells_api", extra)
    monkeypatch.setitem(app.view_functions, "wells_api.wells", wells)
    rule = app.url_rule_class("/api/v1/wells/", endpoint="wells_api.wells", methods=["GET"])
    monkeypatch.setattr(app.url_map, "iter_rules", lambda *a, _orig=app.url_map.iter_rules: [*_orig(*a), rule])
    with app.test_request_context():
        apis = {api["name"]: api for api in index_document("http://x")["apis"]}
    assert apis["wells"]["endpoints"] == [
        {"href": "http://x/api/v1/wells/", "templated": False, "methods": ["GET"], "description": "List public wells."}
    ]
