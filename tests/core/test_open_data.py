"""The open-data API as a whole: one OpenAPI 3.1 document that every endpoint honours (schemathesis, every check),
cursor pages, strict query strings, conditional requests, problem documents, rate limits and bulk dumps."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json

import pytest

from civic.core.dumps import make_dumps
from tests.api_contract import check_operations
from tests.petitions.conftest import residents, world  # noqa: F401 (the petitions world builder gives the API data)


@pytest.fixture
def published(world, residents):  # noqa: F811 (the imported petitions fixtures)
    open_id = world.petition("open", title="Extend bus route 32 to the Almaly market")
    for user in residents(2):
        world.sign(open_id, user, ip="10.2.0.9")
    world.tally(open_id)
    world.petition("closed", title="Repair the school roof", territory="KZ-ALA", category="education")
    return open_id


def test_every_endpoint_matches_the_one_openapi_document(app, published):
    assert {"/api/v1/petitions", "/api/v1/territories", "/api/v1/bodies.csv", "/api/v1/dumps"} <= check_operations(
        app, "/api/v1"
    )


def test_cursor_pages_walk_every_row_once_in_a_stable_order(client, directory):
    seen, url = [], "/api/v1/territories?limit=7"
    while url:
        page = client.get(url).get_json()
        assert len(page["data"]) <= 7
        seen.extend(t["code"] for t in page["data"])
        url = page["links"]["next"]
    everything = client.get("/api/v1/territories?limit=500").get_json()["data"]
    assert seen == [t["code"] for t in everything]
    assert len(seen) == len(set(seen)) > 7


def test_territory_filter_includes_the_subtree(client, directory):
    codes = {t["code"] for t in client.get("/api/v1/territories?territory=KZ-ALA&limit=500").get_json()["data"]}
    assert "KZ-ALA" in codes
    assert all(code.startswith("KZ-ALA") for code in codes)
    assert len(codes) > 1


@pytest.mark.parametrize(
    "query",
    [
        "state=open&state=closed",  # a repeated parameter
        "colour=red",  # an unknown one
        "limit=0",
        "limit=abc",
        "cursor=not-a-cursor",
        "opened_from=2026-13-40",
        "territory=NOWHERE",
    ],
)
def test_what_the_schema_forbids_is_a_400_problem_in_the_requested_language(client, directory, query):
    response = client.get(f"/api/v1/petitions?{query}", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 400
    assert body["title"]
    assert body["detail"]


def test_problem_detail_follows_accept_language(app, directory):
    client = app.test_client()  # no language cookie: Accept-Language decides
    russian = client.get("/api/v1/petitions/999999", headers={"Accept-Language": "ru"}).get_json()
    english = client.get("/api/v1/petitions/999999", headers={"Accept-Language": "en"}).get_json()
    assert english["detail"] == "There is no public petition with this number."
    assert russian["status"] == english["status"] == 404
    assert russian["detail"] != english["detail"]


def test_method_not_allowed_carries_allow(client, directory):
    response = client.post("/api/v1/petitions")
    assert response.status_code in (400, 405)
    response = client.delete("/api/v1/territories")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.mimetype == "application/problem+json"


def test_etag_and_last_modified_give_304(client, published):
    first = client.get(f"/api/v1/petitions/{published}")
    assert first.status_code == 200
    assert first.headers["Cache-Control"].startswith("public")
    etag = first.headers["ETag"]
    again = client.get(f"/api/v1/petitions/{published}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    listing = client.get("/api/v1/territories")
    assert client.get("/api/v1/territories", headers={"If-None-Match": listing.headers["ETag"]}).status_code == 304


def test_every_list_has_a_formula_safe_csv_with_bom(client, directory):
    response = client.get("/api/v1/bodies.csv")
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows
    assert {"code", "kind", "territory_code", "name_kk"} <= set(rows[0])
    json_codes = {b["code"] for b in client.get("/api/v1/bodies?limit=500").get_json()["data"]}
    assert {row["code"] for row in rows} == json_codes


def test_rate_limit_answers_429_with_retry_after(app, client, directory, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    statuses = [client.get("/api/v1/categories").status_code for _ in range(4)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3] == 429
    limited = client.get("/api/v1/territories")  # one budget for the whole API
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.mimetype == "application/problem+json"


def test_bulk_dumps_hold_what_the_api_serves_with_checksums(app, client, published, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "OPENDATA_DUMP_DIR", str(tmp_path))
    with app.app_context():
        files = make_dumps(echo=lambda _message: None)
    names = {f["name"] for f in files}
    assert {"petitions.jsonl.gz", "petitions.csv.gz", "territories.jsonl.gz", "bodies.csv.gz"} <= names
    listing = client.get("/api/v1/dumps").get_json()["data"]
    entry = next(f for f in listing if f["name"] == "petitions.jsonl.gz")
    download = client.get(entry["url"].removeprefix("http://localhost"))
    assert download.status_code == 200
    assert (
        hashlib.sha256(download.data).hexdigest()
        == entry["sha256"]
        == next(f["sha256"] for f in files if f["name"] == "petitions.jsonl.gz")
    )
    lines = gzip.decompress(download.data).decode().splitlines()
    api_ids = {p["id"] for p in client.get("/api/v1/petitions?state=all&limit=500").get_json()["data"]}
    assert {json.loads(line)["id"] for line in lines} == api_ids
    assert client.get("/api/v1/dumps/../../secret").status_code == 404


def test_docs_page_loads_the_vendored_viewer_without_inline_script(client, directory):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "<script>" not in html
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_a_repeated_request_is_answered_from_the_worker_cache_without_the_database(app, client, directory, monkeypatch):
    from civic.core import opendata

    monkeypatch.setitem(app.config, "API_CACHE_SECONDS", 30)
    monkeypatch.setattr(opendata, "_cache", opendata.ResponseCache())
    first = client.get("/api/v1/categories?limit=3")
    assert first.status_code == 200

    def no_database(*_args, **_kwargs):
        raise AssertionError("the cached answer touched the database")

    monkeypatch.setattr(opendata, "keyset_page", no_database)
    again = client.get("/api/v1/categories?limit=3")
    assert again.data == first.data
    conditional = client.get("/api/v1/categories?limit=3", headers={"If-None-Match": first.headers["ETag"]})
    assert conditional.status_code == 304
    # Another URL is not in the cache: it reaches the stub, whose error the app answers as a 500.
    assert client.get("/api/v1/categories?limit=4").status_code == 500
