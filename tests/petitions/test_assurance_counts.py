"""Finding 2: signatures carry the signer's assurance level; pages and the API show both counts, and an
administrator chooses per petition which level counts toward the legal thresholds."""

from civic import db
from civic.identity.models import AssuranceLevel, AuditEvent
from civic.petitions.models import Petition


def test_page_and_api_show_both_counts(app, world, client):
    pid = world.petition("open")  # 5 supporters signed at IIN level (conftest)
    for _ in range(2):
        world.sign(pid, world.user(level=AssuranceLevel.VERIFIED_BY_EDS))
    world.sign(pid, world.user(level=AssuranceLevel.VERIFIED_IN_PERSON))
    page = client.get(f"/petitions/{pid}").get_data(as_text=True)
    assert "of them 2 verified by digital signature" in page
    data = client.get(f"/api/v1/petitions/{pid}").get_json()
    assert data["signature_count"] == world.count(pid)
    assert data["signatures_verified_by_eds"] == 2
    assert data["signatures_verified_in_person_or_eds"] == 3
    assert data["threshold_level"] == 2
    listing = client.get("/api/v1/petitions").get_json()["data"]
    assert next(p for p in listing if p["id"] == pid)["signatures_verified_by_eds"] == 2
    csv_text = client.get("/api/v1/petitions.csv").get_data(as_text=True)
    assert "signatures_verified_by_eds" in csv_text.splitlines()[0]


def test_only_the_chosen_level_counts_toward_the_thresholds(app, world, client, auth, make_user):
    pid = world.petition("open")
    world.set_thresholds(pid, response=3, hearing=100)
    admin = make_user(roles=["admin"])
    auth.login(admin)
    assert client.post(f"/petitions/{pid}/threshold-level", data={"threshold_level": "4"}).status_code == 303
    world.tally(pid)
    assert world.get(pid).response_threshold_reached_at is None  # 5 IIN-level signatures do not count now
    for _ in range(3):
        world.sign(pid, world.user(level=AssuranceLevel.VERIFIED_BY_EDS))
    world.tally(pid)
    assert world.get(pid).response_threshold_reached_at is not None
    with app.app_context():
        assert db.session.get(Petition, pid).threshold_level == 4
        assert db.session.query(AuditEvent).filter_by(action="petitions.threshold_level").count() == 1


def test_a_resident_cannot_choose_the_threshold_level(world, client, auth):
    pid = world.petition("open")
    auth.login(world.user())
    assert client.post(f"/petitions/{pid}/threshold-level", data={"threshold_level": "2"}).status_code == 403
