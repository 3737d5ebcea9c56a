"""Entry images: up to 5 per entry, JPEG, PNG or WebP, checked and re-encoded on the server with Pillow.

Nothing of the uploaded file is kept as it came: the image is decoded (after checking its size and its pixel
count, so a small file that unpacks into a huge bitmap is refused before decoding), turned upright from its EXIF
orientation, shrunk to at most ``MAX_SIDE`` pixels, and saved again in its own format without EXIF, GPS, ICC or
any other metadata. Files live under random names in ``CONTESTS_UPLOAD_DIR`` (default
``<instance>/uploads/contests``), outside ``static/``; a file written by a request whose transaction rolls back is
removed again (the same hooks as the bureau's attachments).
"""

from __future__ import annotations

import io
import logging
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import event

from civic import db
from civic.core.errors import DomainError

log = logging.getLogger(__name__)

MAX_IMAGES = 5
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # e.g. 8000 × 5000: refused before decoding above this
MAX_SIDE = 2400  # stored images are shrunk to fit this box
FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "WEBP": ("image/webp", ".webp")}


class ImageRejected(DomainError):
    status_code = 400


@dataclass(frozen=True)
class StoredImage:
    stored_name: str
    content_type: str
    width: int
    height: int
    size: int


def upload_dir() -> Path:
    configured = current_app.config.get("CONTESTS_UPLOAD_DIR")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "uploads" / "contests"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def reencode(data: bytes) -> tuple[bytes, str, int, int]:
    """The image re-encoded without metadata: (bytes, Pillow format, width, height); ImageRejected if unusable."""
    if not data:
        raise ImageRejected(_l("The image file is empty."), field="image")
    if len(data) > MAX_BYTES:
        raise ImageRejected(_l("The image is larger than %(n)s MB.", n=MAX_BYTES // (1024 * 1024)), field="image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise ImageRejected(_l("Only JPEG, PNG and WebP images are accepted."), field="image")
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageRejected(
                    _l("The image has too many pixels (at most %(n)s megapixels).", n=MAX_PIXELS // 1_000_000),
                    field="image",
                )
            kind = image.format
            image.load()
    except ImageRejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning) as exc:
        raise ImageRejected(_l("This file is not a JPEG, PNG or WebP image we can read."), field="image") from exc
    image = ImageOps.exif_transpose(image)  # keep it upright once the orientation tag is gone
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if kind == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif kind == "PNG":
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(out, "WEBP", quality=85)
    return out.getvalue(), kind, image.width, image.height


def store(upload) -> StoredImage:
    """Check, re-encode and store one uploaded image (a werkzeug FileStorage)."""
    data = upload.stream.read(MAX_BYTES + 1)
    encoded, kind, width, height = reencode(data)
    content_type, extension = FORMATS[kind]
    stored_name = secrets.token_hex(16) + extension
    path = upload_dir() / stored_name
    path.write_bytes(encoded)
    _remember_for_rollback(path)
    return StoredImage(stored_name, content_type, width, height, len(encoded))


def path_of(stored_name: str) -> Path:
    folder = upload_dir().resolve()
    path = (folder / stored_name).resolve()
    if path.parent != folder:
        raise ValueError("image outside the upload folder")
    return path


def delete(stored_name: str) -> None:
    try:
        path_of(stored_name).unlink(missing_ok=True)
    except (OSError, ValueError):
        log.exception("could not delete an entry image")


_hooks_installed = False


def _remember_for_rollback(path: Path) -> None:
    _install_hooks()
    db.session.info.setdefault("contests_new_files", []).append(path)


def _install_hooks() -> None:
    global _hooks_installed
    if _hooks_installed:
        return

    @event.listens_for(db.session, "after_commit")
    def _keep(sess):
        sess.info.pop("contests_new_files", None)

    @event.listens_for(db.session, "after_transaction_end")
    def _discard(sess, transaction):
        if transaction.parent is None:
            for path in sess.info.pop("contests_new_files", []):
                path.unlink(missing_ok=True)

    _hooks_installed = True
