"""Which bytes of an upload carry its pixels (the rest buys no decoding)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from server.services.photos.image_data import pixel_bytes


def noisy(fmt: str, **save) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((300, 200), 40).convert("RGB").save(out, fmt, **save)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "save"),
    [
        ("JPEG", {}),
        ("JPEG", {"progressive": True}),  # several scans, tables between them
        ("JPEG", {"restart_marker_blocks": 1}),  # RSTn inside the scan
        ("PNG", {}),
        ("WEBP", {}),
        ("WEBP", {"lossless": True}),
    ],
)
def test_a_real_image_is_nearly_all_pixel_data(fmt, save):
    data = noisy(fmt, **save)
    assert 0.9 * len(data) < pixel_bytes(data, fmt) <= len(data)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_bytes_after_the_image_count_for_nothing(fmt):
    data = noisy(fmt)
    assert pixel_bytes(data + b"\0" * 100_000, fmt) == pixel_bytes(data, fmt)


def test_a_jpegs_exif_thumbnail_comments_and_fill_bytes_count_for_nothing():
    plain = noisy("JPEG")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker" * 1000
    out = io.BytesIO()
    Image.open(io.BytesIO(plain)).save(out, "JPEG", exif=exif, comment=b"c" * 60_000)
    rich = out.getvalue()
    assert len(rich) > len(plain) + 60_000
    assert abs(pixel_bytes(rich, "JPEG") - pixel_bytes(plain, "JPEG")) < 0.1 * len(plain)
    filled = rich[:-2] + b"\xff" * 50_000 + rich[-2:]  # fill bytes before EOI
    assert pixel_bytes(filled, "JPEG") == pixel_bytes(rich, "JPEG")


def test_a_pngs_text_chunks_count_for_nothing():
    text = PngInfo()
    text.add_text("Comment", "x" * 100_000)
    plain = noisy("PNG")
    out = io.BytesIO()
    Image.open(io.BytesIO(plain)).save(out, "PNG", pnginfo=text)
    assert pixel_bytes(out.getvalue(), "PNG") == pixel_bytes(plain, "PNG")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_truncated_file_counts_what_is_there(fmt):
    data = noisy(fmt)
    assert 0 < pixel_bytes(data[: len(data) // 2], fmt) <= len(data) // 2
    assert pixel_bytes(data[:5], fmt) == 0
