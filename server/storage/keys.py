"""Storage keys: made by us, checked by every backend alike."""

from __future__ import annotations

import uuid

from server.clock import utcnow

# The desk's roster files waiting for 确认导入, filed by the day they were checked.
ROSTER_DRAFT_PREFIX = "desk-roster/"


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


def roster_draft_key(kind: str) -> str:
    """A fresh key for a roster file checked on the desk: `desk-roster/yyyy/mm/dd/<hex>.<kind>`
    (filed by day, so one never loaded can be swept by its folder's date)."""
    return f"{ROSTER_DRAFT_PREFIX}{utcnow():%Y/%m/%d}/{uuid.uuid4().hex}.{kind}"
