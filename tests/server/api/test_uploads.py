"""Photo uploads: only real images get in, nothing but pixels comes out, only the
uploader sees them."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib

import pytest
from PIL import Image, ImageFile, ImageOps, JpegImagePlugin
from PIL.PngImagePlugin import PngInfo
from sqlalchemy import func, select

from server.extensions import db
from server.models import Upload
from server.services.photos import uploads
from tests.factories import build_world
from tests.helpers import image_bytes, multipart
from tests.steps import upload

GPS_IFD = 0x8825
ORIENTATION = 0x0112


pytestmark = pytest.mark.usefixtures("photo_storage")


@pytest.fixture
def world(db_session):
    return build_world("aa")


def fetch(client, world, upload_id, who="resident_1_1"):
    return client.get(f"/api/v1/uploads/{upload_id}", headers=world.headers(who))


def upload_and_fetch(client, world, data, **kwargs):
    created = upload(client, world, data, **kwargs)
    assert created.status_code == 201, created.get_json()
    served = fetch(client, world, created.get_json()["id"])
    assert served.status_code == 200
    return created.get_json(), served


def opened(response) -> Image.Image:
    return Image.open(io.BytesIO(response.data))


def assert_error(response, status, code):
    assert response.status_code == status, response.get_json()
    assert response.get_json()["code"] == code
    assert response.get_json()["message"]


# ----- what gets stored and served -----


def test_a_phone_photo_loses_its_exif_gps_and_other_metadata(client, world):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (37.0, 52.0, 12.0), 3: "E", 4: (112.0, 33.0, 4.0), 18: "WGS-84 GPS"})
    original = image_bytes(
        exif=exif,
        comment=b"home: 3-1-103",
        icc_profile=b"ICC-MARKER",
        xmp=b"<x:xmpmeta>XMP-MARKER</x:xmpmeta>",
    )
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the GPS is there

    body, served = upload_and_fetch(client, world, original)

    photo = opened(served)
    assert len(photo.getexif()) == 0
    assert not photo.getexif().get_ifd(GPS_IFD)
    assert {"exif", "xmp", "comment", "icc_profile"}.isdisjoint(photo.info)
    for marker in (b"Exif", b"GPS", b"PhoneMaker", b"3-1-103", b"ICC-MARKER", b"XMP-MARKER"):
        assert marker not in served.data
    assert body["content_type"] == "image/jpeg"
    assert (body["width"], body["height"]) == (64, 48)
    assert body["size_bytes"] == len(served.data)


def test_a_transparent_png_keeps_no_colour_profile_or_text(client, world):
    text = PngInfo()
    text.add_text("Comment", "GPS 37.87N 112.55E")
    original = image_bytes("PNG", mode="RGBA", icc_profile=b"ICC-MARKER", pnginfo=text)
    assert {"icc_profile", "Comment"} <= set(Image.open(io.BytesIO(original)).info)

    _, served = upload_and_fetch(client, world, original, name="a.png", type_="image/png")

    photo = opened(served)
    assert photo.format == "PNG"
    assert {"icc_profile", "Comment", "exif"}.isdisjoint(photo.info)
    assert b"GPS" not in served.data


def test_the_exif_orientation_is_applied_before_it_is_dropped(client, world):
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # the camera was held upright: rotate 90° clockwise to show
    left_red = Image.new("RGB", (20, 10), "blue")
    left_red.paste("red", (0, 0, 10, 10))
    out = io.BytesIO()
    left_red.save(out, "JPEG", exif=exif, quality=95)

    body, served = upload_and_fetch(client, world, out.getvalue())

    photo = opened(served)
    assert photo.size == (10, 20)
    assert (body["width"], body["height"]) == (10, 20)
    red, _, blue = photo.getpixel((5, 2))  # the red left half is now on top
    assert red > 200
    assert blue < 60
    assert ORIENTATION not in photo.getexif()


@pytest.mark.parametrize(
    ("fmt", "mode", "color", "served_as"),
    [
        ("PNG", "RGBA", (10, 20, 30, 128), "image/png"),  # transparency is kept
        ("WEBP", "RGBA", (10, 20, 30, 128), "image/webp"),
        ("PNG", "RGB", "orange", "image/jpeg"),  # no transparency: a compact JPEG
        ("WEBP", "RGB", "orange", "image/jpeg"),
    ],
)
def test_png_and_webp_are_accepted(client, world, fmt, mode, color, served_as):
    body, served = upload_and_fetch(client, world, image_bytes(fmt, mode=mode, color=color))
    assert body["content_type"] == served_as
    assert served.mimetype == served_as
    photo = opened(served)
    assert photo.format == served_as.split("/")[1].upper()
    assert photo.size == (64, 48)
    if mode == "RGBA":
        assert photo.mode == "RGBA"
        assert abs(photo.getpixel((3, 3))[3] - 128) <= 2


def test_a_large_photo_is_shrunk_to_the_longest_side_allowed(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_SIDE", 100)
    body, served = upload_and_fetch(client, world, image_bytes(size=(400, 300)))
    assert (body["width"], body["height"]) == (100, 75)
    assert opened(served).size == (100, 75)


@pytest.mark.parametrize(
    "payload",
    [
        b"<script>alert(document.cookie)</script>",
        "zip",
    ],
)
def test_a_polyglot_is_accepted_but_its_appended_payload_is_not_served(client, world, payload):
    if payload == "zip":
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as z:
            z.writestr("evil.html", "<script>alert(1)</script>")
        payload = archive.getvalue()
    original = image_bytes() + payload
    assert Image.open(io.BytesIO(original)).format == "JPEG"  # still opens as a JPEG

    _, served = upload_and_fetch(client, world, original)

    assert payload not in served.data
    assert b"<script>" not in served.data
    assert b"PK\x03\x04" not in served.data
    assert not zipfile.is_zipfile(io.BytesIO(served.data))
    assert opened(served).size == (64, 48)


def test_the_row_describes_the_stored_bytes_under_a_random_key(client, world, photo_storage):
    body = upload(client, world, image_bytes(), name="../../家/evil.jpg").get_json()
    row = db.session.get(Upload, body["id"])
    stored = photo_storage.get(row.storage_key)
    assert "evil" not in row.storage_key
    assert ".." not in row.storage_key
    assert row.storage_key.endswith(".jpg")
    assert row.uploader_id == world.people["resident_1_1"].id
    assert row.sha256 == hashlib.sha256(stored).hexdigest()
    assert row.size_bytes == len(stored)
    assert (row.width, row.height) == (64, 48)


# ----- what is refused -----


@pytest.mark.parametrize(
    ("data", "name", "type_"),
    [
        (b"just some notes\n", "notes.txt", "text/plain"),
        (b"<html><script>alert(1)</script></html>", "photo.jpg", "image/jpeg"),
        (image_bytes("GIF", mode="P", color=1), "cat.gif", "image/gif"),
        (image_bytes("BMP"), "photo.jpg", "image/jpeg"),
        (b"", "empty.jpg", "image/jpeg"),
    ],
    ids=["text", "html-named-jpg", "gif", "bmp", "empty"],
)
def test_anything_but_jpeg_png_or_webp_is_not_an_image(
    client, world, photo_storage, data, name, type_
):
    response = upload(client, world, data, name=name, type_=type_)
    assert_error(response, 400, "not_an_image")
    assert response.get_json()["message"] == "请上传 JPG、PNG 或 WebP 格式的照片"
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 0
    assert not photo_storage.root.exists() or not any(photo_storage.root.rglob("*.*"))


def test_a_truncated_jpeg_is_refused(client, world):
    noise = Image.effect_noise((200, 200), 60).convert("RGB")
    out = io.BytesIO()
    noise.save(out, "JPEG")
    whole = out.getvalue()
    assert_error(upload(client, world, whole[: len(whole) // 2]), 400, "image_corrupt")


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` × `height` pixels."""
    data = bytearray(image_bytes("PNG", size=(1, 1), mode="L"))
    data[16:24] = struct.pack(">II", width, height)  # IHDR width, height
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))  # IHDR checksum
    return bytes(data)


