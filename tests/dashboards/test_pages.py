"""The pages' content: public figures only and small bureau counts hidden on the accountability page, freshness
stated, CSV exports formula-safe, no writes on GET, the weekly digest and its opt-out."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from civic import db
from civic.dashboards import digest, models, tables
from civic.identity.models import StateBody
from tests.dashboards.conftest import NOW, case, days, petition, referral, run_refresh
from tests.test_no_writes_on_get import recorded_writes


@pytest.fixture
def scene(app, directory):
    with app.app_context():
        for _ in range(3):
            c = case(directory, "KZ-VOS-GLU-BOB", NOW - days(20))
            referral(directory, c, "KZ-VOS.ENERGY", NOW - days(20), state="sent", due_at=NOW - days(2))
        for _ in range(6):
            petition(
                directory, "KZ-VOS-GLU-BOB", NOW - days(3), body="KZ-VOS-GLU.AKIMAT", response_due_at=NOW - days(1)
            )
        db.session.commit()
    assert run_refresh(app) == ""


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_accountability_hides_small_bureau_counts_but_not_petitions(app, client, scene):
    page = client.get("/dashboards/accountability?t=KZ-VOS").get_data(as_text=True)
    assert "fewer than 5" in page  # 3 overdue referrals
    assert "Figures as of" in page
    rows = _rows(client.get("/dashboards/accountability.csv?t=KZ-VOS&table=appeals-territories").get_data(as_text=True))
    header, oblast = rows[0], rows[1]
    overdue = header.index("Not answered, overdue")
    assert oblast[overdue] == "<5"
    rows = _rows(
        client.get("/dashboards/accountability.csv?t=KZ-VOS&table=petitions-territories").get_data(as_text=True)
    )
    assert rows[1][rows[0].index("Not answered, overdue")] == "6"
    assert rows[-1][0] == "Figures computed at"


def test_staff_dashboard_shows_exact_counts_and_the_freshness(app, client, auth, make_user, scene):
    auth.login(make_user(roles=[("official", None, "KZ-VOS.AKIMAT")]))
    page = client.get("/dashboards/?t=KZ-VOS-GLU").get_data(as_text=True)
    assert "Figures computed by the database at" in page
    assert "fewer than 5" not in page  # staff see the exact figures
    rows = _rows(client.get("/dashboards/export.csv?t=KZ-VOS&table=bureau-compare").get_data(as_text=True))
    assert rows[1][0]
    assert rows[1][rows[0].index("Referrals overdue")] == "3"


def test_csv_cells_cannot_run_as_formulas():
    table = tables.Table("t", "T", ["=SUM(A1)"], [tables.Row("=HYPERLINK(1)", [tables.Cell(-3)])])
    rows = _rows(tables.csv_text(table, "+name"))
    assert rows[0] == ["'+name", "'=SUM(A1)"]
    assert rows[1] == ["'=HYPERLINK(1)", "'-3"]


def test_dashboard_pages_write_nothing(app, client, auth, make_user, scene):
    auth.login(make_user(roles=["admin"]))
    urls = [
        "/dashboards/",
        "/dashboards/?t=KZ-VOS-GLU-BOB&period=week",
        "/dashboards/export.csv?t=KZ-VOS&table=petitions-trend",
        "/dashboards/accountability",
        "/dashboards/accountability.csv?t=KZ&table=appeals-territories",
        "/account",
    ]
    with recorded_writes(app.extensions["civic_engine"]) as writes:
        for url in urls:
            assert client.get(url).status_code == 200, url
    assert writes == []


def test_pages_before_any_refresh_say_so(app, client, directory):
    page = client.get("/dashboards/accountability").get_data(as_text=True)
    assert "The figures have not been computed yet." in page


def _make_head(app, directory, make_user, body_code: str):
    head = make_user(roles=[("official", None, body_code)], display_name="Head")
    with app.app_context():
        db.session.get(StateBody, directory.bodies[body_code]).head_user_id = head.id
        db.session.commit()
    return head


def test_weekly_digest_tells_the_head_and_remembers(app, directory, make_user, outbox, scene):
    head = _make_head(app, directory, make_user, "KZ-VOS.ENERGY")
    with app.app_context(), db.transaction():
        assert digest.send_weekly_digests(now=NOW) == 1
    message = outbox()[-1]
    assert message["To"] == head.email
    text = message.get_content()
    assert "Referrals overdue: 3" in text
    assert "/dashboards/?t=KZ-VOS" in text
    with app.app_context():
        stored = db.session.get(models.DigestValue, (directory.bodies["KZ-VOS.ENERGY"], "bureau.referrals_overdue"))
        assert stored.value == 3
        stored.value = 1  # last week there was one
        db.session.commit()
    with app.app_context(), db.transaction():
        assert digest.send_weekly_digests(now=NOW) == 1
    assert "Referrals overdue: 3 (a week ago: 1)" in outbox()[-1].get_content()


def test_digest_opt_out_from_the_account_page(app, client, auth, directory, make_user, outbox, scene):
    head = _make_head(app, directory, make_user, "KZ-VOS.ENERGY")
    auth.login(head)
    page = client.get("/account").get_data(as_text=True)
    assert 'id="weekly-digest"' in page
    assert client.post("/dashboards/digest", data={}).status_code == 302  # unticked: opt out
    with app.app_context():
        assert db.session.get(models.DigestOptOut, head.id) is not None
    with app.app_context(), db.transaction():
        assert digest.send_weekly_digests(now=NOW) == 0
    assert client.post("/dashboards/digest", data={"receive": "y"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(models.DigestOptOut)) is None


def test_account_page_has_no_digest_for_people_heading_no_body(app, client, auth, make_user, directory):
    auth.login(make_user())
    assert 'id="weekly-digest"' not in client.get("/account").get_data(as_text=True)


def test_flask_commands(app, runner, directory, scene):
    result = runner.invoke(args=["dashboards", "refresh"])
    assert result.exit_code == 0, result.output
    assert "figures in" in result.output
    result = runner.invoke(args=["dashboards", "weekly-digest"])
    assert result.exit_code == 0, result.output
    assert "digests sent" in result.output
