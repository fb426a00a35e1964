"""Field types shared by the schemas: cleaned text, digits, strict integers, local times."""

from __future__ import annotations

import re
import unicodedata

from apiflask import fields, validators
from marshmallow import ValidationError

from server.models.base import SHANGHAI

# Bidirectional overrides and isolates can make a name read differently than it is.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# What a text field may not contain, as a JSON-schema pattern for the document.
_NOT_TEXT = "\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069"
TEXT_PATTERN = f"^[^{_NOT_TEXT}]*$"
MULTILINE_PATTERN = (
    "^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]*$"
)


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Stripped, refusing control characters, line/paragraph separators and bidi
    overrides. (Not NFKC-normalised: that would turn Chinese full-width punctuation
    into ASCII; codes and digits are normalised where they are parsed.)"""
    value = value.strip()
    for ch in value:
        if multiline and ch == "\n":
            continue
        if unicodedata.category(ch) in {"Cc", "Zl", "Zp"} or ch in _BIDI:
            raise ValidationError("不能包含换行或控制字符" if not multiline else "包含不允许的字符")
    return value


class LocalDateTime(fields.DateTime):
    """A UTC datetime shown in Asia/Shanghai, ISO 8601 with its offset."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.astimezone(SHANGHAI).isoformat(timespec="seconds")


class Text(fields.String):
    """A text field, cleaned by `clean_text` and then length-checked (one line unless
    `multiline`); its limits are documented in the OpenAPI document."""

    def __init__(self, max_length: int, min_length: int = 1, multiline: bool = False, **kwargs):
        metadata = {"pattern": MULTILINE_PATTERN if multiline else TEXT_PATTERN}
        metadata.update(kwargs.pop("metadata", {}))
        super().__init__(
            validate=validators.Length(min_length, max_length), metadata=metadata, **kwargs
        )
        self.multiline = multiline

    def _deserialize(self, value, attr, data, **kwargs):
        return clean_text(
            super()._deserialize(value, attr, data, **kwargs), multiline=self.multiline
        )


class DecimalString(fields.Decimal):
    """A Decimal sent as a string ("72.36"), and documented as one."""

    def __init__(self, pattern: str = r"^-?[0-9]+(\.[0-9]+)?$", **kwargs):
        metadata = {"type": "string", "pattern": pattern, **kwargs.pop("metadata", {})}
        super().__init__(as_string=True, metadata=metadata, **kwargs)


class Digits(fields.String):
    """ASCII digits only (after NFKC, so full-width digits are accepted as typed)."""

    def __init__(self, max_length: int, **kwargs):
        pattern = rf"^\s*[0-9０-９]{{1,{max_length}}}\s*$"
        super().__init__(metadata={"pattern": pattern, **kwargs.pop("metadata", {})}, **kwargs)
        self.pattern = re.compile(rf"[0-9]{{1,{max_length}}}")

    def _deserialize(self, value, attr, data, **kwargs):
        value = unicodedata.normalize("NFKC", super()._deserialize(value, attr, data, **kwargs))
        value = value.strip()
        if not self.pattern.fullmatch(value):
            raise ValidationError("应为数字，如 301")
        return value


def Int(**kwargs) -> fields.Integer:
    """An id in a JSON body: refuses 1.5 and "1" (strict), and values beyond 64 bits."""
    kwargs.setdefault("validate", validators.Range(1, 2**63 - 1))
    return fields.Integer(strict=True, **kwargs)


def QueryInt(**kwargs) -> fields.Integer:
    """An id in a query string (text by nature): "12" is fine, "1.5" and 2**63 are not."""
    kwargs.setdefault("validate", validators.Range(1, 2**63 - 1))
    return fields.Integer(strict=False, **kwargs)


def CompoundCode(**kwargs) -> fields.String:
    return fields.String(
        validate=validators.Regexp(r"^[A-Za-z0-9_-]{1,32}\Z", error="小区编号格式不对"), **kwargs
    )
