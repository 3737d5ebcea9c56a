"""304s from table change versions (civic.core.changes, docs/api.md "Caching"): answered without the database while
nothing a page read has changed; any committed write to one of its tables, however made, builds the page again."""

from __future__ import annotations

import contextlib
import socket

import pytest
from sqlalchemy import event, text, update

from civic import db
from civic.core import changes
from tests.core.test_open_data import published  # noqa: F401 (petitions with signatures)
from tests.petitions.conftest import residents, world  # noqa: F401

LIST = "/api/v1/categories?limit=3"


@pytest.fixture
def memory_store(app, monkeypatch):
    monkeypatch.setitem(app.config, "API_CHANGE_STORE", "memory")
    store = changes.tracker(app).store()
    store.clear()
    yield store
    store.clear()


@contextlib.contextmanager
def statements(app):
    """The SQL statements run by the app's engine inside the block."""
    seen: list[str] = []

    def note(conn, cursor, statement, *args):
        seen.append(statement)

    engine = app.extensions["civic_engine"]
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def conditional(client, url, etag, **headers):
    return client.get(url, headers={"If-None-Match": etag, **headers})


def rename_category(app, code="housing", name="Housing (renamed)"):
    from civic.identity.models import Category

    with app.app_context():
        category = db.session.query(Category).filter_by(code=code).one()
        category.name_en = name
        db.session.commit()


def test_written_and_read_tables_come_from_the_statement():
    known = frozenset({"petitions", "signatures", "territories", "categories"})
    assert changes.written_tables("INSERT INTO signatures (a) VALUES (?)", known) == {"signatures"}
    assert changes.written_tables('UPDATE "petitions" SET x=1 WHERE id IN (SELECT 1 FROM territories)', known) == {
        "petitions"
    }
    assert changes.written_tables("  delete from categories where id = 3", known) == {"categories"}
    assert changes.written_tables('TRUNCATE "petitions", "signatures" RESTART IDENTITY', known) == {
        "petitions",
        "signatures",
    }
    assert changes.written_tables("SELECT * FROM petitions FOR UPDATE", known) == set()
    sql = "SELECT p.id FROM petitions AS p JOIN territories ON 1=1 WHERE p.category_id IN (SELECT id FROM categories)"
    assert changes.read_tables(sql, known) == {"petitions", "territories", "categories"}


def test_an_unchanged_list_answers_304_without_the_database(app, client, directory, memory_store):
    first = client.get(LIST)
    assert first.status_code == 200
    with statements(app) as seen:
        again = conditional(client, LIST, first.headers["ETag"])
    assert again.status_code == 304
    assert seen == []
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == first.headers["Cache-Control"]
    # A stale ETag from the client is not matched: the page is built, and answers 200.
    assert conditional(client, LIST, '"something-else"').status_code == 200


def test_an_orm_change_builds_the_page_again_with_a_new_etag(app, client, directory, memory_store):
    first = client.get("/api/v1/categories")
    assert b"Housing (renamed)" not in first.data
    rename_category(app)
    changed = conditional(client, "/api/v1/categories", first.headers["ETag"])
    assert changed.status_code == 200
    assert b"Housing (renamed)" in changed.data
    assert changed.headers["ETag"] != first.headers["ETag"]
    with statements(app) as seen:
        assert conditional(client, "/api/v1/categories", changed.headers["ETag"]).status_code == 304
    assert seen == []


@pytest.mark.parametrize("how", ["orm-bulk", "text"])
def test_bulk_and_text_sql_writes_invalidate(app, client, directory, memory_store, how):
    from civic.identity.models import Category

    first = client.get("/api/v1/categories")
    with app.app_context():
        if how == "orm-bulk":
            db.session.execute(update(Category).where(Category.code == "housing").values(name_en="Bulk name"))
        else:
            db.session.execute(text("UPDATE categories SET name_en = 'Bulk name' WHERE code = 'housing'"))
        db.session.commit()
    changed = conditional(client, "/api/v1/categories", first.headers["ETag"])
    assert changed.status_code == 200
    assert b"Bulk name" in changed.data


def test_a_rolled_back_write_bumps_nothing(app, client, directory, memory_store):
    from civic.identity.models import Category

    first = client.get(LIST)
    before = memory_store.versions(["categories"])
    with app.app_context():
        db.session.execute(update(Category).values(name_en="Never committed"))
        db.session.rollback()
    assert memory_store.versions(["categories"]) == before
    with statements(app) as seen:
        assert conditional(client, LIST, first.headers["ETag"]).status_code == 304
    assert seen == []


def test_a_write_to_another_table_keeps_the_304(app, client, directory, memory_store, published):  # noqa: F811
    first = client.get(LIST)
    with app.app_context():
        db.session.execute(text("UPDATE petitions SET title = title"))
        db.session.commit()
    with statements(app) as seen:
        assert conditional(client, LIST, first.headers["ETag"]).status_code == 304
    assert seen == []


