"""Open data for initiatives: public initiatives only, with steps passed, decisions, indicators with their targets and
the public report; values rolled up by territory and period with subtree and period filters (JSON pages and CSV); no
team members or weak-spot reports; and the initiatives part of the OpenAPI document (schemathesis)."""

from __future__ import annotations

from civic import db
from civic.initiatives import services
from civic.initiatives.models import Initiative
from tests.api_contract import check_operations
from tests.initiatives.conftest import user


def test_public_initiative_with_decision_targets_values_and_report(app, client, cast, initiatives):
    public_id = initiatives.make(step=10, with_values=True)
    hidden_id = initiatives.make(public=False)
    with app.app_context():
        initiative = db.session.get(Initiative, public_id)
        services.advance(initiative, user(cast.owner), "Told everyone", report_text="150 places opened.")
        db.session.commit()

    listing = client.get("/api/v1/initiatives?territory=KZ-VOS&sector=education").get_json()["data"]
    assert [i["id"] for i in listing] == [public_id]
    assert client.get("/api/v1/initiatives?step=3").get_json()["data"] == []
    assert client.get(f"/api/v1/initiatives/{hidden_id}").status_code == 404
    assert client.get(f"/api/v1/initiatives/{hidden_id}/values").status_code == 404

    detail = client.get(f"/api/v1/initiatives/{public_id}")
    body = detail.get_json()
    assert body["decision"] == "Open 150 places by 2027"
    assert body["report"]["text"] == "150 places opened."
    assert [s["from_step"] for s in body["steps"]] == list(range(1, 11))
    indicator = next(i for i in body["indicators"] if i["code"] == "RURAL_KG")
    targeted = [(i["target_value"], i["target_period"]) for i in body["indicators"] if i["target_value"] is not None]
    assert targeted == [(150, "2027")]
    assert (indicator["first_value"], indicator["latest_value"]) == (10 + 11 + 12 + 13, 30 + 31 + 32 + 33)
    text = detail.get_data(as_text=True)
    for person in (cast.owner, cast.member, cast.contact):
        assert person.email not in text
    assert "Member" not in text
    assert "Owner" not in text

    def values(query: str = "") -> list[tuple[str, str, float]]:
        response = client.get(f"/api/v1/initiatives/{public_id}/values{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return [(v["territory_code"], v["period"], v["value"]) for v in response.get_json()["data"]]

    every = values("?indicator=RURAL_KG&limit=500")
    assert ("KZ-VOS", "2025", 30 + 31 + 32 + 33) in every
    assert ("KZ-VOS-GLU-BOB", "2023", 10) in every
    glubokoye = values("?indicator=RURAL_KG&territory=KZ-VOS-GLU&limit=500")
    assert glubokoye
    assert all(code.startswith("KZ-VOS-GLU") for code, _p, _v in glubokoye)
    assert ("KZ-VOS-GLU", "2024", 20 + 21 + 22) in glubokoye
    assert {p for _c, p, _v in values("?period_from=2024&period_to=2024&limit=500")} == {"2024"}
    assert values("?indicator=RURAL_KG&period_from=2026") == []
    assert values("?indicator=NOPE") == []  # codes are the initiative's own: another one matches nothing
    seen, url = [], f"/api/v1/initiatives/{public_id}/values?indicator=RURAL_KG&limit=4"
    while url:
        page = client.get(url).get_json()
        seen.extend((v["indicator_code"], v["territory_code"], v["period"]) for v in page["data"])
        url = page["links"]["next"]
    assert len(seen) == len(set(seen)) == len(every)
    for bad in ("/values?period_from=2024-13", "/values?territory=XX", "?step=11"):
        response = client.get(f"/api/v1/initiatives/{public_id}{bad}" if "/" in bad else f"/api/v1/initiatives{bad}")
        assert response.status_code == 400, bad
        assert response.mimetype == "application/problem+json"
    csv_body = client.get(f"/api/v1/initiatives/{public_id}/values.csv?indicator=RURAL_KG&territory=KZ-VOS-GLU").data
    assert csv_body.startswith(b"\xef\xbb\xbf")
    lines = csv_body.decode("utf-8-sig").splitlines()
    assert lines[0] == "indicator_code,territory_code,period,value,count"
    assert len(lines) == len(glubokoye) + 1
    listing_csv = client.get("/api/v1/initiatives.csv").data.decode("utf-8-sig").splitlines()
    assert len(listing_csv) == 2
    assert "Kindergarten places in East Kazakhstan" in listing_csv[1]


def test_initiatives_api_matches_its_document(app, cast, initiatives):
    initiatives.make(step=4, with_values=True)
    assert {"/api/v1/initiatives", "/api/v1/initiatives/{initiative_id}"} <= check_operations(
        app, "/api/v1/initiatives"
    )
