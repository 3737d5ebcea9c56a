"""Finding 5 (low) of the security review: huge ids, CSV formulas, login lockout, tokens in URLs, re-triage."""

import pytest


@pytest.mark.parametrize(
    "path",
    [
        "/petitions/99999999999999999999",
        "/petitions/2147483648",
        "/api/v1/petitions/99999999999999999999",
        "/delphi/99999999999999999999",
        "/bureau/cases/99999999999999999999",
        "/contests/99999999999999999999",
    ],
)
def test_a_huge_id_in_a_url_is_404_everywhere(client, make_user, auth, path):
    auth.login(make_user(roles=["admin"]))
    assert client.get(path).status_code == 404


def test_every_int_route_uses_the_bounded_converter(app):
    from civic.core.http import BoundedIntConverter

    rules = [rule for rule in app.url_map.iter_rules() if rule._converters]
    assert rules
    for rule in rules:
        for converter in rule._converters.values():
            if converter.__class__.__name__.endswith("IntegerConverter") or isinstance(converter, BoundedIntConverter):
                assert isinstance(converter, BoundedIntConverter), rule.rule
                assert converter.max <= 2**31 - 1


def test_every_csv_export_uses_the_shared_writer():
    """One formula-safe CSV writer for the whole platform: no module writes CSV with the csv module itself
    (reading an upload with ``csv.reader``/``DictReader`` is fine)."""
    import re
    from pathlib import Path

    import civic

    root = Path(civic.__file__).parent
    uses_csv = re.compile(r"csv\.(writer|DictWriter)\(|from csv import .*\b(writer|DictWriter)\b")
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "csv_export.py" and uses_csv.search(path.read_text())
    ]
    assert offenders == []


def test_the_shared_writer_neutralises_formulas_and_keeps_numbers():
    from civic.core.csv_export import to_csv

    body = to_csv([["=1+1", "+7 701", "-x", "@SUM(A1)", "\tx", -0.5, 42, None, "Алматы"]])
    assert body.strip() == "'=1+1,'+7 701,'-x,'@SUM(A1),'\tx,-0.5,42,,Алматы"


def test_an_emailed_token_leaves_the_url_after_the_first_request(app, client, make_user):
    """Tokens in URLs reach access logs, proxies and Referer headers: the first GET moves the token into the
    session and redirects to a URL without it; the page and its form never show it."""
    from flask import url_for

    from civic.identity import tokens
    from tests.factories import DEFAULT_PASSWORD

    user = make_user(email="reset@example.test")
    with app.test_request_context():
        token = tokens.make_token(tokens.RESET_PASSWORD, user)
        assert url_for("identity.reset_password", token=token).endswith(token)
    first = client.get(f"/reset/{token}")
    assert first.status_code == 303
    assert token not in first.headers["Location"]
    page = client.get(first.headers["Location"])
    assert page.status_code == 200
    assert token not in page.get_data(as_text=True)
    done = client.post(
        first.headers["Location"], data={"password": "a new pass phrase", "confirm": "a new pass phrase"}
    )
    assert done.status_code == 302
    assert client.post("/login", data={"email": user.email, "password": "a new pass phrase"}).status_code == 302
    assert DEFAULT_PASSWORD != "a new pass phrase"


def test_a_placeholder_without_a_token_in_the_session_is_refused(client):
    assert client.get("/reset/-").status_code == 400
