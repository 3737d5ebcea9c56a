"""The stakeholder map through the client: public part without personal data, the team's scoring with a score
outside 1–5 refused, a move from group 3 to group 2 shown with its plan due."""

from __future__ import annotations

from sqlalchemy import select

from civic import db
from civic.stakeholders.models import MapEntry


def test_map_public_part_and_team_scoring(app, client, auth, cast, initiatives):
    initiative_id = initiatives.make()
    url = f"/stakeholders/initiative/{initiative_id}"
    assert client.get(url).status_code == 404  # no map yet
    auth.login(cast.owner)
    assert client.get(url).status_code == 200
    assert client.post(f"{url}/open").status_code == 303
    response = client.post(
        f"{url}/add",
        data={
            "name": "Parents' association",
            "kind": "ngo",
            "contact_name": "Aigul Seitova",
            "contact_email": "aigul@example.kz",
            "contact_phone": "+7 700 000 0000",
            "description": "",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        entry_id = db.session.scalar(select(MapEntry.id))
    bad = client.post(f"/stakeholders/entries/{entry_id}/score", data={"interest": 6, "influence": 2})
    assert bad.status_code == 400
    assert (
        client.post(f"/stakeholders/entries/{entry_id}/score", data={"interest": 2, "influence": 2}).status_code == 303
    )
    assert (
        client.post(f"/stakeholders/entries/{entry_id}/score", data={"interest": 5, "influence": 5}).status_code == 303
    )
    page = client.get(url)
    assert "Aigul Seitova" in page.text
    assert "plan due" in page.text
    assert "grid-move" in page.text
    assert 'data-group="2"' in page.text
    # the public sees the organisation and its group, not the contact person
    auth.logout()
    public = client.get(url)
    assert public.status_code == 200
    assert "Parents&#39; association" in public.text
    assert "Aigul" not in public.text
    assert "aigul@" not in public.text
    assert client.get(f"/initiatives/{initiative_id}").text.count(url) >= 1  # related link
    auth.login(cast.resident)
    assert (
        client.post(f"/stakeholders/entries/{entry_id}/score", data={"interest": 1, "influence": 1}).status_code == 403
    )
