"""Open data for stakeholder maps: the public part only (organisations and groups placed on the map, their groups and
the plans), never contact persons, e-mails, phones, individual scores or engagements; maps of hidden owners are not
listed; and the stakeholders part of the OpenAPI document (schemathesis)."""

from __future__ import annotations

from civic import db
from civic.stakeholders import services as sh
from tests.api_contract import check_operations
from tests.initiatives.conftest import territory, user


def _mapped(app, cast, initiatives, public: bool = True) -> int:
    initiative_id = initiatives.make(public=public)
    with app.app_context():
        owner = user(cast.owner)
        stakeholder_map = sh.open_map("initiative", initiative_id, owner)
        for name, kind, scores in (
            ("Association of large families", "ngo", (5, 2)),
            ("Kindergarten owners' union", "business", (4, 5)),
            ("Rural parents", "group", None),
        ):
            s = sh.register_stakeholder(
                territory("KZ-VOS"),
                sh.StakeholderData(
                    name,
                    kind,
                    contact_name="Aigul Contactova",
                    contact_email="aigul@example.kz",
                    contact_phone="+77010000000",
                ),
                owner,
            )
            entry = sh.add_to_map(stakeholder_map, s, owner)
            if scores:
                sh.score(entry, owner, *scores, assessor_label="Secret assessor")
                sh.record_engagement(entry, owner, "dialogue", "Private meeting notes")
        db.session.commit()
        return stakeholder_map.id


def test_public_part_of_a_map_without_personal_data(app, client, cast, initiatives):
    public_map = _mapped(app, cast, initiatives)
    hidden_map = _mapped(app, cast, initiatives, public=False)
    listing = client.get("/api/v1/stakeholders/maps?territory=KZ-VOS").get_json()
    assert [m["id"] for m in listing["data"]] == [public_map]
    assert listing["data"][0]["owner"]["type"] == "initiative"
    assert client.get(f"/api/v1/stakeholders/maps/{hidden_map}").status_code == 404
    assert client.get("/api/v1/stakeholders/maps?territory=KZ-AST").get_json()["data"] == []

    response = client.get(f"/api/v1/stakeholders/maps/{public_map}")
    body = response.get_json()
    placed = {s["name"]: s["group"] for s in body["stakeholders"]}
    assert placed == {"Association of large families": 1, "Kindergarten owners' union": 2}  # unscored: not shown
    assert {p["group"] for p in body["plans"]} == {1, 2, 3, 4}
    text = response.get_data(as_text=True)
    for private in ("Aigul", "aigul@example.kz", "+77010000000", "Secret assessor", "Private meeting notes"):
        assert private not in text
    assert cast.owner.email not in text


def test_map_list_pages_skip_hidden_owners(app, client, cast, initiatives):
    shown = [_mapped(app, cast, initiatives, public=k % 2 == 0) for k in range(5)]
    seen, url = [], "/api/v1/stakeholders/maps?limit=1"
    while url:
        page = client.get(url).get_json()
        assert len(page["data"]) == 1
        seen.extend(m["id"] for m in page["data"])
        url = page["links"]["next"]
    assert seen == shown[0::2]


def test_stakeholders_api_matches_its_document(app, cast, initiatives):
    _mapped(app, cast, initiatives)
    assert {"/api/v1/stakeholders/maps"} <= check_operations(app, "/api/v1/stakeholders")
