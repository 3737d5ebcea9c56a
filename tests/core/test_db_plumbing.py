"""The hot-path database helpers: ``db.Precompiled`` and ``db.statement_transaction`` (civic/db.py)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import Integer, bindparam, event, func, literal, select, text
from sqlalchemy.orm import aliased

from civic import db
from civic.db import AwareDateTime, utc_now
from civic.identity.models import Territory, UserSession
from tests import factories


def _statement():
    """Typed and untyped parameters, one used twice, literals, a LIKE with '%' (escaped for psycopg), a subquery."""
    parent = aliased(Territory)
    since = bindparam("since", type_=AwareDateTime())
    recent = (
        select(func.count())
        .select_from(UserSession)
        .where(UserSession.user_id == bindparam("user_id", type_=Integer), UserSession.last_seen_at > since)
        .scalar_subquery()
    )
    return (
        select(Territory.id, recent, literal("kept"))
        .join(parent, parent.id == bindparam("parent_id"))
        .where(Territory.path.startswith(parent.path), Territory.id != bindparam("parent_id"))
        .order_by(Territory.id)
    )


def _territory(code: str, parent: Territory | None = None) -> Territory:
    place = Territory(code=code, level="district", parent=parent, name_kk=code, name_ru=code, name_en=code)
    db.session.add(place)
    db.session.flush()
    place.path = f"{parent.path if parent else '/'}{place.id}/"
    return place


@pytest.fixture
def tree(app):
    person = factories.create_user(app, email="plumbing@example.kz")
    with app.app_context():
        region = _territory("T-REGION")
        district = _territory("T-DISTRICT", parent=region)
        other = _territory("T-OTHER")
        now = utc_now()
        db.session.add_all(
            [
                UserSession(user_id=person.id, token_hash="a" * 64, last_seen_at=now - timedelta(minutes=5)),
                UserSession(user_id=person.id, token_hash="b" * 64, last_seen_at=now - timedelta(days=3)),
            ]
        )
        db.session.commit()
        return {"region": region.id, "district": district.id, "other": other.id, "person": person.id}


def test_precompiled_statement_answers_as_sqlalchemy_does(app, tree):
    params = {"parent_id": tree["region"], "user_id": tree["person"], "since": utc_now() - timedelta(hours=1)}
    with app.app_context():
        connection = db.session.connection()
        expected = connection.execute(_statement(), params).all()
        prepared = db.Precompiled(_statement(), connection.dialect)
        got = prepared.execute(connection, params).all()
    assert [tuple(row) for row in got] == [tuple(row) for row in expected] == [(tree["district"], 1, "kept")]


def test_precompiled_statement_takes_new_values_each_time(app, tree):
    with app.app_context():
        connection = db.session.connection()
        prepared = db.Precompiled(_statement(), connection.dialect)
        long_ago = utc_now() - timedelta(days=7)
        counted = prepared.execute(
            connection, {"parent_id": tree["region"], "user_id": tree["person"], "since": long_ago}
        )
        assert [tuple(row) for row in counted] == [(tree["district"], 2, "kept")]
        nothing_below = prepared.execute(connection, {"parent_id": tree["other"], "user_id": 0, "since": long_ago})
        assert nothing_below.all() == []


def test_statement_transaction_commits_without_a_session(app, tree):
    with app.app_context():
        with db.statement_transaction() as connection:
            connection.execute(
                text("UPDATE territories SET name_en = 'Renamed' WHERE id = :id"), {"id": tree["district"]}
            )
        assert not db.session.registry.has()  # the request's session was never created
        assert db.session.get(Territory, tree["district"]).name_en == "Renamed"


def _rename_then_fail(territory_id: int) -> None:
    with db.statement_transaction() as connection:
        connection.execute(text("UPDATE territories SET name_en = 'Half-done' WHERE id = :id"), {"id": territory_id})
        raise RuntimeError("refused after the write")


def test_statement_transaction_rolls_back_on_an_error(app, tree):
    with app.app_context():
        with pytest.raises(RuntimeError, match="refused after the write"):
            _rename_then_fail(tree["district"])
        assert db.session.get(Territory, tree["district"]).name_en == "T-DISTRICT"


def test_statement_transaction_declares_its_write_intent_only_inside(app):
    with app.app_context():
        before = db.write_intent.get()
        with db.statement_transaction(immediate=True):
            assert db.write_intent.get() is True
        with db.statement_transaction():
            assert db.write_intent.get() is False
        assert db.write_intent.get() == before


def test_precompiled_statements_are_built_once_per_key(app, tree):
    built = []

    def build(dialect_name):
        built.append(dialect_name)
        return _statement()

    with app.app_context():
        connection = db.session.connection()
        first = db.precompiled(("plumbing-test", 1), connection, build)
        assert db.precompiled(("plumbing-test", 1), connection, build) is first
        assert db.precompiled(("plumbing-test", 2), connection, build) is not first
    assert built == [connection.dialect.name] * 2


@contextmanager
def transaction_ends(app):
    ends: list[str] = []
    engine = app.extensions["civic_engine"]
    listeners = [(name, lambda _conn, name=name: ends.append(name)) for name in ("commit", "rollback")]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield ends
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)


def test_end_reading_commits_a_read_and_rolls_back_pending_changes(app, tree):
    """psycopg drops a connection's prepared statements on ROLLBACK: a transaction that only read ends with COMMIT."""
    with app.app_context(), transaction_ends(app) as ends:
        db.end_reading()  # no session yet: nothing to end
        assert db.session.get(Territory, tree["district"]).name_en == "T-DISTRICT"
        db.end_reading()
        db.session.get(Territory, tree["district"]).name_en = "Not to be kept"
        db.end_reading()
        db.session.execute(text("UPDATE territories SET name_en = 'Nor this' WHERE id = :id"), {"id": tree["district"]})
        db.end_reading()  # a write the ORM does not see: the tracker does
        assert ends == ["commit", "rollback", "rollback"]
        assert db.session.get(Territory, tree["district"]).name_en == "T-DISTRICT"


def test_a_get_request_ends_its_read_with_commit(app, client, tree):
    with transaction_ends(app) as ends:
        assert client.get("/").status_code == 200
    assert ends == ["commit"] * len(ends)
    assert ends