@pytest.mark.parametrize("size", [(20000, 20000), (8000, 6000)], ids=["400MP", "48MP"])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(client, world, size):
    bomb = png_declaring(*size)
    assert len(bomb) < 4096
    response = upload(client, world, bomb, name="bomb.png", type_="image/png")
    assert_error(response, 400, "image_too_large_in_pixels")


def test_a_small_file_of_a_huge_image_is_refused_before_any_pixel_is_decoded(
    client, world, monkeypatch
):
    """A few KB of one colour, 3900×3900 (15.2 MP, under the PNG cap): a real, valid PNG
    that costs seconds of CPU and 60 MB to decode. Its header alone refuses it."""
    out = io.BytesIO()
    Image.new("L", (3900, 3900)).save(out, "PNG", optimize=True)
    assert len(out.getvalue()) < 40_000
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: decoded.append(image))
    response = upload(client, world, out.getvalue(), name="flat.png", type_="image/png")
    assert_error(response, 400, "image_too_large_in_pixels")
    body = response.get_json()
    assert body["message"] == "这张图片的尺寸与文件大小不符，无法处理，请换一张照片"
    assert (body["details"]["width"], body["details"]["height"]) == (3900, 3900)
    assert decoded == []


def test_pixels_are_bounded_by_the_bytes_that_carry_them():
    uploads._check_pixels((3264, 2448), 10_000)  # 8 MP: free whatever its size
    uploads._check_pixels((6000, 4000), 240_000)  # 24 MP in 240 KB: 100 a byte
    with pytest.raises(uploads.ImageTooLargeInPixels):
        uploads._check_pixels((6000, 4000), 239_999)
    with pytest.raises(uploads.ImageTooLargeInPixels):
        uploads._check_pixels((8000, 6000), 5 * 1024 * 1024)  # 48 MP: too many anyway


