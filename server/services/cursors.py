"""Opaque page cursors: the id of the last row a page showed, as a short string."""

from __future__ import annotations

import base64

from server.errors import ValidationFailed


def encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def decode(cursor: str | None) -> int | None:
    """The id a cursor stands for (None for no cursor). Raises ValidationFailed
    (bad_cursor) for anything a page did not hand out."""
    if not cursor:
        return None
    try:
        value = int(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed("分页参数无效", code="bad_cursor") from None
    if not 0 < value < 2**63:
        raise ValidationFailed("分页参数无效", code="bad_cursor")
    return value
