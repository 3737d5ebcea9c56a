"""Contests link to another module's object through the link registry (issue 9: petitions, bureau trends,
initiatives): the link is checked against what the organiser may see, stored, shown on the contest page, and the
contest shows up among the object's related items for those who may see the contest."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from civic import db
from civic.contests import jury, services
from civic.contests.models import Contest
from civic.core import links
from civic.core.errors import DomainError
from civic.petitions.models import Petition
from tests.contests.conftest import user


def _petition(app, directory, public: bool = True) -> int:
    with app.app_context():
        petition = Petition(
            title="Light the courtyards",
            text="Text",
            territory_id=directory.territories["KZ-ALA"],
            category_id=next(iter(directory.categories.values())),
            supporter_token="tok-links",
            state="open" if public else "draft",
        )
        db.session.add(petition)
        db.session.commit()
        return petition.id


def test_the_link_field_offers_every_registered_type_but_contests(app, contests):
    with app.test_request_context():
        from civic.contests.forms import ContestForm

        names = [name for name, _label in ContestForm().link_type.choices]
    assert names[0] == ""
    assert "initiative" in names
    assert "petition" in names
    assert "contest" not in names


def test_a_contest_links_to_a_visible_object_and_shows_up_as_related(app, cast, contests, directory):
    petition_id = _petition(app, directory)
    with app.test_request_context():
        organiser = user(cast.organiser)
        contest = services.create_contest(organiser, contests.data(link_type="petition", link_id=petition_id))
        db.session.commit()
        assert (contest.linked_object_type, contest.linked_object_id) == ("petition", petition_id)
        # a draft: its organiser sees it related to the petition, a resident does not
        assert [link.title for link in links.related("petition", petition_id, organiser)] == [contest.title]
        assert links.related("petition", petition_id, user(cast.resident)) == []
        jury.add_criterion(contest.competition, organiser, "Impact", "", 1, 1, 10)
        services.publish_contest(contest, organiser)
        db.session.commit()
        related = links.related("petition", petition_id, user(cast.resident))
        assert [(link.type, link.id) for link in related] == [("contest", contest.id)]
        assert related[0].url == f"/contests/{contest.id}"


@pytest.mark.parametrize(
    ("link_type", "link_id", "field"),
    [
        ("nonsense", 1, "link_type"),
        ("contest", 1, "link_type"),
        ("petition", 99999, "link_id"),
        ("petition", None, "link_id"),
    ],
)
def test_a_bad_link_is_refused_and_nothing_is_written(app, cast, contests, link_type, link_id, field):
    with app.test_request_context():
        with pytest.raises(DomainError) as caught:
            services.create_contest(user(cast.organiser), contests.data(link_type=link_type, link_id=link_id))
        assert caught.value.field == field
        db.session.rollback()
        assert db.session.scalar(select(Contest)) is None


def test_a_hidden_object_cannot_be_linked(app, cast, contests, directory):
    petition_id = _petition(app, directory, public=False)  # a draft petition: only its author sees it
    with app.test_request_context(), pytest.raises(DomainError):
        services.create_contest(user(cast.organiser), contests.data(link_type="petition", link_id=petition_id))


def test_editing_keeps_an_unchanged_link_and_can_clear_it(app, cast, contests, directory):
    petition_id = _petition(app, directory)
    contest_id = contests.make(link_type="petition", link_id=petition_id)
    with app.test_request_context():
        contest = db.session.get(Contest, contest_id)
        services.update_contest(contest, user(cast.organiser), contests.data(link_type="petition", link_id=petition_id))
        assert contest.linked_object_id == petition_id
        services.update_contest(contest, user(cast.organiser), contests.data(link_type=None, link_id=7))
        assert (contest.linked_object_type, contest.linked_object_id) == (None, None)


def test_the_contest_page_names_what_it_is_linked_to(app, client, cast, contests, directory):
    petition_id = _petition(app, directory)
    contest_id = contests.make(link_type="petition", link_id=petition_id)
    page = client.get(f"/contests/{contest_id}").get_data(as_text=True)
    assert "Linked to:" in page
    assert f'href="/petitions/{petition_id}"' in page
    assert "Light the courtyards" in page
