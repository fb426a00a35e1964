"""WeChat's limits on subscribe-message values (errcode 47003 when broken).

The key's prefix ("thing1" → thing) names the kind. Used by the sandbox to refuse
what WeChat would refuse, and by the message builders to stay inside the limits.
"""

from __future__ import annotations

import re

LIMITS = {
    "thing": 20,
    "character_string": 32,
    "phrase": 5,
    "number": 32,
    "letter": 32,
    "amount": 10,
    "phone_number": 17,
    "name": 10,  # Chinese characters; 20 for letters
    "time": 32,
    "date": 32,
}
_KEY = re.compile(r"^([a-z_]+?)(\d+)$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_CHECKS = {
    "character_string": re.compile(r"^[\x21-\x7e]{1,32}$"),
    "number": re.compile(r"^[+-]?\d+(\.\d+)?$"),
    "letter": re.compile(r"^[A-Za-z]{1,32}$"),
    "amount": re.compile(r"^[¥$€]?\d{1,10}(\.\d{1,2})?元?$"),
    "phone_number": re.compile(r"^[\d+\-() ]{1,17}$"),
    "phrase": re.compile(r"^[\u3400-\u9fff]{1,5}$"),
    "time": re.compile(
        r"^(\d{4}年\d{1,2}月\d{1,2}日( \d{1,2}:\d{2}(:\d{2})?)?"
        r"|\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?"
        r"|\d{1,2}:\d{2})$"
    ),
    "date": re.compile(r"^(\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{2}-\d{2})( \d{1,2}:\d{2})?$"),
}


def kind_of(key: str) -> str | None:
    """ "thing1" → "thing"; None for a key WeChat would not know."""
    match = _KEY.match(key)
    if not match or match[1] not in LIMITS:
        return None
    return match[1]


def check_value(key: str, value) -> str | None:
    """Why WeChat would refuse `value` for `key`, or None if it is fine."""
    kind = kind_of(key)
    if kind is None:
        return f"unknown data key {key!r}"
    if not isinstance(value, str) or value == "":
        return f"{key}: value must be a non-empty string"
    if "\n" in value or "\r" in value:
        return f"{key}: newlines are not allowed"
    if kind == "name":
        limit = 10 if _CJK.search(value) else 20
        return None if len(value) <= limit else f"{key}: name longer than {limit}"
    if len(value) > LIMITS[kind] and kind not in {"amount"}:
        return f"{key}: longer than {LIMITS[kind]} characters"
    pattern = _CHECKS.get(kind)
    if pattern and not pattern.match(value):
        return f"{key}: not a valid {kind}"
    return None
