"""Files follow the transaction: a new upload is removed if its change does not commit, and a file the change stops
using is deleted only once it commits (``civic.core.uploads``)."""

from __future__ import annotations

from sqlalchemy import func, select

from civic import db
from civic.core.uploads import remove_after_commit, remove_unless_committed
from civic.identity.models import Category


def _touch(tmp_path, name: str):
    path = tmp_path / name
    path.write_bytes(b"data")
    return path


def _open_transaction() -> None:
    db.session.scalar(select(func.count()).select_from(Category))


def test_a_replaced_file_goes_only_when_the_change_commits(app, tmp_path):
    old = _touch(tmp_path, "old.csv")
    with app.app_context():
        _open_transaction()
        remove_after_commit(old)
        with db.session.begin_nested():
            pass
        assert old.exists()  # a savepoint's release is not the commit
        db.session.commit()
    assert not old.exists()


def test_a_rolled_back_change_keeps_the_file_it_would_have_replaced(app, tmp_path):
    old = _touch(tmp_path, "old.csv")
    with app.app_context():
        _open_transaction()
        remove_after_commit(old)
        db.session.rollback()
        db.session.commit()
    assert old.exists()


def test_a_new_upload_survives_a_savepoint_commit_but_not_the_outer_rollback(app, tmp_path):
    new = _touch(tmp_path, "new.csv")
    with app.app_context():
        _open_transaction()
        remove_unless_committed(new)
        with db.session.begin_nested():
            pass
        assert new.exists()
        db.session.rollback()
    assert not new.exists()
