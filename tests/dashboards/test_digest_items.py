"""Issue 12: the weekly digest lists each body's overdue items by title with a link (per module, through the
``OVERDUE_ITEMS`` each module declares in ``indicators.py``), not only counts; and the pages say clearly that a
change shows only after the next refresh."""

from __future__ import annotations

from civic import db
from civic.dashboards import digest
from civic.identity.models import StateBody
from tests.dashboards.conftest import NOW, case, days, petition, referral, run_refresh


def _head(app, directory, make_user, body_code: str):
    head = make_user(roles=[("official", None, body_code)], display_name="Head")
    with app.app_context():
        db.session.get(StateBody, directory.bodies[body_code]).head_user_id = head.id
        db.session.commit()
    return head


def test_every_module_declares_its_overdue_items(app):
    with app.app_context():
        keys = {spec["key"] for spec in digest.overdue_specs()}
    assert {"petitions.answers_overdue", "bureau.referrals_overdue", "councils.recommendations_overdue"} <= keys


def test_the_digest_lists_overdue_items_by_title_with_links(app, directory, make_user, outbox):
    with app.app_context():
        late = petition(
            directory, "KZ-VOS-GLU-BOB", NOW - days(20), body="KZ-VOS-GLU.AKIMAT", response_due_at=NOW - days(3)
        )
        late.title = "Repair the Bobrovka road"
        on_time = petition(
            directory, "KZ-VOS-GLU-BOB", NOW - days(2), body="KZ-VOS-GLU.AKIMAT", response_due_at=NOW + days(5)
        )
        on_time.title = "Not yet due"
        answered = petition(
            directory,
            "KZ-VOS-GLU-BOB",
            NOW - days(30),
            body="KZ-VOS-GLU.AKIMAT",
            response_due_at=NOW - days(10),
            responded_at=NOW - days(12),
        )
        answered.title = "Answered in time"
        c = case(directory, "KZ-VOS-GLU-BOB", NOW - days(20))
        r = referral(
            directory,
            c,
            "KZ-VOS-GLU.AKIMAT",
            NOW - days(20),
            state="sent",
            due_at=NOW - days(2),
        )
        r.summary = "Aigul Serikovna, flat 4, no heating"
        db.session.commit()
        late_id, referral_id = late.id, r.id
    assert run_refresh(app) == ""
    head = _head(app, directory, make_user, "KZ-VOS-GLU.AKIMAT")
    with app.app_context(), db.transaction():
        assert digest.send_weekly_digests(now=NOW) == 1
    message = outbox()[-1]
    assert message["To"] == head.email
    text = message.get_content()
    assert "Overdue items:" in text
    assert "Petitions with the answer overdue:" in text
    assert "Repair the Bobrovka road" in text
    assert f"/petitions/{late_id}" in text
    assert "Not yet due" not in text
    assert "Answered in time" not in text
    assert "Referrals with the answer overdue:" in text
    assert f"/bureau/referrals/{referral_id}" in text
    assert "Aigul" not in text  # a referral's summary may name the resident: only its number goes by email


def test_the_digest_lists_the_oldest_items_and_counts_the_rest(app, directory):
    with app.app_context():
        for k in range(digest.ITEMS_PER_KIND + 3):
            p = petition(
                directory, "KZ-VOS-GLU-BOB", NOW - days(30), body="KZ-VOS-GLU.AKIMAT", response_due_at=NOW - days(1 + k)
            )
            p.title = f"Petition {k}"
        db.session.commit()
        body_id = directory.bodies["KZ-VOS-GLU.AKIMAT"]
        found = digest.overdue_items([body_id], NOW)
        (group,) = [g for g in found[body_id] if g["key"] == "petitions.answers_overdue"]
        assert len(group["items"]) == digest.ITEMS_PER_KIND
        assert group["more"] == 3
        assert group["items"][0]["title"] == f"Petition {digest.ITEMS_PER_KIND + 2}"  # the longest overdue first
        assert digest.overdue_items([directory.bodies["KZ-VOS.ENERGY"]], NOW) == {}
        with app.test_request_context():
            lines = digest.overdue_lines(found[body_id])
        assert lines[-1].strip() == "and 3 more"


def test_the_pages_say_a_change_shows_after_the_next_refresh(app, client, auth, make_user, directory):
    assert run_refresh(app) == ""
    public = client.get("/dashboards/accountability?t=KZ-VOS").get_data(as_text=True)
    assert "appears in these figures only after the next refresh" in public
    auth.login(make_user(roles=[("official", None, "KZ-VOS.AKIMAT")]))
    staff = client.get("/dashboards/?t=KZ-VOS").get_data(as_text=True)
    assert "they are refreshed every 15 minutes" in staff
    assert "appears in these figures only after the next refresh" in staff
