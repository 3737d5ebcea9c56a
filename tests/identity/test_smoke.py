from civic.identity.models import AssuranceLevel


def test_home_page_is_kazakh_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'<html lang="kk">' in response.data


def test_register_then_verify_by_outbox_link(client, outbox, app):
    response = client.post(
        "/register",
        data={
            "email": "Aigerim@Example.kz",
            "display_name": "Aigerim",
            "password": "a long pass phrase",
            "confirm": "a long pass phrase",
            "home_territory": "0",
            "locale": "en",
        },
    )
    assert response.status_code == 302
    messages = outbox()
    assert len(messages) == 1
    assert messages[0]["To"] == "aigerim@example.kz"
    link = next(line for line in messages[0].get_content().splitlines() if "/verify/" in line)
    page = client.get(link.replace("http://localhost", ""), follow_redirects=True)  # the token leaves the URL
    assert page.status_code == 200  # a page with a button: the GET itself confirms nothing
    response = client.post(link.replace("http://localhost", ""))
    assert response.status_code == 302
    from civic import db
    from civic.identity.services import find_user_by_email

    with app.app_context():
        user = find_user_by_email("aigerim@example.kz")
        assert user.assurance_level == AssuranceLevel.EMAIL_VERIFIED
        assert db.session.get(type(user), user.id).email_verified_at is not None


def test_make_user_and_login(client, make_user, auth):
    user = make_user(roles=["admin"])
    auth.login(user)
    assert client.get("/admin/users").status_code == 200
