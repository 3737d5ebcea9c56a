"""Attachment files: checked by their first bytes and size, stored under random names outside ``static/``.

Files live in ``BUREAU_UPLOAD_DIR`` (default: ``<instance>/uploads/bureau``). A file written during a request whose
transaction rolls back is removed again, so a failed action leaves neither a row nor a file behind.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event

from civic import db
from civic.core.errors import DomainError

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES_PER_UPLOAD = 5
#: Accepted types, recognised by their leading bytes (never by the name or the browser's claim).
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


class UploadRejected(DomainError):
    status_code = 400


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str


def upload_dir() -> Path:
    configured = current_app.config.get("BUREAU_UPLOAD_DIR")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "uploads" / "bureau"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) for an accepted file's first bytes, else None."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def clean_name(name: str | None, extension: str) -> str:
    """A display name safe for a Content-Disposition header: no path, no control characters, bounded length."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C").strip()
    stem = base.rsplit(".", 1)[0][:120].strip(" .") or "file"
    return stem + extension


def store(upload) -> StoredFile:
    """Validate and store one uploaded file (a werkzeug FileStorage); raise UploadRejected with a clear message."""
    data = upload.stream.read(MAX_FILE_BYTES + 1)
    name = upload.filename or ""
    if not data:
        raise UploadRejected(_l("The file “%(name)s” is empty.", name=name), field="attachments")
    if len(data) > MAX_FILE_BYTES:
        raise UploadRejected(
            _l("The file “%(name)s” is larger than %(limit)s MB.", name=name, limit=MAX_FILE_BYTES // (1024 * 1024)),
            field="attachments",
        )
    kind = sniff(data[:16])
    if kind is None:
        raise UploadRejected(
            _l("The file “%(name)s” is not a PDF, PNG or JPEG document.", name=name), field="attachments"
        )
    content_type, extension = kind
    stored_name = secrets.token_hex(16) + extension
    path = upload_dir() / stored_name
    path.write_bytes(data)
    _remember_for_rollback(path)
    return StoredFile(
        stored_name, clean_name(name, extension), content_type, len(data), hashlib.sha256(data).hexdigest()
    )


def path_of(stored_name: str) -> Path:
    path = (upload_dir() / stored_name).resolve()
    if path.parent != upload_dir().resolve():
        raise ValueError("attachment outside the upload folder")
    return path


def delete(stored_name: str) -> None:
    try:
        path_of(stored_name).unlink(missing_ok=True)
    except (OSError, ValueError):
        log.exception("could not delete an attachment file")


_hooks_installed = False


def _remember_for_rollback(path: Path) -> None:
    _install_hooks()
    db.session.info.setdefault("bureau_new_files", []).append(path)


def _install_hooks() -> None:
    global _hooks_installed
    if _hooks_installed:
        return

    @event.listens_for(db.session, "after_commit")
    def _keep(sess):
        sess.info.pop("bureau_new_files", None)

    # Any other end of the outermost transaction (rollback, or a session closed without commit) drops the files.
    @event.listens_for(db.session, "after_transaction_end")
    def _discard(sess, transaction):
        if transaction.parent is None:
            for path in sess.info.pop("bureau_new_files", []):
                path.unlink(missing_ok=True)

    _hooks_installed = True
