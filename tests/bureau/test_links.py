"""Cases in the link registry: staff working on a case see a link to it; the public and other users see nothing."""

from __future__ import annotations

from flask_login import AnonymousUserMixin

from civic import db
from civic.core import links
from civic.identity.models import User


def test_case_links_are_for_the_staff_working_on_it(app, cast, cases):
    case_id = cases.make("assigned")
    with app.test_request_context():
        supervisor = db.session.get(User, cast.supervisor.id)
        link = links.resolve("case", case_id, supervisor)
        assert link is not None
        assert link.url == f"/bureau/cases/{case_id}"
        assert link.title == f"CAB-{case_id:06d}"
        assert links.resolve("case", case_id, AnonymousUserMixin()) is None
        assert links.resolve("case", case_id, db.session.get(User, cast.resident.id)) is None
        assert links.resolve("case", case_id, db.session.get(User, cast.vos_consultant.id)) is None
        assert links.resolve("case", 999_999, supervisor) is None
