"""After sign-in: staff land on their work, residents on what they follow, a safe ``next`` wins; the language a
visitor chose before signing in is kept over the profile's, and the page offers to save it."""

import pytest

from civic import db
from civic.core.i18n import LANGUAGE_COOKIE
from civic.identity.models import User
from civic.petitions import services


def _sign_in(client, user, next_path=None):
    from tests.factories import DEFAULT_PASSWORD

    url = "/login" if next_path is None else f"/login?next={next_path}"
    response = client.post(url, data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return response.headers["Location"]


@pytest.mark.parametrize(
    ("roles", "landing"),
    [
        (["admin"], "/admin/"),
        ([("moderator", "KZ-ALA")], "/petitions/moderation"),
        ([("official", None, "KZ-ALA.AKIMAT")], "/petitions/awaiting-response"),
        ([("inspector", None, "KZ-ALA.AKIMAT")], "/bureau/inspection"),
        ([("bureau_consultant", "KZ-ALA")], "/bureau/queue"),
        ([("council_member", "KZ-ALA")], "/delphi/"),
        ([], "/account"),  # a resident who follows nothing yet
    ],
)
def test_staff_land_on_their_work(client, make_user, directory, roles, landing):
    user = make_user(roles=roles)
    assert _sign_in(client, user) == landing


def test_residents_land_on_what_they_follow_and_a_safe_next_wins(client, app, make_user, directory):
    author, signer = make_user(home="KZ-ALA-ALM"), make_user(home="KZ-ALA-ALM")
    with app.app_context():
        territory = db.session.get(User, author.id).home_territory
        category = next(iter(services.rules.petition_categories()))
        services.create_draft(
            db.session.get(User, author.id),
            "Install a pedestrian crossing at Abay Avenue",
            "Children cross six lanes on their way to school every morning without any crossing.",
            territory,
            category,
            language="en",
        )
        db.session.commit()
    assert _sign_in(client, author) == "/petitions/mine"
    client.post("/logout", data={})
    assert _sign_in(client, signer) == "/account"
    client.post("/logout", data={})
    assert _sign_in(client, signer, next_path="/petitions/") == "/petitions/"
    client.post("/logout", data={})
    assert _sign_in(client, signer, next_path="//evil.example/") == "/account"  # not a local path: ignored


def test_a_language_chosen_before_signing_in_is_kept_and_can_be_saved(client, app, make_user):
    user = make_user(locale="kk")
    client.set_cookie(LANGUAGE_COOKIE, "en")
    _sign_in(client, user)
    page = client.get("/account").get_data(as_text=True)
    assert 'lang="en"' in page  # the visitor's choice, not the profile's Kazakh
    assert "data-language-offer" in page
    saved = client.post("/language", data={"language": "en", "next": "/account"})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).preferred_locale == "en"
    assert "data-language-offer" not in client.get("/account").get_data(as_text=True)


def test_no_offer_when_the_visitor_chose_the_profiles_language(client, make_user):
    user = make_user(locale="ru")
    client.set_cookie(LANGUAGE_COOKIE, "ru")
    _sign_in(client, user)
    page = client.get("/account").get_data(as_text=True)
    assert 'lang="ru"' in page
    assert "data-language-offer" not in page


def test_the_header_sign_in_link_comes_back_to_the_page_it_was_clicked_on(client, app, make_user, directory):
    page = client.get("/petitions/?sort=new").get_data(as_text=True)
    assert 'href="/login?next=/petitions/?sort%3Dnew"' in page
    assert 'href="/login?next=' not in client.get("/login").get_data(as_text=True)  # not back to the form itself
    resident = make_user(email="back@example.kz")
    assert _sign_in(client, resident, next_path="/petitions/?sort%3Dnew") == "/petitions/?sort=new"
