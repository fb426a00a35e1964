"""Photo storage and cleaning below the HTTP layer: keys that cannot escape, atomic
writes, no orphaned files, and the odd images phones really produce."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from server.extensions import db
from server.models import Upload
from server.services.people.access import load_principal
from server.services.photos import uploads
from server.storage import EXTENSION_KEY, LocalStorage, get_storage, new_key
from tests.factories import build_world
from tests.helpers import image_bytes


@pytest.fixture
def storage(tmp_path):
    return LocalStorage(tmp_path / "uploads")


# ----- storage -----


def test_bytes_round_trip_and_replace_atomically(storage):
    storage.put("2026/11/a.jpg", b"first", "image/jpeg")
    storage.put("2026/11/a.jpg", b"second", "image/jpeg")
    assert storage.get("2026/11/a.jpg") == b"second"
    assert [p.name for p in storage.root.rglob("*") if p.is_file()] == ["a.jpg"]  # no temp left
    storage.delete("2026/11/a.jpg")
    storage.delete("2026/11/a.jpg")  # already gone: fine
    with pytest.raises(KeyError):
        storage.get("2026/11/a.jpg")


@pytest.mark.parametrize(
    "key",
    ["../outside.jpg", "2026/../../outside.jpg", "/etc/passwd", "", ".", "a/./b", "..\\x.jpg"],
)
def test_keys_that_would_leave_the_root_are_refused(storage, key):
    for attempt in (
        lambda: storage.put(key, b"x", "image/jpeg"),
        lambda: storage.get(key),
        lambda: storage.delete(key),
    ):
        with pytest.raises(ValueError, match="unsafe storage key"):
            attempt()
    assert not (storage.root.parent / "outside.jpg").exists()


def test_a_symlink_out_of_the_root_is_refused(storage, tmp_path):
    storage.root.mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (storage.root / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ValueError, match="unsafe storage key"):
        storage.put("link/x.jpg", b"x", "image/jpeg")
    assert not (tmp_path / "elsewhere" / "x.jpg").exists()


def test_new_keys_are_random_and_filed_by_month():
    keys = {new_key("jpg") for _ in range(100)}
    assert len(keys) == 100
    assert all(re.fullmatch(r"\d{4}/\d{2}/[0-9a-f]{32}\.jpg", key) for key in keys)


def test_the_app_builds_its_storage_once_from_the_configuration(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "photos"))
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, None)
    with app.app_context():
        first = get_storage()
        assert first.root == (tmp_path / "photos").resolve()
        assert get_storage() is first


# ----- saving -----


def test_a_failed_commit_leaves_no_orphaned_file(app, db_session, storage, monkeypatch):
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, storage)
    world = build_world("aa")
    caller = load_principal(world.people["resident_1_1"].id)

    def refuse():
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", refuse)
    with pytest.raises(RuntimeError):
        uploads.save_upload(caller, image_bytes(size=(40, 30)), "image/jpeg")
    monkeypatch.undo()
    assert not storage.root.exists() or not any(p.is_file() for p in storage.root.rglob("*"))
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 0


# ----- cleaning the images phones really send -----


def test_a_multi_picture_jpeg_from_a_phone_is_a_jpeg():
    out = io.BytesIO()
    first, second = Image.new("RGB", (40, 30), "blue"), Image.new("RGB", (20, 15), "red")
    first.save(out, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"

    clean = uploads.clean_image(out.getvalue(), max_side=2560)

    assert clean.content_type == "image/jpeg"
    assert (clean.width, clean.height) == (40, 30)
    assert Image.open(io.BytesIO(clean.data)).format == "JPEG"


def test_a_cmyk_jpeg_becomes_rgb():
    cyan = image_bytes(mode="CMYK", color=(0, 255, 255, 0), size=(40, 30))
    clean = uploads.clean_image(cyan, max_side=2560)
    photo = Image.open(io.BytesIO(clean.data))
    assert photo.mode == "RGB"
    red, green, blue = photo.getpixel((5, 5))
    assert red > 200
    assert green < 60
    assert blue < 60


def test_a_16_bit_grey_png_stays_grey_instead_of_turning_white():
    out = io.BytesIO()
    Image.new("I;16", (40, 30), 32768).save(out, "PNG")
    clean = uploads.clean_image(out.getvalue(), max_side=2560)
    photo = Image.open(io.BytesIO(clean.data))
    assert photo.mode == "L"
    assert 120 <= photo.getpixel((5, 5)) <= 135
