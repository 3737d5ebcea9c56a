"""Petitions on the home page, and the dates petition pages show: one format per language, no seconds."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

SECONDS = re.compile(r"\d{1,2}:\d{2}:\d{2}")


def _petition_in_astana(world) -> int:
    """An open petition in Astana: its author, supporters and moderator live or work there."""
    almaty = world.supporters, world.moderator
    world.supporters = [world.user(home="KZ-AST") for _ in range(len(almaty[0]))]
    world.moderator = world.make_user(roles=[("moderator", "KZ-AST")], home="KZ-AST")
    author = world.user(home="KZ-AST")
    petition_id = world.petition(title="Repair the Astana bus stop", territory="KZ-AST", author=author)
    world.supporters, world.moderator = almaty
    return petition_id


def test_home_shows_open_petitions_of_the_residents_territory(client, auth, world):
    here = world.petition(title="Light the Almaly park paths")
    elsewhere = _petition_in_astana(world)
    draft = world.draft(title="A draft nobody sees yet")
    auth.login(world.author)  # lives in Almaly district, Almaty

    html = client.get("/").text
    assert f'href="/petitions/{here}"' in html
    assert f'href="/petitions/{elsewhere}"' not in html
    assert f'href="/petitions/{draft}"' not in html

    everywhere = client.get("/?territory=0").text
    assert f'href="/petitions/{here}"' in everywhere
    assert f'href="/petitions/{elsewhere}"' in everywhere


def test_a_petition_of_the_whole_city_concerns_its_districts(client, directory, world):
    city = world.petition(title="More night buses in Almaty", territory="KZ-ALA")
    district = directory.territories["KZ-ALA-ALM"]
    assert f'href="/petitions/{city}"' in client.get(f"/?territory={district}").text


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_signing_deadline_has_no_seconds(client, world, language):
    petition_id = world.petition()
    html = client.get(f"/petitions/{petition_id}").text
    box = re.search(r"<(section|div|aside)[^>]*signing-box.*?</\1>", html, re.S).group(0)
    closes = world.get(petition_id).closes_at
    assert str(closes.year) in box
    assert not SECONDS.search(box)
    assert not SECONDS.search(re.sub(r"<[^>]*>", "", client.get("/").text))


def test_the_threshold_notice_gives_the_due_date_in_the_readers_language(app, world):
    from sqlalchemy import select, update

    from civic import db
    from civic.core.i18n import format_day
    from civic.identity.models import Notification, User

    petition_id = world.petition()
    with app.app_context():
        db.session.execute(update(User).where(User.id == world.author.id).values(preferred_locale="ru"))
        db.session.commit()
    world.set_thresholds(petition_id, response=1, hearing=100)
    world.sign(petition_id, world.user())
    world.tally(petition_id)

    due = world.get(petition_id).response_due_at
    with app.app_context():
        titles = db.session.scalars(select(Notification.title).where(Notification.user_id == world.author.id)).all()
        # the author reads Russian while the test reads English: render the expected date in Russian on purpose
        with app.test_request_context("/"), force_locale("ru"):
            expected = format_day(due)
    assert any(expected in title for title in titles), titles
    assert not any(re.search(r"\d{4}-\d{2}-\d{2}", title) for title in titles)
