"""Links in mail: PUBLIC_BASE_URL when set; otherwise the address the request was served on (another PORT/HOST
works), and the configured default for mail sent outside a request (CLI, cron)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from civic.config import DEFAULT_PUBLIC_BASE_URL, finalise
from civic.core.http import public_url
from civic.core.mail import public_base_url


def _finalised(tmp_path: Path, **config) -> dict:
    config = {"SECURE_COOKIES": False, "SECRET_KEY": "x", "IIN_HMAC_KEY": "y", **config}
    finalise(config, tmp_path)
    return config


def test_unset_means_follow_the_request(tmp_path):
    config = _finalised(tmp_path, PUBLIC_BASE_URL=None)
    assert config["PUBLIC_BASE_URL_FROM_REQUEST"] is True
    assert config["PUBLIC_BASE_URL"] == DEFAULT_PUBLIC_BASE_URL
    config = _finalised(tmp_path, PUBLIC_BASE_URL="https://civic.example.kz")
    assert config["PUBLIC_BASE_URL_FROM_REQUEST"] is False
    assert config["PUBLIC_BASE_URL"] == "https://civic.example.kz"


@pytest.fixture
def unset_base_url(app, monkeypatch):
    """The test app as if PUBLIC_BASE_URL had not been set (the suite sets it to http://localhost)."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", DEFAULT_PUBLIC_BASE_URL)
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL_FROM_REQUEST", True)


@pytest.mark.usefixtures("unset_base_url")
def test_links_follow_the_served_address(app):
    with app.test_request_context("/", base_url="http://0.0.0.0:8123"):
        assert public_base_url() == "http://0.0.0.0:8123"
        assert public_url("identity.login") == "http://0.0.0.0:8123/login"
    with app.app_context():  # CLI, cron: no request to follow
        assert public_url("identity.login") == f"{DEFAULT_PUBLIC_BASE_URL}/login"


def test_a_set_base_url_wins_over_the_request(app):
    with app.test_request_context("/", base_url="http://0.0.0.0:8123"):
        assert public_url("identity.login") == "http://localhost/login"


@pytest.mark.usefixtures("unset_base_url")
def test_reset_mail_points_to_the_port_the_site_is_served_on(app, plain_client, make_user, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    make_user(email="port@example.kz")
    response = plain_client.post("/reset", data={"email": "port@example.kz"}, base_url="http://127.0.0.1:8123")
    assert response.status_code == 302
    body = outbox()[-1].get_content()
    assert re.search(r"http://127\.0\.0\.1:8123/reset/\S+", body), body
    assert ":5000" not in body
