"""Open data: the JSON API against its OpenAPI document (schemathesis), CSV export, and no personal data."""

import csv
import io

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from civic import db
from civic.core.csv_export import safe_cell as csv_safe
from civic.petitions import moderation
from civic.petitions.models import Petition


@pytest.fixture
def published(app, world, residents):
    """Petitions in every public state, with signatures, a response and a rejection."""
    open_id = world.petition("open", title="Extend bus route 32 to the Almaly market")
    for user in residents(3):
        world.sign(open_id, user, ip="10.2.0.9")
    world.set_thresholds(open_id, response=6, hearing=50)
    world.tally(open_id)
    closed_id = world.petition(
        "closed", title='=HYPERLINK("http://evil") repair the school roof', territory="KZ-ALA", category="education"
    )
    rejected_id = world.petition("awaiting_moderation", title="Give me a flat in the city centre")
    official = world.official_for(open_id)
    with app.app_context():
        from civic.identity.models import User
        from civic.petitions import services

        moderation.reject(
            db.session.get(Petition, rejected_id),
            db.session.get(User, world.moderator.id),
            "personal",
            "A personal housing matter.",
        )
        services.publish_response(
            db.session.get(Petition, open_id),
            db.session.get(User, official.id),
            "Route 32 will reach the market from **1 March**.",
        )
        db.session.commit()
    world.draft(title="A private draft nobody may see")
    return {"open": open_id, "closed": closed_id, "rejected": rejected_id}


def test_api_matches_its_openapi_document(app, published):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {
        "/api/v1/petitions",
        "/api/v1/petitions/{petition_id}",
        "/api/v1/petitions.csv",
    }
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def check(case):
            case.call_and_validate()

        check()


def test_list_and_detail_expose_figures_but_no_personal_data(client, published, world):
    listing = client.get("/api/v1/petitions?state=all&per_page=10")
    assert listing.status_code == 200
    assert listing.headers["Cache-Control"].startswith("public")
    ids = {item["id"] for item in listing.json["data"]}
    assert ids == set(published.values())
    assert listing.json["meta"]["total"] == 3
    detail = client.get(f"/api/v1/petitions/{published['open']}").json
    assert detail["signature_count"] == 8
    assert detail["response_threshold_reached_at"] is not None
    assert detail["response_due_at"] is not None
    assert detail["response"]["text"].startswith("Route 32")
    assert detail["signatures_by_territory"] == [{"territory_code": "KZ-ALA-ALM", "group": "territory", "count": 8}]
    assert sum(day["count"] for day in detail["signatures_by_day"]) == 8
    rejected = client.get(f"/api/v1/petitions/{published['rejected']}").json
    assert rejected["rejection"]["code"] == "personal"
    assert rejected["state"] == "rejected"
    text = listing.get_data(as_text=True) + str(detail) + str(rejected)
    for secret in (world.author.email, world.author.display_name, "10.2.0.9", "example.test"):
        assert secret not in text


def test_filters_by_codes_and_refuses_unknown_codes(client, published):
    by_city = client.get("/api/v1/petitions?state=all&territory=KZ-ALA").json["data"]
    assert len(by_city) == 3  # the district petitions lie inside the city
    by_category = client.get("/api/v1/petitions?state=all&category=education").json["data"]
    assert [p["id"] for p in by_category] == [published["closed"]]
    unknown = client.get("/api/v1/petitions?territory=NOWHERE")
    assert unknown.status_code == 400
    assert unknown.json["error"] == 400


def test_hidden_and_unpublished_petitions_are_not_in_the_api(client, published, world):
    draft = world.draft(title="Another private draft about lights")
    assert client.get(f"/api/v1/petitions/{draft}").status_code == 404
    assert client.get("/api/v1/petitions/99999999999").status_code == 404


def test_csv_export_is_excel_friendly_and_formula_safe(client, published):
    response = client.get("/api/v1/petitions.csv?state=all")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 3
    titles = {row["title"] for row in rows}
    assert '\'=HYPERLINK("http://evil") repair the school roof' in titles


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+7 701", "'+7 701"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Алматы", "Алматы"),
        (None, ""),
        (42, "42"),
    ],
)
def test_csv_cells_are_neutralised(raw, safe):
    assert csv_safe(raw) == safe
