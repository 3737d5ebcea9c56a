"""Property-based fuzzing: random Unicode, huge and malformed values posted to every form (POST endpoints found in
the URL map, field names read from the pages that carry their forms) and sent to every API endpoint, as an
administrator over the demo data. No answer may be a 500."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from civic import db

#: Endpoints that would end the fuzzing session itself.
SKIP = {"identity.logout", "identity.delete_account", "identity.logout_others", "static"}
MALFORMED = [
    "",
    "0",
    "-1",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "null",
    "٣٤",
    "\x00",
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    "%00%ff",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    "2026-13-45T25:61",
    "a" * 70_000,
    "қазақ тілі " * 2_000,
]
values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(MALFORMED),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=3000),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


class FormParser(HTMLParser):
    """Collects (action, field names) of every POST form on a page."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, set[str]]] = []
        self._current: tuple[str, set[str]] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._current = (attrs.get("action") or "", set())
            self.forms.append(self._current)
        elif tag in ("input", "textarea", "select", "button") and self._current is not None and attrs.get("name"):
            self._current[1].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _url(app, rule, ids: dict) -> str | None:
    args = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):  # the app's bounded int converter included
            args[name] = ids.get(name, 1)
        else:
            args[name] = "x"
    with app.test_request_context():
        from flask import url_for

        try:
            return url_for(rule.endpoint, **args)
        except Exception:
            return None


@pytest.fixture
def demo_admin(app, client):
    from sqlalchemy import select

    from civic.demo import load_demo
    from civic.identity.models import User
    from tests.factories import session_ident

    with app.app_context():
        load_demo(seed=42, if_empty=False, echo=lambda *_a, **_k: None)
        db.session.commit()
        admin = db.session.scalar(select(User).where(User.email == "admin@demo.civic.kz"))
    user_id = session_ident(app, admin)  # a server-side session record, as a sign-in writes

    def login():
        with client.session_transaction() as sess:
            sess["_user_id"] = user_id
            sess["_fresh"] = True

    login()
    return login


def _field_names(app, client, login) -> dict[str, set[str]]:
    """Every POST form's field names by action path, read from every GET page (ids 1) the administrator can open."""
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIP or rule.rule.startswith("/api"):
            continue
        url = _url(app, rule, {})
        if url is None:
            continue
        login()
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        parser = FormParser()
        parser.feed(response.get_data(as_text=True))
        for action, names in parser.forms:
            found.setdefault(action or url, set()).update(names)
    return found


def test_no_form_or_api_endpoint_answers_500(app, client, demo_admin):
    forms = _field_names(app, client, demo_admin)
    failures: list[str] = []
    targets = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP:
            continue
        url = _url(app, rule, {})
        if url is None:
            continue
        if "POST" in rule.methods:
            names = (forms.get(url) or {"text", "title", "body", "name", "email", "value"}) - {"csrf_token"}
            targets.append(("POST", url, sorted(names)))
        elif rule.rule.startswith("/api"):
            targets.append(("GET", url, ["page", "per_page", "state", "territory", "category", "q", "sort", "lang"]))
    assert len([t for t in targets if t[0] == "POST"]) > 80  # the URL map was read, not an empty list

    def make_probe(method: str, url: str, names: list[str]):
        @settings(max_examples=3, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(data=st.fixed_dictionaries({name: values for name in names}))
        def probe(data):
            demo_admin()
            if method == "POST":
                response = client.post(url, data=data)
            else:
                response = client.get(url, query_string=data)
            if response.status_code >= 500:
                failures.append(f"{method} {url} {sorted(data)} -> {response.status_code}")
            db.session.remove()

        return probe

    for method, url, names in targets:
        make_probe(method, url, names)()
    assert not failures, "\n".join(sorted(set(failures))[:40])


def test_the_parser_reads_post_forms():
    parser = FormParser()
    parser.feed(
        '<form method="post" action="/a"><input name="x"><textarea name="y"></textarea></form>'
        '<form method="get" action="/b"><input name="z"></form>'
    )
    assert parser.forms == [("/a", {"x", "y"})]


def test_malformed_values_include_the_nasty_ones():
    assert any(len(v) > 65_535 for v in MALFORMED)
    assert any(re.search(r"[^\x00-\x7f]", v) for v in MALFORMED)
