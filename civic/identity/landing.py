"""Where a person lands after signing in: staff on their work, residents on what they follow.

Each module's ``views`` may declare ``LANDING_PAGES``: ``(rank, permission or None, target)`` triples, ``target``
an endpoint or a callable ``target(user) -> path or None`` (None: nothing to show this user, try the next). The
lowest rank whose permission the user holds anywhere wins; with none, the account page. Identity declares the
administrators' (rank 0); petitions the moderators' queue (10), the officials' answers due (20) and, for everyone,
the petitions a resident started or signed (100); the advice bureau and Delphi declare theirs.
"""

from __future__ import annotations

from flask import url_for

from civic.modules import collect


def landing_pages() -> list[tuple]:
    pages = [entry for declared in collect("views", "LANDING_PAGES") for entry in declared]
    return sorted(pages, key=lambda entry: entry[0])


def landing_for(user) -> str:
    """The path ``user`` should see first after signing in."""
    for _rank, permission, target in landing_pages():
        if permission is not None and not user.has_permission(permission):
            continue
        path = target(user) if callable(target) else url_for(target)
        if path:
            return path
    return url_for("identity.account")
