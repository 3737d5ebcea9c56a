"""Initiative pages through the client: starting from a template, the workspace, step moves without their record,
CSV upload (a report of rejected rows, nothing imported), the indicator page, following, weak spots."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from civic import db
from civic.initiatives.models import Initiative, Value
from tests.initiatives.conftest import CSV_HEADER, territory


def _upload(client, initiative_id, content: str):
    return client.post(
        f"/initiatives/{initiative_id}/upload",
        data={"file": (io.BytesIO(content.encode()), "values.csv")},
        content_type="multipart/form-data",
    )


def test_start_from_template_and_work_in_the_workspace(app, client, auth, cast):
    with app.app_context():
        from civic.initiatives import services

        services.load_templates()
        db.session.commit()
        vos = territory("KZ-VOS").id
    auth.login(cast.owner)
    page = client.get("/initiatives/new?template=17")
    assert page.status_code == 200
    assert "Kindergarten places" in page.text
    response = client.post(
        "/initiatives/new?template=17",
        data={
            "title": "Kindergarten places",
            "territory": vos,
            "body": 0,
            "sector": "education",
            "horizon_years": 5,
            "is_public": "y",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        initiative_id = db.session.scalar(select(Initiative.id))
    manage = client.get(f"/initiatives/{initiative_id}/manage")
    assert manage.status_code == 200
    assert "KG_QUEUE" in manage.text
    # a step move without its note
    assert client.post(f"/initiatives/{initiative_id}/advance", data={"note": ""}).status_code == 400
    assert client.post(f"/initiatives/{initiative_id}/advance", data={"note": "Data collected"}).status_code == 303
    # a bad CSV: a report of rejected rows, nothing imported
    bad = CSV_HEADER + "KG_QUEUE,KZ-VOS-GLU,2024,5,children\nKG_QUEUE,KZ-XX,2024,5,children\n"
    response = _upload(client, initiative_id, bad)
    assert response.status_code == 400
    assert "Unknown territory code" in response.text
    assert "Nothing was imported" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Value)) == 0
    good = CSV_HEADER + "KG_QUEUE,KZ-VOS-GLU,2024,50,children\nKG_QUEUE,KZ-VOS-ULA,2024,30,children\n"
    good += "KG_QUEUE,KZ-VOS-GLU,2025,40,children\nKG_QUEUE,KZ-VOS-ULA,2025,35,children\n"
    assert _upload(client, initiative_id, good).status_code == 303
    with app.app_context():
        indicator_id = db.session.scalar(select(func.min(Value.indicator_id)))
    page = client.get(f"/initiatives/{initiative_id}/indicators/{indicator_id}")
    assert page.status_code == 200
    assert 'class="tv-worst"' in page.text
    assert "<svg" in page.text
    assert "75" in page.text
    # Glubokoye (40 children waiting, lower is better) is the worst in 2025
    assert page.text.index("Glubokoye") < page.text.index("Ulan")
    # a form value with a bad territory answers 400
    response = client.post(
        f"/initiatives/{initiative_id}/indicators/{indicator_id}/values",
        data={
            f"value{indicator_id}-{k}": v
            for k, v in {"territory": "KZ-NOWHERE", "period": "2025", "value": "3"}.items()
        },
    )
    assert response.status_code == 400
    assert "Unknown territory code" in response.text
    response = client.post(
        f"/initiatives/{initiative_id}/indicators/{indicator_id}/values",
        data={
            f"value{indicator_id}-{k}": v
            for k, v in {"territory": "KZ-VOS-ULA", "period": "2025", "value": "abc"}.items()
        },
    )
    assert response.status_code == 400


def test_public_page_follow_and_hidden_drafts(app, client, auth, cast, initiatives):
    public = initiatives.make(with_values=True)
    hidden = initiatives.make(public=False)
    listing = client.get("/initiatives/")
    assert f"/initiatives/{public}" in listing.text
    assert f'/initiatives/{hidden}"' not in listing.text
    assert client.get(f"/initiatives/{hidden}").status_code == 404
    page = client.get(f"/initiatives/{public}")
    assert page.status_code == 200
    assert "RURAL_KG" in page.text
    auth.login(cast.resident)
    assert client.post(f"/initiatives/{public}/subscribe").status_code == 303
    assert "Stop following" in client.get(f"/initiatives/{public}").text
    assert client.post(f"/initiatives/{hidden}/subscribe").status_code == 404


def test_weak_spots_pages(app, client, auth, cast):
    with app.app_context():
        glu = territory("KZ-VOS-GLU").id
    auth.login(cast.district)
    assert client.get("/initiatives/weak-spots/new").status_code == 200
    response = client.post(
        "/initiatives/weak-spots/new",
        data={"territory": glu, "initiative": 0, "weak_spots": "Queues", "proposals": "Two groups"},
    )
    assert response.status_code == 303
    assert (
        client.post(
            "/initiatives/weak-spots/new", data={"territory": glu, "initiative": 0, "weak_spots": ""}
        ).status_code
        == 400
    )
    auth.login(cast.owner)
    page = client.get("/initiatives/weak-spots")
    assert "Queues" in page.text
    with app.app_context():
        from civic.initiatives.models import WeakSpot

        report_id = db.session.scalar(select(WeakSpot.id))
    assert client.post(f"/initiatives/weak-spots/{report_id}/answer", data={"answer": "Funded"}).status_code == 303
    auth.login(cast.other_official)
    assert client.post(f"/initiatives/weak-spots/{report_id}/answer", data={"answer": "x"}).status_code == 403


def test_home_feed_lists_public_initiatives_of_the_territory(app, client, cast, initiatives):
    shown = initiatives.make(step=2)
    hidden = initiatives.make(public=False)
    with app.app_context(), app.test_request_context():
        from civic.initiatives.home import initiatives_feed

        items = initiatives_feed(territory("KZ-VOS-GLU"), None, 10)
        assert [i.url for i in items] == [f"/initiatives/{shown}"]
        assert "2" in items[0].status
        assert initiatives_feed(territory("KZ-AST"), None, 10) == []
        assert f"/initiatives/{hidden}" not in [i.url for i in initiatives_feed(None, None, 10)]
