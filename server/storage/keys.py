"""Storage keys: made by us, checked by every backend alike."""

from __future__ import annotations

import uuid

from server.clock import utcnow


def check_key(key: str) -> str:
    """`key` itself when it is a plain relative "/"-separated path (no empty, "." or
    ".." parts, no backslash or NUL); raises ValueError otherwise. Every backend
    refuses the same keys, so moving photos between them never meets a surprise."""
    parts = key.split("/")
    if "\\" in key or "\x00" in key or any(part in {"", ".", ".."} for part in parts):
        raise ValueError(f"unsafe storage key {key!r}")
    return key


def new_key(extension: str) -> str:
    """A fresh random key, filed by month: `yyyy/mm/<uuid hex>.<extension>`."""
    now = utcnow()
    return f"{now:%Y}/{now:%m}/{uuid.uuid4().hex}.{extension}"