def test_a_large_jpeg_is_decoded_at_a_fraction_of_its_size(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_SIDE", 100)
    drafts = []
    real_draft = JpegImagePlugin.JpegImageFile.draft

    def draft(image, mode, size):
        drafts.append(size)
        result = real_draft(image, mode, size)
        drafts.append(image.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", draft)
    body, _served = upload_and_fetch(client, world, image_bytes(size=(1600, 1200)))
    assert (body["width"], body["height"]) == (100, 75)
    assert drafts[:2] == [(100, 75), (200, 150)]  # decoded at 1/8 scale, then shrunk


def padded(data: bytes, fmt: str, where: str, to: int) -> bytes:
    """`data` grown to `to` bytes of junk that encodes no pixel: after the image's end,
    or (PNG) in a text chunk before the pixels, or (JPEG) in comment segments."""
    junk = to - len(data)
    if where == "after the end":
        return data + b"\0" * junk
    if fmt == "PNG":  # a tEXt chunk right after IHDR
        payload = b"Comment\0" + b"x" * (junk - 20)
        chunk = struct.pack(">I", len(payload)) + b"tEXt" + payload
        chunk += struct.pack(">I", zlib.crc32(b"tEXt" + payload))
        return data[:33] + chunk + data[33:]
    segments = b"".join(  # COM segments right after SOI, 65,533 bytes of text each
        b"\xff\xfe" + struct.pack(">H", len(part) + 2) + part
        for part in (b"x" * min(65_000, junk - i) for i in range(0, junk, 65_004))
    )
    return data[:2] + segments + data[2:]


def one_colour(fmt: str, size: tuple[int, int], **save) -> bytes:
    mode = "RGBA" if fmt == "PNG" else "RGB"
    return image_bytes(fmt, size=size, mode=mode, color=(10, 20, 30, 255)[: len(mode)], **save)


@pytest.mark.parametrize(
    ("fmt", "where"),
    [
        ("PNG", "after the end"),
        ("PNG", "in a text chunk"),
        ("WEBP", "after the end"),
        ("JPEG", "after the end"),
        ("JPEG", "in comment segments"),
    ],
)
def test_padding_buys_no_pixels(client, world, monkeypatch, fmt, where):
    """12.96 MP of one colour in a few KB of pixel data, grown past what 12.96 MP needs
    (100 pixels a byte: 130 KB) with bytes that encode no pixel: refused unread."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # would make the server turn the full-size image
    data = one_colour(fmt, (3600, 3600), exif=exif)
    grown = len(data) + 140_000
    if fmt == "JPEG":  # a JPEG spends ~4 bits a block on one colour: make pixels dearer
        monkeypatch.setattr(uploads, "PIXELS_PER_BYTE", 3600 * 3600 * 9 // 10 // len(data))
        grown = 2 * len(data)
    attack = padded(data, fmt, where, to=grown)
    assert Image.open(io.BytesIO(attack)).size == (3600, 3600)  # a valid image still
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: decoded.append(image))
    response = upload(client, world, attack, name="flat.img", type_="image/png")
    assert_error(response, 400, "image_too_large_in_pixels")
    assert response.get_json()["message"] == "这张图片的尺寸与文件大小不符，无法处理，请换一张照片"
    assert decoded == []


def test_the_reviewers_padded_png_is_refused(client, world):
    """6300×6300 RGBA of one colour with an EXIF orientation, zero-padded to 401 KB: it
    was accepted and took 1.8 s and 775 MB. A PNG is decoded whole: at most 16 MP."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    data = one_colour("PNG", (6300, 6300), exif=exif)
    attack = padded(data, "PNG", "after the end", to=401 * 1024)
    response = upload(client, world, attack, name="flat.png", type_="image/png")
    assert_error(response, 400, "image_too_large_in_pixels")
    assert response.get_json()["message"] == "照片像素太多，请缩小后再上传"
    assert response.get_json()["details"]["max_pixels"] == 16_000_000


def test_a_large_phone_photo_is_shrunk_before_it_is_turned_upright(client, world, monkeypatch):
    """A 12 MP photo taken upright (EXIF orientation 6), its top half red: served
    1920×2560 with red on top; only the shrunk pixels were ever turned."""
    gradient = Image.linear_gradient("L").resize((4000, 3000))
    photo = Image.merge("RGB", (gradient, Image.effect_noise((4000, 3000), 12), gradient))
    photo.paste((230, 20, 20), (0, 0, 2000, 3000))  # the left half: the top once turned
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=85, exif=exif)
    assert 1_000_000 < len(out.getvalue()) < 5 * 1024 * 1024
    turned = []
    real_transpose = ImageOps.exif_transpose
    monkeypatch.setattr(
        ImageOps, "exif_transpose", lambda image: turned.append(image.size) or real_transpose(image)
    )

    body, served = upload_and_fetch(client, world, out.getvalue())

    assert (body["width"], body["height"]) == (1920, 2560)
    assert turned == [(2560, 1920)]
    red, _, blue = opened(served).getpixel((960, 200))
    assert red > 200
    assert blue < 60


def test_a_photo_over_5_mb_is_413_upload_too_large(client, world):
    data = image_bytes() + b"\0" * (5 * 1024 * 1024 + 512 * 1024 - len(image_bytes()))
    assert len(data) == 5 * 1024 * 1024 + 512 * 1024
    response = upload(client, world, data)
    assert_error(response, 413, "upload_too_large")
    assert response.get_json()["message"] == "照片不能超过 5 MB"


def test_the_size_limit_is_inclusive(app, client, world, monkeypatch):
    data = image_bytes()
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", len(data))
    assert upload(client, world, data).status_code == 201
    assert_error(upload(client, world, data + b"\0"), 413, "upload_too_large")


def test_a_body_over_the_request_limit_is_413_not_500(client, world):
    response = upload(client, world, b"\xff\xd8" + b"\0" * (7 * 1024 * 1024))
    assert response.status_code == 413
    assert response.get_json()["code"] in {"payload_too_large", "upload_too_large"}


def test_a_form_without_the_file_field_is_a_validation_error(client, world):
    response = client.post(
        "/api/v1/uploads",
        data={},
        headers=world.headers("resident_1_1"),
        content_type="multipart/form-data",
    )
    assert_error(response, 400, "validation_error")
    assert response.get_json()["details"] == {"location": "files", "fields": {"file": ["必填"]}}


def test_uploads_are_limited_per_person(app, client, world, monkeypatch):
    from server.extensions import limiter

    monkeypatch.setitem(app.config, "UPLOAD_RATE", "2/minute")
    limiter.reset()
    try:
        statuses = [upload(client, world, image_bytes()).status_code for _ in range(3)]
        assert statuses == [201, 201, 429]
        assert upload(client, world, image_bytes(), who="resident_1_2").status_code == 201
    finally:
        limiter.reset()


# ----- who may see a photo -----


def test_the_uploader_gets_the_photo_privately_cached_and_not_sniffed(client, world):
    body, served = upload_and_fetch(client, world, image_bytes("PNG", mode="RGBA"))
    assert served.mimetype == "image/png"
    assert served.headers["Cache-Control"] == "private, max-age=86400"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert int(served.headers["Content-Length"]) == body["size_bytes"]


@pytest.mark.parametrize("who", ["resident_1_2", "liaison_1_1", "committee", "outsider"])
def test_nobody_else_in_the_compound_sees_the_photo(client, world, who):
    photo_id = upload(client, world, image_bytes()).get_json()["id"]
    assert_error(fetch(client, world, photo_id, who=who), 404, "upload_not_found")


def test_another_compound_gets_404_as_for_an_unknown_id(client, world):
    photo_id = upload(client, world, image_bytes()).get_json()["id"]
    other = build_world("bb")
    seen = fetch(client, other, photo_id, who="resident_1_1")
    unknown = fetch(client, world, photo_id + 1000)
    assert_error(seen, 404, "upload_not_found")
    assert seen.get_json() == unknown.get_json()  # existence is not revealed


def test_ids_beyond_64_bits_are_404(client, world):
    assert fetch(client, world, 2**63).status_code == 404
    assert fetch(client, world, 2**64 + 5).status_code == 404


def test_no_sign_in_no_upload_and_no_photo(client, world):
    photo_id = upload(client, world, image_bytes()).get_json()["id"]
    anonymous = client.post("/api/v1/uploads", **multipart(image_bytes(), "a.jpg", "image/jpeg"))
    assert_error(anonymous, 401, "unauthorized")
    assert_error(client.get(f"/api/v1/uploads/{photo_id}"), 401, "unauthorized")
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 1


def test_the_openapi_document_describes_the_multipart_upload(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/uploads"]["post"]
    content = operation["requestBody"]["content"]
    assert list(content) == ["multipart/form-data"]
    ref = content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
    schema = spec["components"]["schemas"][ref]
    assert schema["properties"]["file"] == {
        **schema["properties"]["file"],
        "type": "string",
        "format": "binary",
    }
    assert schema["required"] == ["file"]
    assert "201" in operation["responses"]
    assert "security" in operation
    image = spec["paths"]["/api/v1/uploads/{upload_id}"]["get"]["responses"]["200"]
    assert set(image["content"]) == {"image/jpeg", "image/png", "image/webp"}
