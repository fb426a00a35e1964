"""How many bytes of an uploaded image carry its pixels.

The upload check lets a file declare pixels in proportion to the bytes that encode
them. Counting the whole file would let junk buy pixels: zeros after a PNG's IEND,
a JPEG's EOI or a WebP's RIFF size, or stuffed into text chunks, comment or APP
segments. Only the compressed pixel data is counted here: PNG's IDAT/fdAT chunks,
JPEG's entropy-coded scans (of its first picture: an MPO's others are never
decoded), WebP's VP8/VP8L/ALPH/ANMF chunks. A file malformed past the point
counted is the decoder's business (it is refused as corrupt there).
"""

from __future__ import annotations

import re
import struct

PNG_PIXEL_CHUNKS = {b"IDAT", b"fdAT"}
WEBP_PIXEL_CHUNKS = {b"VP8 ", b"VP8L", b"ALPH", b"ANMF"}
# The end of a JPEG scan: a marker other than a stuffed 0xFF00 or a restart marker
# (RST0–7 sit inside the scan), together with any 0xFF fill bytes before it.
_JPEG_SCAN_END = re.compile(rb"\xff+[^\x00\xd0-\xd7\xff]")
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM, RSTn: markers without a length
_SOS, _EOI = 0xDA, 0xD9


def pixel_bytes(data: bytes, image_format: str) -> int:
    """The bytes of `data` that encode pixels, for Pillow's `image_format` name."""
    if image_format == "PNG":
        return _png(data)
    if image_format in {"JPEG", "MPO"}:
        return _jpeg(data)
    if image_format == "WEBP":
        return _webp(data)
    return len(data)


def _png(data: bytes) -> int:
    total, pos = 0, 8  # after the signature
    while pos + 8 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, pos)
        if kind in PNG_PIXEL_CHUNKS:
            total += min(length, len(data) - pos - 8)
        if kind == b"IEND":
            break
        pos += 12 + length  # length, type, payload, CRC
    return total


def _jpeg(data: bytes) -> int:
    total, pos = 0, 2  # after SOI
    while pos + 2 <= len(data):
        if data[pos] != 0xFF:
            break  # not a marker where one must be: corrupt
        marker = data[pos + 1]
        if marker == 0xFF:  # a fill byte
            pos += 1
            continue
        if marker == _EOI:
            break
        if marker in _STANDALONE:
            pos += 2
            continue
        if pos + 4 > len(data):
            break
        (length,) = struct.unpack_from(">H", data, pos + 2)
        pos += 2 + length
        if marker == _SOS:
            end = _JPEG_SCAN_END.search(data, pos)
            stop = end.start() if end else len(data)
            total += max(stop - pos, 0)
            pos = stop
    return total


def _webp(data: bytes) -> int:
    if len(data) < 12:
        return 0
    (riff_size,) = struct.unpack_from("<I", data, 4)
    end = min(len(data), 8 + riff_size)  # nothing beyond what RIFF declares
    total, pos = 0, 12  # after "RIFF", its size and "WEBP"
    while pos + 8 <= end:
        kind, length = struct.unpack_from("<4sI", data, pos)
        if kind in WEBP_PIXEL_CHUNKS:
            total += min(length, end - pos - 8)
        pos += 8 + length + (length & 1)  # payloads are padded to an even size
    return total
