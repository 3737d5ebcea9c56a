"""Backup and restore drill (runs on SQLite, and on PostgreSQL in the PostgreSQL pass): back up, write more,
restore, check the invariants (no orphan rows, counters equal their rows)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from civic import db
from civic.identity.models import User
from civic.ops import backup
from civic.petitions.models import Petition, PetitionSignature
from tests.petitions.conftest import residents, world  # noqa: F401  (fixtures)


def _counts(app, pid):
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(PetitionSignature)),
            db.session.get(Petition, pid).signature_count,
        )


@pytest.fixture
def pg_tools(app):
    if app.config["DATABASE_URL"].startswith("postgresql") and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")


def test_restore_drill(app, world, residents, runner, tmp_path, pg_tools):  # noqa: F811
    pid = world.petition("open")
    first = residents(3)
    for signer in first:
        world.sign(pid, signer)
    world.tally(pid)
    before = _counts(app, pid)
    assert before[1] == before[2] >= 3

    result = runner.invoke(args=["ops", "backup", "--to", str(tmp_path)])
    assert result.exit_code == 0, result.output
    backup_file = Path(result.output.strip().splitlines()[0])
    assert backup_file.is_file()
    assert backup_file.parent == tmp_path

    for signer in residents(2):  # written after the backup: gone after the restore
        world.sign(pid, signer)
    world.tally(pid)
    assert _counts(app, pid)[1:] == (before[1] + 2, before[2] + 2)

    result = runner.invoke(args=["ops", "restore", str(backup_file), "--yes"])
    assert result.exit_code == 0, result.output
    assert "invariants hold" in result.output
    assert _counts(app, pid) == before
    with app.app_context():
        assert backup.check_invariants(db.session) == []
    # the restored database serves: a signer from before the backup is still counted once
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(PetitionSignature.user_id == first[0].id)) == 1


def test_check_finds_a_counter_that_disagrees_with_its_rows(app, world, residents, runner):  # noqa: F811
    pid = world.petition("open")
    for signer in residents(2):
        world.sign(pid, signer)
    world.tally(pid)
    assert runner.invoke(args=["ops", "check"]).exit_code == 0
    with app.app_context():
        db.session.execute(
            update(Petition).where(Petition.id == pid).values(signature_count=Petition.signature_count + 7)
        )
        db.session.commit()
    result = runner.invoke(args=["ops", "check"])
    assert result.exit_code != 0
    assert f"petition {pid}: count" in result.output


def test_backups_are_pruned_to_the_newest(app, runner, tmp_path, pg_tools):
    for _ in range(3):
        assert runner.invoke(args=["ops", "backup", "--to", str(tmp_path), "--keep", "2"]).exit_code == 0
    assert len(list(tmp_path.iterdir())) == 2


def test_restore_refuses_a_missing_file(runner, tmp_path):
    result = runner.invoke(args=["ops", "restore", str(tmp_path / "nope.sqlite3"), "--yes"])
    assert result.exit_code != 0
    assert "does not exist" in result.output


def test_restore_refuses_a_corrupt_sqlite_file(app, runner, tmp_path):
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("SQLite only")
    bad = tmp_path / "civic-bad.sqlite3"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    result = runner.invoke(args=["ops", "restore", str(bad), "--yes"])
    assert result.exit_code != 0