def test_a_signature_through_the_service_invalidates_the_petitions_list(
    app,
    client,
    memory_store,
    published,  # noqa: F811
    world,  # noqa: F811
    residents,  # noqa: F811
):
    first = client.get("/api/v1/petitions")
    assert first.status_code == 200
    with statements(app) as seen:
        assert conditional(client, "/api/v1/petitions", first.headers["ETag"]).status_code == 304
    assert seen == []
    world.sign(published, residents(1)[0], ip="10.2.0.77")
    world.tally(published)
    changed = conditional(client, "/api/v1/petitions", first.headers["ETag"])
    assert changed.status_code == 200
    assert changed.headers["ETag"] != first.headers["ETag"]


def test_languages_do_not_share_entries(app, directory, memory_store):
    client = app.test_client()  # no language cookie: Accept-Language decides
    kazakh = client.get(LIST, headers={"Accept-Language": "kk"})
    with statements(app) as seen:
        russian = conditional(client, LIST, kazakh.headers["ETag"], **{"Accept-Language": "ru"})
    assert seen, "the Russian page has no entry of its own yet: it is built"
    assert russian.status_code == 304  # the same bytes (names come in every language), found by building the page
    assert sorted(key.split("|")[0] for key in memory_store.entries) == ["kk", "ru"]
    with statements(app) as seen:
        assert conditional(client, LIST, kazakh.headers["ETag"], **{"Accept-Language": "ru"}).status_code == 304
    assert seen == []


def test_csv_lists_answer_304_and_change_too(app, client, directory, memory_store):
    first = client.get("/api/v1/categories.csv")
    assert first.status_code == 200
    with statements(app) as seen:
        assert conditional(client, "/api/v1/categories.csv", first.headers["ETag"]).status_code == 304
    assert seen == []
    rename_category(app, name="CSV rename")
    changed = conditional(client, "/api/v1/categories.csv", first.headers["ETag"])
    assert changed.status_code == 200
    assert "CSV rename" in changed.data.decode("utf-8-sig")


def test_off_builds_every_page(app, client, directory, monkeypatch):
    monkeypatch.setitem(app.config, "API_CHANGE_STORE", "off")
    first = client.get(LIST)
    with statements(app) as seen:
        assert conditional(client, LIST, first.headers["ETag"]).status_code == 304
    assert seen, "without a store the page is built to compare its ETag"


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="Redis is not reachable at 127.0.0.1:6379")
def test_redis_store_is_shared_and_invalidated(app, client, directory, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/12")
    monkeypatch.setitem(app.config, "API_CHANGE_STORE", "redis")
    monkeypatch.setitem(app.config, "API_CHANGE_KEY_PREFIX", "civic-test:api:")
    store = changes.tracker(app).store()
    assert store.kind == "redis"
    store.clear()
    try:
        first = client.get(LIST)
        with statements(app) as seen:
            assert conditional(client, LIST, first.headers["ETag"]).status_code == 304
        assert seen == []
        # Another process (a second worker) sees the same entry and versions.
        other = changes.RedisStore("redis://127.0.0.1:6379/12", "civic-test:api:")
        assert other.versions(["categories"]) == store.versions(["categories"])
        rename_category(app, name="Redis rename")
        assert other.versions(["categories"]) != [0]
        changed = conditional(client, LIST, first.headers["ETag"])
        assert changed.status_code == 200
        assert b"Redis rename" in changed.data
    finally:
        store.clear()


def test_redis_down_falls_back_to_building_the_page(app, client, directory, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:9/0")  # nothing listens on the discard port
    monkeypatch.setitem(app.config, "API_CHANGE_STORE", "redis")
    first = client.get(LIST)
    assert first.status_code == 200
    assert conditional(client, LIST, first.headers["ETag"]).status_code == 304  # built and compared
    rename_category(app, name="Written while Redis is down")  # the write itself succeeds
    changed = conditional(client, LIST, first.headers["ETag"])
    assert changed.status_code == 200
    store = changes.tracker(app).store()
    assert "categories" in store._unsent  # retried when Redis answers again
    warnings = [r for r in caplog.records if r.name == "civic.changes" and r.levelname == "WARNING"]
    assert len(warnings) == 1


def test_a_build_reading_a_table_outside_its_snapshot_stores_no_entry(
    app, client, directory, memory_store, monkeypatch
):
    from civic.core import opendata

    # The endpoint was learnt as reading territories only: its snapshot misses categories, so no entry is kept.
    monkeypatch.setattr(opendata, "_endpoint_tables", {"directory_api.categories": ("territories",)})
    first = client.get(LIST)
    assert memory_store.entries == {}
    assert opendata._endpoint_tables["directory_api.categories"] == ("categories", "territories")
    with statements(app) as seen:
        assert conditional(client, LIST, first.headers["ETag"]).status_code == 304
    assert seen, "no entry yet: the page is built (and its entry stored now)"
    with statements(app) as seen:
        assert conditional(client, LIST, first.headers["ETag"]).status_code == 304
    assert seen == []
