"""Attachment files: checked by their first bytes and size, stored under random names outside ``static/``.

Files live in ``BUREAU_UPLOAD_DIR`` (default: ``<instance>/uploads/bureau``). A file written during a request whose
transaction rolls back is removed again, so a failed action leaves neither a row nor a file behind. The folder,
random names and the rollback hooks are ``civic.core.uploads`` (shared with contest images and hackathon datasets);
what the bureau accepts (documents recognised by their first bytes) is decided here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l

from civic.core.errors import DomainError
from civic.core.uploads import UploadFolder, clean_name, read_limited

__all__ = [
    "FOLDER",
    "MAX_FILE_BYTES",
    "MAX_FILES_PER_UPLOAD",
    "SIGNATURES",
    "StoredFile",
    "UploadRejected",
    "clean_name",
    "delete",
    "path_of",
    "sniff",
    "store",
    "upload_dir",
]

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


FOLDER = UploadFolder("BUREAU_UPLOAD_DIR", "bureau")


def upload_dir() -> Path:
    return FOLDER.path()


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) for an accepted file's first bytes, else None."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def store(upload) -> StoredFile:
    """Validate and store one uploaded file (a werkzeug FileStorage); raise UploadRejected with a clear message."""
    data = read_limited(upload, MAX_FILE_BYTES)
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
    stored_name = FOLDER.write(data, extension)
    return StoredFile(
        stored_name, clean_name(name, extension), content_type, len(data), hashlib.sha256(data).hexdigest()
    )


def path_of(stored_name: str) -> Path:
    return FOLDER.path_of(stored_name)


def delete(stored_name: str) -> None:
    FOLDER.delete(stored_name)
