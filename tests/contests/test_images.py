"""Entry images: JPEG/PNG/WebP only, size and pixel limits, re-encoded without EXIF, at most five per entry."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from civic import db
from civic.contests.models import EntryImage, Phase


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path):
    previous = app.config.get("CONTESTS_UPLOAD_DIR")
    app.config["CONTESTS_UPLOAD_DIR"] = str(tmp_path / "contest-uploads")
    yield
    app.config["CONTESTS_UPLOAD_DIR"] = previous


def _jpeg_with_gps(size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90°
    exif[0x8825] = {2: (43.0, 15.0, 0.0)}  # GPS latitude
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _png(size=(32, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 0, 255, 128)).save(out, "PNG")
    return out.getvalue()


def _upload(client, cid, eid, data: bytes, name="photo.jpg"):
    return client.post(
        f"/contests/{cid}/entries/{eid}/images",
        data={"image": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(EntryImage))


def _entry(app, cast, contests):
    from civic.contests import services
    from civic.contests.models import Contest
    from tests.contests.conftest import user

    cid = contests.make(Phase.SUBMISSION)
    with app.app_context():
        entry = services.submit_entry(db.session.get(Contest, cid), user(cast.author), "Idea", "Text", [])
        db.session.commit()
        return cid, entry.id


def test_a_jpeg_is_reencoded_upright_without_exif(app, client, auth, cast, contests):
    cid, eid = _entry(app, cast, contests)
    auth.login(cast.author)
    assert _upload(client, cid, eid, _jpeg_with_gps()).status_code == 303
    with app.app_context():
        row = db.session.scalar(select(EntryImage))
        image_id, (width, height) = row.id, (row.width, row.height)
    assert (width, height) == (48, 64)  # turned upright by the orientation tag, which is then dropped
    response = client.get(f"/contests/images/{image_id}")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    stored = Image.open(io.BytesIO(response.data))
    assert dict(stored.getexif()) == {}
    assert b"PhoneMaker" not in response.data
    assert 'id="entry-images"' in client.get(f"/contests/{cid}/entries/{eid}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a" + b"\x00" * 40, "Only JPEG, PNG and WebP images are accepted."),
        (b"just some text, not an image", "not a JPEG, PNG or WebP image we can read"),
        (b"", "Choose an image file."),
    ],
)
def test_other_files_are_refused(app, client, auth, cast, contests, data, message):
    cid, eid = _entry(app, cast, contests)
    auth.login(cast.author)
    if data.startswith(b"GIF"):
        out = io.BytesIO()
        Image.new("RGB", (4, 4)).save(out, "GIF")
        data = out.getvalue()
    response = _upload(client, cid, eid, data, name="" if not data else "x.gif")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(app) == 0


def test_too_many_pixels_are_refused_before_decoding(app, client, auth, cast, contests, monkeypatch):
    from civic.contests import images

    monkeypatch.setattr(images, "MAX_PIXELS", 1000)
    cid, eid = _entry(app, cast, contests)
    auth.login(cast.author)
    response = _upload(client, cid, eid, _png((50, 50)), "big.png")
    assert response.status_code == 400
    assert "too many pixels" in response.get_data(as_text=True)
    assert _count(app) == 0


def test_at_most_five_images_and_only_by_the_authors(app, client, auth, cast, contests):
    cid, eid = _entry(app, cast, contests)
    auth.login(cast.voter)
    assert _upload(client, cid, eid, _png(), "a.png").status_code == 404  # not visible to others before screening
    auth.login(cast.author)
    for _ in range(5):
        assert _upload(client, cid, eid, _png(), "a.png").status_code == 303
    sixth = _upload(client, cid, eid, _png(), "a.png")
    assert sixth.status_code == 400
    assert "at most 5 images" in sixth.get_data(as_text=True)
    assert _count(app) == 5
