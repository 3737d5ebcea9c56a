"""The pages end to end through the test client: organiser workflow, answering, feedback, results, exports."""

from __future__ import annotations

from datetime import timedelta

from civic import db
from civic.db import utc_now
from civic.delphi import services
from civic.delphi.models import DelphiItem, DelphiStudy, RoundStatus
from tests.delphi.conftest import ITEMS, converging_values


def _deadline(days: int = 7) -> str:
    return (utc_now() + timedelta(days=days) + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")


def test_organiser_builds_and_runs_a_study_through_the_pages(app, client, auth, world):
    organiser, panel = world.organiser(), world.panel(6)
    auth.login(organiser)
    response = client.post(
        "/delphi/new",
        data={
            "base_language": "en",
            "title_en": "Kindergarten places",
            "context_en": "Almaty **queue**",
            "link_type": "petition",
            "link_id": "12",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        study_id = db.session.query(DelphiStudy.id).scalar()
    base = f"/delphi/{study_id}"
    assert (
        client.post(
            f"{base}/items/new/likert",
            data={"text_en": "Large families first", "scale_preset": "agreement5", "scale_points": "5"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"{base}/items/new/numeric",
            data={
                "text_en": "Places to add",
                "unit": "places",
                "min_value": "0",
                "max_value": "5000",
                "ratio_scale": "y",
                "scale_points": "5",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"{base}/items/new/ranking", data={"text_en": "Rank groups", "options_en": "A\nB\nC", "scale_points": "5"}
        ).status_code
        == 302
    )
    page = client.get(f"{base}/panel")
    assert page.status_code == 200
    response = client.post(f"{base}/panel/add", data={"user_ids": [str(u.id) for u in panel]})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.get(f"{base}/manage").status_code == 200
    assert client.get(f"{base}/configuration").status_code == 200
    response = client.post(f"{base}/rounds/open", data={"deadline": _deadline()})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        items = {i.code: i for i in db.session.query(DelphiItem).all()}
        q1, q2, q3 = items["Q1"].id, items["Q2"].id, items["Q3"].id
        options = items["Q3"].option_ids()
    for index, user in enumerate(panel):
        auth.login(user)
        assert client.get(f"{base}/rounds/1/answer").status_code == 200
        values = converging_values(index, 1)
        ranks = [1, 2, 3] if index % 2 else [2, 1, 3]
        data = {
            f"item-{q1}": values["Q1"],
            f"item-{q2}": values["Q2"],
            "action": "submit",
            **{f"item-{q3}-{oid}": str(r) for oid, r in zip(options, ranks, strict=True)},
        }
        response = client.post(f"{base}/rounds/1/answer", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    auth.login(organiser)
    assert client.post(f"{base}/rounds/1/close").status_code == 302
    assert client.get(f"{base}/rounds/1/justifications").status_code == 200
    assert client.get(f"{base}/rounds/1/feedback").status_code == 200
    assert client.post(f"{base}/rounds/1/publish").status_code == 302
    assert client.get(f"{base}/results").status_code == 200
    assert client.get(f"{base}/results/print").status_code == 200
    assert client.get(f"{base}/export/report.json").status_code == 200
    assert client.get(f"{base}/export/statistics.csv").status_code == 200
    auth.login(panel[0])
    page = client.get(f"{base}/rounds/1/feedback")
    assert page.status_code == 200
    assert b"highlight" in page.data
    assert client.get(f"{base}").status_code == 200
    assert client.get("/delphi/").status_code == 200
    with app.app_context():
        assert db.session.get(DelphiStudy, study_id).round(1).status == RoundStatus.PUBLISHED


def test_every_item_type_renders_in_feedback_results_and_exports(app, client, auth, world):
    organiser, panel = world.organiser(), world.panel(6)
    kinds = ("likert", "numeric", "yes_no", "ranking", "categorical")
    study_id = world.study(organiser, kinds=kinds, panel=panel)
    world.run(lambda s: services.add_item(s, world.actor(organiser), ITEMS["likert"]), study_id=study_id)  # Q6
    world.open(study_id, organiser)
    with app.app_context():
        ranking = db.session.query(DelphiItem).filter_by(code="Q4").one().option_ids()
        categorical = db.session.query(DelphiItem).filter_by(code="Q5").one().option_ids()
    for index, user in enumerate(panel):
        ranks = {oid: str((j + index) % len(ranking) + 1) for j, oid in enumerate(ranking)}
        world.answer(
            study_id,
            1,
            user,
            {
                "Q1": str(index % 3 + 3),
                "Q2": str(900 + 40 * index),
                "Q3": "yes",
                "Q4": ranks,
                "Q5": categorical[index % 2],
                "Q6": str(5 - index % 2),
            },
        )
    world.close(study_id, 1, organiser)
    world.publish(study_id, 1, organiser)
    with app.app_context():
        extras = db.session.get(DelphiStudy, study_id).round(1).extras
        assert extras["likert_w"]["1"]["likert5"]["m"] == 6  # Kendall's W across the two Likert items asked
        assert set(extras["rank_quartiles"]) == {f"Q4:{oid}" for oid in ranking}
    for user in (panel[0], organiser):
        auth.login(user)
        for path in (
            "/rounds/1/feedback",
            "/results",
            "/results/print",
            "/export/report.json",
            "/export/statistics.csv",
            "",
        ):
            response = client.get(f"/delphi/{study_id}{path}")
            assert response.status_code == 200, (user, path)
    auth.login(panel[0])
    feedback = client.get(f"/delphi/{study_id}/rounds/1/feedback").get_data(as_text=True)
    assert feedback.count("<svg") == 6
    assert 'class="own"' in feedback
    results = client.get(f"/delphi/{study_id}/results").get_data(as_text=True)
    assert "Likert items, 5-point scale" in results
    assert "Ranking Q4" in results
    csv_rows = client.get(f"/delphi/{study_id}/export/statistics.csv").get_data(as_text=True).splitlines()
    assert len(csv_rows) == 7
    assert all(row.endswith(",no") for row in csv_rows[1:])


def test_email_invitation_through_the_pages(app, client, auth, world, make_user, outbox):
    import re

    from civic.delphi.models import DelphiPanelist

    organiser = world.organiser()
    study_id = world.study(organiser)
    auth.login(organiser)
    response = client.post(f"/delphi/{study_id}/panel/invite", data={"email": "not-an-email"})
    assert response.status_code == 400
    assert client.post(f"/delphi/{study_id}/panel/invite", data={"email": "guest@example.com"}).status_code == 302
    link = re.search(r"/delphi/invitations/\S+", outbox()[-1].get_content()).group(0)
    auth.logout()
    page = client.get(link, follow_redirects=True)  # the token leaves the URL
    assert page.status_code == 200
    assert "/login?next=" in page.get_data(as_text=True)
    assert client.get("/delphi/invitations/forged-token", follow_redirects=True).status_code == 404
    guest = make_user(email="guest@example.com")
    auth.login(guest)
    response = client.post(link)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/delphi/{study_id}")
    with app.app_context():
        assert db.session.query(DelphiPanelist.user_id).scalar() == guest.id
    assert client.post(link).status_code == 409  # used once
