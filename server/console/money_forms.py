"""Reading the desk's money forms: yuan typed by a person → fen exactly, a form loaded
through the API's own input schema (the same rules and messages), an uploaded photo
saved through the same upload service as the API's /uploads."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from server.errors import ValidationFailed
from server.services.photos import uploads

YUAN = re.compile(r"^[0-9]+(\.[0-9]{1,2})?$")
GROUPED = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")
MAX_FEN = 10**10


def fen_from_yuan(text: str | None, what: str = "金额") -> int:
    """ "1,234.5" → 123450: at most two decimals, above zero, no rounding ever.
    Raises ValidationFailed with a plain message."""
    # NFKC: digits typed full-width by a Chinese input method ("１２．５") count as typed.
    value = unicodedata.normalize("NFKC", text or "").strip()
    value = value.removeprefix("¥").removeprefix("￥").strip()
    if not value:
        raise ValidationFailed(f"请填写{what}（元）")
    # Commas only between thousands: "12,5" may be a decimal comma, never 125 yuan.
    if "," in value and not GROUPED.fullmatch(value):
        raise ValidationFailed(f"{what}请不要用逗号表示小数点，如 12.50")
    value = value.replace(",", "")
    if not YUAN.fullmatch(value):
        raise ValidationFailed(f"{what}应为以元为单位的数字，最多两位小数，如 1234.50")
    try:
        fen = int(Decimal(value) * 100)
    except InvalidOperation as error:  # the pattern makes this unreachable; kept honest
        raise ValidationFailed(f"{what}应为数字") from error
    if fen >= MAX_FEN:
        raise ValidationFailed(f"{what}太大，请核对")
    if fen <= 0:
        raise ValidationFailed(f"{what}应大于 0 元")
    return fen


def optional_id(text: str | None) -> int | None:
    """A chosen id from a <select> ("" for none). Raises ValidationFailed."""
    value = (text or "").strip()
    if not value:
        return None
    # isdigit() alone takes "²", which int() refuses, as it refuses 5000 digits.
    if not (value.isascii() and value.isdigit() and len(value) <= 19) or not 0 < int(value) < 2**63:
        raise ValidationFailed("选择的项目不对，请刷新后再试")
    return int(value)


def photo(principal, files, name: str) -> list[int]:
    """The photo chosen in file input `name`, saved as the API's upload would be (its
    checks, re-encoding and limits): [upload id], or [] when none was chosen."""
    file = files.get(name)
    if file is None or not file.filename:
        return []
    from flask import current_app

    data = file.stream.read(current_app.config["UPLOAD_MAX_BYTES"] + 1)
    return [uploads.save_upload(principal, data, file.mimetype or None).id]
