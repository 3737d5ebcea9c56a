"""What the author and the moderator are told: the territory trap, the signing pace, the suggested body's reason."""

from datetime import timedelta

from sqlalchemy import select

from civic import db
from civic.db import utc_now
from civic.identity.models import Territory, User
from civic.petitions import outlook
from civic.petitions.models import Petition


def test_territory_check_warns_an_author_living_elsewhere_and_counts_eligible_residents(app, world, residents):
    residents(3)  # three more residents of Almaly; world has the author, five supporters and the moderator there
    with app.app_context():
        author = db.session.get(User, world.author.id)
        almaly = db.session.scalar(select(Territory).where(Territory.code == "KZ-ALA-ALM"))
        medeu = db.session.scalar(select(Territory).where(Territory.code == "KZ-ALA-MED"))
        home = outlook.territory_check(author, almaly)
        assert not home.lives_elsewhere
        assert home.residents == 9  # the author is not their own supporter
        assert not home.too_few_supporters
        away = outlook.territory_check(author, medeu)
        assert away.lives_elsewhere
        assert away.residents == 0
        assert away.too_few_supporters
        assert away.warns


def test_the_draft_page_shows_the_warning_to_its_author(client, auth, world):
    pid = world.draft(territory="KZ-ALA-MED")
    auth.login(world.author)
    page = client.get(f"/petitions/{pid}").get_data(as_text=True)
    assert "data-territory-warning" in page
    assert "You live in Almaly District" in page


def test_the_pace_warns_the_author_when_the_threshold_is_out_of_reach(app, client, auth, world):
    pid = world.petition("open", opened_at=utc_now() - timedelta(days=30))
    with app.app_context():
        petition = db.session.get(Petition, pid)
        slow = outlook.signing_pace(petition, 5, utc_now())  # 5 in 30 days, 60 days left, 500 needed
        assert slow.at_risk
        assert 14 <= slow.projected <= 16
        assert outlook.signing_pace(petition, 400, utc_now()).at_risk is False
        assert outlook.signing_pace(petition, 500, utc_now()) is None  # reached
    auth.login(world.author)
    assert "data-pace-at-risk" in client.get(f"/petitions/{pid}").get_data(as_text=True)
    auth.login(world.supporters[0])
    assert "data-pace-at-risk" not in client.get(f"/petitions/{pid}").get_data(as_text=True)


def test_the_suggested_body_says_why(app, world):
    pid = world.petition("awaiting_moderation", category="landscaping")
    with app.app_context():
        petition = db.session.get(Petition, pid)
        body, reason = outlook.suggested_body(petition)
        assert body is not None
        assert body.name in reason
        assert petition.category.name in reason


def test_officials_of_the_petition_see_no_residents_only_notice(client, auth, world):
    pid = world.petition("open")
    official = world.official_for(pid)
    with world.app.app_context():
        user = db.session.get(User, official.id)
        user.home_territory = db.session.scalar(select(Territory).where(Territory.code == "KZ-ALA-MED"))
        db.session.commit()
    auth.login(official)
    page = client.get(f"/petitions/{pid}").get_data(as_text=True)
    assert "data-eligibility" not in page
    assert "data-sign-form" not in page
    outsider = world.user(home="KZ-ALA-MED")
    auth.login(outsider)
    page = client.get(f"/petitions/{pid}").get_data(as_text=True)
    assert 'data-eligibility="no"' in page
    assert "Only residents of the petition" in page
