"""Uploaded files kept on disk: one folder per use outside ``static/``, random names, reads bounded in size, and
files written by a request whose transaction does not commit removed again.

Modules validate what they accept (the bureau sniffs document types, contests re-encode images, hackathons check
dataset suffixes) and store through an ``UploadFolder``:

    FOLDER = UploadFolder("BUREAU_UPLOAD_DIR", "bureau")
    data = read_limited(upload, MAX_BYTES)        # at most MAX_BYTES + 1 bytes: "too large" is then detectable
    name = FOLDER.write(data, ".pdf")             # random name; removed if the transaction rolls back
    FOLDER.path_of(name), FOLDER.delete(name)
"""

from __future__ import annotations

import logging
import secrets
import unicodedata
from pathlib import Path

from flask import current_app
from sqlalchemy import event

from civic import db

log = logging.getLogger(__name__)

_SESSION_KEY = "core_uploaded_files"
_AFTER_COMMIT_KEY = "core_files_to_delete"
_hooks_installed = False


class UploadFolder:
    """A folder of uploaded files: ``config_key`` names it in the app config, else ``<instance>/uploads/<default>``
    (with an optional ``sub`` folder inside)."""

    def __init__(self, config_key: str, default: str, sub: str | None = None):
        self.config_key, self.default, self.sub = config_key, default, sub

    def path(self) -> Path:
        configured = current_app.config.get(self.config_key)
        folder = Path(configured) if configured else Path(current_app.instance_path) / "uploads" / self.default
        if self.sub:
            folder = folder / self.sub
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def write(self, data: bytes, extension: str) -> str:
        """Store ``data`` under a new random name (with ``extension``); the file goes if the transaction does not
        commit. Returns the stored name."""
        stored_name = secrets.token_hex(16) + extension
        path = self.path() / stored_name
        path.write_bytes(data)
        remove_unless_committed(path)
        return stored_name

    def path_of(self, stored_name: str) -> Path:
        """The file's path; ValueError for a name that would leave the folder."""
        folder = self.path().resolve()
        path = (folder / stored_name).resolve()
        if path.parent != folder:
            raise ValueError("file outside the upload folder")
        return path

    def delete(self, stored_name: str) -> None:
        try:
            self.path_of(stored_name).unlink(missing_ok=True)
        except (OSError, ValueError):
            log.exception("could not delete an uploaded file")

    def delete_after_commit(self, stored_name: str) -> None:
        """Delete a file the current change stops using, once that change commits: a rollback keeps it, so a row
        never points to a missing file."""
        try:
            remove_after_commit(self.path_of(stored_name))
        except ValueError:
            log.exception("could not delete an uploaded file")


def read_limited(upload, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes of an upload (a werkzeug FileStorage): more than ``max_bytes`` means too big."""
    return upload.stream.read(max_bytes + 1)


def clean_name(name: str | None, extension: str) -> str:
    """A display name safe for a Content-Disposition header: no path, no control characters, bounded length."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C").strip()
    stem = base.rsplit(".", 1)[0][:120].strip(" .") or "file"
    return stem + extension


def remove_unless_committed(path: Path) -> None:
    """Delete ``path`` when the session's outermost transaction ends without a commit."""
    _install_hooks()
    db.session.info.setdefault(_SESSION_KEY, []).append(path)


def remove_after_commit(path: Path) -> None:
    """Delete ``path`` once the session's outermost transaction commits (kept when it does not)."""
    _install_hooks()
    db.session.info.setdefault(_AFTER_COMMIT_KEY, []).append(path)


def _install_hooks() -> None:
    global _hooks_installed
    if _hooks_installed:
        return

    @event.listens_for(db.session, "after_commit")
    def _keep(sess):
        if sess.in_nested_transaction():  # a savepoint's commit is not the one that makes the change stick
            return
        sess.info.pop(_SESSION_KEY, None)
        for path in sess.info.pop(_AFTER_COMMIT_KEY, []):
            try:
                path.unlink(missing_ok=True)
            except OSError:
                log.exception("could not delete an uploaded file")

    # Any other end of the outermost transaction (rollback, or a session closed without commit) drops the new files
    # and keeps the ones the change would have deleted.
    @event.listens_for(db.session, "after_transaction_end")
    def _discard(sess, transaction):
        if transaction.parent is None:
            sess.info.pop(_AFTER_COMMIT_KEY, None)
            for path in sess.info.pop(_SESSION_KEY, []):
                path.unlink(missing_ok=True)

    _hooks_installed = True
