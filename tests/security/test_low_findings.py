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
