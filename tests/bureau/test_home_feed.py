"""The home page lists a person's own open bureau cases, and nobody else's."""

from __future__ import annotations


def test_home_lists_only_the_clients_own_open_cases(client, auth, cast, cases):
    open_case = cases.make("in_progress")
    closed_case = cases.make("closed")

    auth.login(cast.client)
    html = client.get("/").text
    assert f'href="/bureau/cases/{open_case}"' in html
    assert f'href="/bureau/cases/{closed_case}"' not in html

    auth.login(cast.other_client)
    assert "/bureau/cases/" not in client.get("/").text

    auth.logout()
    assert "/bureau/cases/" not in client.get("/").text
