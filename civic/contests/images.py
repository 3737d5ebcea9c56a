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
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from civic.core.errors import DomainError
from civic.core.uploads import UploadFolder, read_limited

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


FOLDER = UploadFolder("CONTESTS_UPLOAD_DIR", "contests")


def upload_dir() -> Path:
    return FOLDER.path()


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
    encoded, kind, width, height = reencode(read_limited(upload, MAX_BYTES))
    content_type, extension = FORMATS[kind]
    stored_name = FOLDER.write(encoded, extension)
    return StoredImage(stored_name, content_type, width, height, len(encoded))


def path_of(stored_name: str) -> Path:
    return FOLDER.path_of(stored_name)


def delete(stored_name: str) -> None:
    FOLDER.delete(stored_name)
