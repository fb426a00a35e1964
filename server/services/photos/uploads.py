"""Photos residents upload: checked by their content, re-encoded from pixels, kept private.

Nothing a client sends is stored as sent. A photo is decoded with Pillow, shrunk to
UPLOAD_MAX_SIDE (first, so nothing else works on the full-size pixels), turned upright
by its EXIF orientation and written out afresh, so EXIF (GPS), XMP, ICC profiles,
comments and anything appended after the image data (a ZIP or a script: polyglot
files) are gone.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import struct
import warnings
from dataclasses import dataclass

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from server.errors import AppError, NotFound
from server.extensions import db
from server.models import OfflinePayment, Upload
from server.models.issue import Issue
from server.services.issues.access import can_view
from server.services.people.access import Principal
from server.services.photos import attachments
from server.services.photos.image_data import pixel_bytes
from server.storage import get_storage, new_key

log = logging.getLogger(__name__)

# Above what phones send by default (12–50 MP), and a full-resolution 200 MP shot is
# far over 5 MB anyway. A JPEG is decoded at 1/2–1/8 of its size when that still
# covers UPLOAD_MAX_SIDE; PNG and WebP have no reduced decode: every pixel takes 4
# bytes of a worker's memory, so they get fewer (16 MP: 64 MB; a phone's screenshot
# is 3–5 MP, a long one ~10 MP).
MAX_PIXELS = 40_000_000
MAX_PIXELS_FULL_DECODE = 16_000_000
FULL_DECODE = {"PNG", "WEBP"}
# Decoding costs by the pixel, sending by the byte: a 37 KB PNG declaring 6300×6300
# (one colour compresses ~1000:1) would buy 40 MP of decoding for nothing. Up to
# FREE_PIXELS (any screenshot, a 8 MP photo: ~0.1 s) any file may declare; beyond,
# at most PIXELS_PER_BYTE per byte of pixel data (services/image_data: padding after
# the image's end or in comments buys nothing). Real photos carry 2–20 pixels a byte
# (sensor noise does not compress); 40 MP then needs 400 KB of image data.
FREE_PIXELS = 8_000_000
PIXELS_PER_BYTE = 100
JPEG_QUALITY = 85
# Modes that Pillow resizes by nearest pixel only (a palette, 1-bit).
INDEXED = {"1", "P", "PA"}
# Pillow plugins we let identify a file; MPO is how Pillow names many phones' JPEGs.
DECODERS = ("JPEG", "PNG", "WEBP")
SAVED_AS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
CONTENT_TYPES = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
# What Pillow raises on a file that starts like an image and then goes wrong.
BROKEN = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error)


class UploadTooLarge(AppError):
    status, code, message = 413, "upload_too_large", "照片不能超过 5 MB"


class NotAnImage(AppError):
    status, code, message = 400, "not_an_image", "请上传 JPG、PNG 或 WebP 格式的照片"


class ImageTooLargeInPixels(AppError):
    status, code, message = 400, "image_too_large_in_pixels", "照片像素太多，请缩小后再上传"


IMPLAUSIBLE = "这张图片的尺寸与文件大小不符，无法处理，请换一张照片"


class ImageCorrupt(AppError):
    status, code, message = 400, "image_corrupt", "照片文件不完整或已损坏，请重新选择"


@dataclass(frozen=True)
class CleanImage:
    """A photo re-encoded from its pixels alone."""

    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def save_upload(principal: Principal, data: bytes, declared_type: str | None) -> Upload:
    """Check, clean and store a photo for the caller; returns the new Upload.

    `declared_type` is the client's claim and decides nothing; it is only logged
    when a file is refused. Raises UploadTooLarge (413), NotAnImage, ImageCorrupt or
    ImageTooLargeInPixels (400).
    """
    config = current_app.config
    max_bytes = config["UPLOAD_MAX_BYTES"]
    if len(data) > max_bytes:
        raise UploadTooLarge(
            f"照片不能超过 {max_bytes / 2**20:g} MB", details={"max_bytes": max_bytes}
        )
    try:
        image = clean_image(data, max_side=config["UPLOAD_MAX_SIDE"])
    except AppError as error:
        log.info("upload refused (%s); declared type %r", error.code, (declared_type or "")[:64])
        raise
    key = new_key(image.extension)
    storage = get_storage()
    storage.put(key, image.data, image.content_type)
    upload = Upload(
        uploader_id=principal.id,
        storage_key=key,
        content_type=image.content_type,
        size_bytes=len(image.data),
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(image.data).hexdigest(),
    )
    db.session.add(upload)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        with contextlib.suppress(OSError):  # keep the database error, not this one
            storage.delete(key)  # no row points at it
        raise
    return upload


def clean_image(data: bytes, *, max_side: int) -> CleanImage:
    """Decode a JPEG, PNG or WebP by its content and write it out afresh: upright, at
    most `max_side` pixels on its long side, with no metadata.

    Raises NotAnImage, ImageCorrupt or ImageTooLargeInPixels.
    """
    with warnings.catch_warnings():
        # Pillow's warnings about a resident's odd file (bad EXIF, malformed MPO)
        # are not ours to act on; a decompression bomb is refused.
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image, source_format = _decode(data, max_side)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageTooLargeInPixels(details={"max_pixels": MAX_PIXELS}) from None
        return _encode(image, SAVED_AS[source_format])


def _decode(data: bytes, max_side: int) -> tuple[Image.Image, str]:
    """The decoded image, shrunk to `max_side` and upright, and its format. The size in
    the header is checked first (nothing decoded yet); `verify()` walks the file's
    structure without decoding; a second open decodes the pixels (a large JPEG at a
    fraction of its size, still covering the size it is shrunk to), shrinks them, and
    only then turns them upright."""
    try:
        with Image.open(io.BytesIO(data), formats=DECODERS) as probe:
            source_format = probe.format
            cap = MAX_PIXELS_FULL_DECODE if source_format in FULL_DECODE else MAX_PIXELS
            _check_pixels(probe.size, pixel_bytes(data, source_format), cap)
            probe.verify()
    except UnidentifiedImageError:
        raise NotAnImage() from None
    except BROKEN:
        raise ImageCorrupt() from None
    if source_format not in SAVED_AS:
        raise NotAnImage()
    try:
        with Image.open(io.BytesIO(data), formats=DECODERS) as image:
            if image.format in {"JPEG", "MPO"}:
                image.draft(image.mode, _fitted(image.size, max_side))
            image.load()
            if image.mode in INDEXED:  # shrunk by nearest pixel otherwise: convert first
                image = image.convert("RGBA" if image.has_transparency_data else "RGB")
            image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            return ImageOps.exif_transpose(image), source_format
    except BROKEN:
        raise ImageCorrupt() from None


def _fitted(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """`size` shrunk, keeping its shape, to fit `max_side` on its long side."""
    width, height = size
    scale = min(1.0, max_side / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _check_pixels(size: tuple[int, int], byte_count: int, max_pixels: int = MAX_PIXELS) -> None:
    """Refuse, before any decoding, more pixels than `max_pixels` or than the file's
    pixel-data bytes can honestly carry (FREE_PIXELS, then PIXELS_PER_BYTE)."""
    width, height = size
    pixels = width * height
    details = {"width": width, "height": height, "max_pixels": max_pixels}
    if pixels > max_pixels:
        raise ImageTooLargeInPixels(details=details)
    if pixels > max(FREE_PIXELS, PIXELS_PER_BYTE * byte_count):
        raise ImageTooLargeInPixels(IMPLAUSIBLE, details=details)


def _encode(image: Image.Image, source_format: str) -> CleanImage:
    """`image`, already shrunk and upright, written afresh in `source_format` when it
    has transparency to keep, else as a JPEG."""
    if image.has_transparency_data and source_format in {"PNG", "WEBP"}:
        target, pixels = source_format, image.convert("RGBA")
    else:
        target, pixels = "JPEG", _opaque(image)
    # A new image from the raw pixels carries no `info` (EXIF, ICC, XMP, comments).
    fresh = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if target == "JPEG":
        fresh.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif target == "WEBP":
        fresh.save(out, "WEBP", quality=JPEG_QUALITY)
    else:
        fresh.save(out, "PNG")
    content_type, extension = CONTENT_TYPES[target]
    return CleanImage(out.getvalue(), content_type, extension, fresh.width, fresh.height)


def _opaque(image: Image.Image) -> Image.Image:
    """Grey stays grey (16-bit grey scaled down, not clipped to white); the rest is RGB."""
    if image.mode in {"I", "I;16", "I;16B", "I;16L"}:
        return image.convert("I").point(lambda value: value / 257).convert("L")
    return image.convert("L" if image.mode in {"1", "L"} else "RGB")


def may_view(principal: Principal, upload: Upload) -> bool:
    """Whether the caller may see this photo: who uploaded it, whoever may see the
    issue it is attached to, or — a payment receipt — the committee and supervisor;
    an expense's receipt or another attachment: as `attachments.may_view` says."""
    if upload.uploader_id == principal.id:
        return True
    attached = attachments.may_view(principal, upload.id)
    if attached is not None:
        return attached
    if upload.issue_id is not None:
        issue = db.session.get(Issue, upload.issue_id)
        return issue is not None and can_view(principal, issue)
    receipt_of = db.session.scalar(
        select(OfflinePayment.compound_id).where(OfflinePayment.receipt_upload_id == upload.id)
    )
    return receipt_of is not None and (
        principal.committee_of(receipt_of) or principal.supervisor_of(receipt_of)
    )


def open_upload(principal: Principal, upload_id: int) -> tuple[bytes, str]:
    """The photo's bytes and content type.

    Raises NotFound (upload_not_found) when it does not exist or the caller may not
    see it, so nobody learns which ids exist.
    """
    upload = db.session.get(Upload, upload_id)
    if upload is None or not may_view(principal, upload):
        raise _not_found()
    try:
        return get_storage().get(upload.storage_key), upload.content_type
    except KeyError:
        log.error("upload %s: stored bytes missing at %s", upload.id, upload.storage_key)
        raise _not_found() from None


def _not_found() -> NotFound:
    return NotFound("找不到这张照片", code="upload_not_found")
