"""Field types shared by the schemas: cleaned text, names, digits, strict integers,
bounded days, local times, counted lists."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from apiflask import fields, validators
from marshmallow import ValidationError

from server.clock import SHANGHAI, utcnow

# Bidirectional overrides and isolates can make a name read differently than it is.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Unicode's Default_Ignorable_Code_Point: shown as nothing where not supported (the
# variation selectors U+FE00–FE0F and U+E0100–E01EF, the combining grapheme joiner,
# Mongolian and Khmer fillers, the Hangul fillers WeChat nicknames use to look blank,
# zero-width and bidi controls, tags...). Python's unicodedata does not carry the
# property: these are its ranges (Unicode 15, DerivedCoreProperties.txt).
DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# Shown as nothing, yet neither ignorable nor a format character: the blank braille
# pattern (category So).
_BLANK_LETTERS = set("\u2800")

# What a text field may not contain, as a JSON-schema pattern for the document.
_NOT_TEXT = "\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069"
TEXT_PATTERN = f"^[^{_NOT_TEXT}]*$"
MULTILINE_PATTERN = (
    "^[^\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]*$"
)
# Names also refuse the invisible characters of `clean_name`: the ignorable ones and
# the blank braille pattern (other format characters, rarer, only in the code).
_INVISIBLE = "".join(
    chr(first) if first == last else f"{chr(first)}-{chr(last)}"
    for first, last in DEFAULT_IGNORABLE
) + "".join(sorted(_BLANK_LETTERS))
NAME_PATTERN = f"^[^{_NOT_TEXT}{_INVISIBLE}]*$"

UNREADABLE = "包含无法识别的字符，请删除后重新输入"
INVISIBLE = "不能包含看不见的字符（如零宽空格），请删除后重新输入"
MARKS_ONLY = "称呼里要有文字，不能只有附加符号"
_SPACES = re.compile(r"\s+")


def has_lone_surrogate(text: str) -> bool:
    """A UTF-16 half ("\\ud800") JSON can carry but no database or UTF-8 can store."""
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Stripped, with invisible format characters (zero-width spaces, BOMs...) removed;
    refusing lone surrogates, control characters, line/paragraph separators and bidi
    overrides. (Not NFKC-normalised: that would turn Chinese full-width punctuation
    into ASCII; codes and digits are normalised where they are parsed.)"""
    if has_lone_surrogate(value):
        raise ValidationError(UNREADABLE)
    for ch in value:
        if multiline and ch == "\n":
            continue
        if unicodedata.category(ch) in {"Cc", "Zl", "Zp"} or ch in _BIDI:
            raise ValidationError("不能包含换行或控制字符" if not multiline else "包含不允许的字符")
    return "".join(ch for ch in value if not _invisible(ch)).strip()


def clean_name(value: str) -> str:
    """A person's name as neighbours will read it: one line, runs of any kind of space
    as one plain space, and no invisible characters at all (refused, not dropped, so
    two names that look the same are the same string); nor a name of combining marks
    alone (accents on nothing)."""
    if has_lone_surrogate(value):
        raise ValidationError(UNREADABLE)
    if any(_invisible(ch) for ch in value):
        raise ValidationError(INVISIBLE)
    name = _SPACES.sub(" ", clean_text(value))
    if name and all(unicodedata.category(ch).startswith("M") or ch == " " for ch in name):
        raise ValidationError(MARKS_ONLY)
    return name


def _invisible(ch: str) -> bool:
    """Default-ignorable code points, other format characters (category Cf) and
    letters that show as nothing. Bidi controls are ignorable too; `clean_text`
    refuses them (they reorder what is shown), the rest it drops."""
    if ch in _BIDI:
        return False
    return _ignorable(ord(ch)) or unicodedata.category(ch) == "Cf" or ch in _BLANK_LETTERS


def _ignorable(code: int) -> bool:
    return any(first <= code <= last for first, last in DEFAULT_IGNORABLE)


class LocalDateTime(fields.DateTime):
    """A UTC datetime shown in Asia/Shanghai, ISO 8601 with its offset."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.astimezone(SHANGHAI).isoformat(timespec="seconds")


class _Length(validators.Length):
    """marshmallow's Length, telling in Chinese what was too short or too long in
    `unit`s (a text's 字, a list's 个): its own message says "Longer than maximum
    length" of strings and lists alike."""

    unit = "个"

    def __call__(self, value):
        if self.min is not None and len(value) < self.min:
            raise ValidationError("不能为空" if self.min == 1 else f"至少 {self.min} {self.unit}")
        if self.max is not None and len(value) > self.max:
            raise ValidationError(f"最多 {self.max} {self.unit}")
        return value


class Chars(_Length):
    """A text's length in characters."""

    unit = "个字"


class Count(_Length):
    """How many items a list holds."""

    unit = "个"


class Text(fields.String):
    """A text field, cleaned by `clean_text` and then length-checked (one line unless
    `multiline`); its limits are documented in the OpenAPI document."""

    pattern = TEXT_PATTERN

    def __init__(self, max_length: int, min_length: int = 1, multiline: bool = False, **kwargs):
        metadata = {"pattern": MULTILINE_PATTERN if multiline else self.pattern}
        metadata.update(kwargs.pop("metadata", {}))
        super().__init__(validate=Chars(min_length, max_length), metadata=metadata, **kwargs)
        self.multiline = multiline

    def _deserialize(self, value, attr, data, **kwargs):
        return self.clean(super()._deserialize(value, attr, data, **kwargs))

    def clean(self, value: str) -> str:
        return clean_text(value, multiline=self.multiline)


class Name(Text):
    """How a person is called (a resident binding themself, a neighbour filed for):
    invisible characters are refused (`clean_name`)."""

    pattern = NAME_PATTERN

    def __init__(self, max_length: int = 32, **kwargs):
        super().__init__(max_length, **kwargs)

    def clean(self, value: str) -> str:
        return clean_name(value)


# Every calendar day a client sends lies after this (the register's history included).
EARLIEST_DAY = date(2000, 1, 1)


class Day(fields.Date):
    """A calendar day ("2026-12-04") within a plausible window around today in Asia/
    Shanghai: `back` days before it (None: from EARLIEST_DAY) to `ahead` days after.
    A typo such as 0001-01-01 or 2062 is refused with the window in the message;
    the use case keeps its own finer rule (a payment not after today...)."""

    def __init__(self, *, back: int | None, ahead: int, **kwargs):
        description = (
            f"a day from {back} days before today" if back is not None else "a day from 2000-01-01"
        ) + f" to {ahead} days after (Asia/Shanghai)"
        metadata = {"description": description, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)
        self.back, self.ahead = back, ahead

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        today = utcnow().astimezone(SHANGHAI).date()
        earliest = today - timedelta(days=self.back) if self.back is not None else EARLIEST_DAY
        latest = today + timedelta(days=self.ahead)
        if not earliest <= day <= latest:
            raise ValidationError(f"日期应在 {earliest.isoformat()} 到 {latest.isoformat()} 之间")
        return day


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


# A bill period (a month): "2026-12".
MONTH = validators.Regexp(
    r"^20[0-9]{2}-(0[1-9]|1[0-2])\Z", error="账期格式应为 YYYY-MM，如 2026-12"
)
