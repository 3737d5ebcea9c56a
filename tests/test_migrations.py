"""The schema comes only from Alembic: an empty database upgrades to head, and models match migrations."""

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from civic.cli import alembic_config
from civic.db import Base, import_all_models


def test_history_is_linear_with_one_head(app):
    with app.app_context():
        script = ScriptDirectory.from_config(alembic_config())
        assert len(script.get_heads()) == 1, script.get_heads()
        assert len(script.get_bases()) == 1


def test_upgrade_empty_database_then_check_finds_no_difference(app, tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    with app.app_context():
        cfg = alembic_config()
        cfg.attributes.update(database_url=url, skip_logging=True)
        command.upgrade(cfg, "head")
        command.check(cfg)  # raises if autogenerate would find any difference
    engine = create_engine(url)
    import_all_models()
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_downgrade_to_base_and_up_again(app, tmp_path):
    url = f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
    with app.app_context():
        cfg = alembic_config()
        cfg.attributes.update(database_url=url, skip_logging=True)
        command.upgrade(cfg, "head")
        command.downgrade(cfg, "base")
        engine = create_engine(url)
        with engine.connect() as conn:
            left = [r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))]
        engine.dispose()
        assert set(left) <= {"alembic_version"}
        command.upgrade(cfg, "head")


def test_check_on_the_test_database(app):
    """The suite's own database (SQLite or PostgreSQL) matches the models too."""
    with app.app_context():
        cfg = alembic_config()
        cfg.attributes["skip_logging"] = True
        try:
            command.check(cfg)
        except Exception as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"models and migrations differ: {exc}")
