"""Request and response schemas: they validate input and generate the OpenAPI document."""

from __future__ import annotations

import re
import unicodedata
from zoneinfo import ZoneInfo

from apiflask import Schema, fields, validators
from marshmallow import ValidationError

from server.models.user import RELATIONS

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Bidirectional overrides and isolates can make a name read differently than it is.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """NFKC-normalised (full-width digits from a Chinese IME become 0-9), stripped,
    refusing control characters, line/paragraph separators and bidi overrides."""
    value = unicodedata.normalize("NFKC", value).strip()
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
    `multiline`)."""

    def __init__(self, max_length: int, min_length: int = 1, multiline: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.multiline = multiline
        self.length = validators.Length(min_length, max_length)

    def _deserialize(self, value, attr, data, **kwargs):
        value = clean_text(
            super()._deserialize(value, attr, data, **kwargs), multiline=self.multiline
        )
        return self.length(value)


class Digits(fields.String):
    """ASCII digits only (after NFKC, so full-width digits are accepted as typed)."""

    def __init__(self, max_length: int, **kwargs):
        super().__init__(**kwargs)
        self.pattern = re.compile(rf"[0-9]{{1,{max_length}}}")

    def _deserialize(self, value, attr, data, **kwargs):
        value = unicodedata.normalize("NFKC", super()._deserialize(value, attr, data, **kwargs))
        value = value.strip()
        if not self.pattern.fullmatch(value):
            raise ValidationError("应为数字，如 301")
        return value


def Int(**kwargs) -> fields.Integer:
    """An integer that refuses 1.5 and "1" (strict), and values beyond 64 bits."""
    kwargs.setdefault("validate", validators.Range(1, 2**63 - 1))
    return fields.Integer(strict=True, **kwargs)


# ----- auth and me -----


class LoginIn(Schema):
    code = fields.String(
        required=True,
        validate=[
            validators.Length(1, 128),
            validators.Regexp(r"^[\x21-\x7e]+\Z", error="登录凭证格式不对"),
        ],
        metadata={"description": "The code from wx.login()"},
    )


class RoleOut(Schema):
    role = fields.String()
    scope = fields.String(
        metadata={"description": "household, unit, building, compound or platform"}
    )
    scope_id = fields.Integer(allow_none=True)
    compound = fields.String(allow_none=True)
    compound_name = fields.String(allow_none=True)
    label = fields.String(
        metadata={"description": 'e.g. "1-1-101", "1-1", "1" or the compound name'}
    )


class HouseholdOut(Schema):
    id = fields.Integer()
    compound = fields.String()
    compound_name = fields.String()
    building = fields.Integer()
    unit = fields.Integer()
    room = fields.String()
    floor = fields.Integer()
    area_m2 = fields.Decimal(as_string=True, metadata={"description": "floor area, m², 2 decimals"})
    occupancy = fields.String()
    relation = fields.String(allow_none=True)
    label = fields.String()


class UserOut(Schema):
    id = fields.Integer()
    nickname = fields.String(allow_none=True)
    roles = fields.List(fields.Nested(RoleOut))
    households = fields.List(fields.Nested(HouseholdOut))


class LoginOut(Schema):
    token = fields.String()
    expires_in = fields.Integer(metadata={"description": "seconds"})
    user = fields.Nested(UserOut)


# ----- compounds -----


class UnitOut(Schema):
    id = fields.Integer()
    number = fields.Integer()


class BuildingOut(Schema):
    number = fields.Integer()
    name = fields.String(allow_none=True)
    units = fields.List(fields.Nested(UnitOut))


class CompoundOut(Schema):
    code = fields.String()
    name = fields.String()
    address = fields.String(allow_none=True)
    buildings = fields.List(fields.Nested(BuildingOut))


# ----- bindings -----


def CompoundCode(**kwargs) -> fields.String:
    return fields.String(
        validate=validators.Regexp(r"^[A-Za-z0-9_-]{1,32}\Z", error="小区编号格式不对"), **kwargs
    )


class BindingIn(Schema):
    compound = CompoundCode(required=True)
    building = Int(required=True, validate=validators.Range(1, 999))
    unit = Int(required=True, validate=validators.Range(1, 99))
    room = Digits(6, required=True)
    name = Text(
        32, required=True, metadata={"description": "how the requester is known to neighbours"}
    )
    relation = fields.String(required=True, validate=validators.OneOf(RELATIONS))


class BindingHouseholdOut(Schema):
    id = fields.Integer()
    label = fields.String()
    area_m2 = fields.Decimal(as_string=True)


class BindingOut(Schema):
    id = fields.Integer()
    status = fields.String()
    name = fields.String()
    relation = fields.String()
    reason = fields.String(allow_none=True)
    household = fields.Nested(BindingHouseholdOut)
    created_at = LocalDateTime()
    decided_at = LocalDateTime(allow_none=True)


class BindingListOut(Schema):
    items = fields.List(fields.Nested(BindingOut))


class BindingQuery(Schema):
    status = fields.String(
        load_default="pending",
        validate=validators.OneOf(("pending", "approved", "rejected", "cancelled", "expired")),
    )


class RejectIn(Schema):
    reason = Text(200, required=True, metadata={"description": "shown to the requester"})


# ----- invites -----


class InviteIssueIn(Schema):
    compound = CompoundCode(required=True)
    building = Int(validate=validators.Range(1, 999))
    unit = fields.String(
        validate=validators.Regexp(
            r"^[0-9]{1,3}-[0-9]{1,2}\Z", error="单元格式应为 楼-单元，如 1-2"
        )
    )


class InviteOut(Schema):
    household_id = fields.Integer(attribute="household.id")
    label = fields.String(attribute="household.label")
    code = fields.String()
    expires_at = LocalDateTime()


class InviteListOut(Schema):
    items = fields.List(fields.Nested(InviteOut))


class RedeemIn(Schema):
    code = fields.String(required=True, validate=validators.Length(4, 20))
    name = Text(32, required=True)
    relation = fields.String(required=True, validate=validators.OneOf(RELATIONS))


class RedeemOut(Schema):
    household = fields.Nested(BindingHouseholdOut)
    user = fields.Nested(UserOut)


class HealthOut(Schema):
    status = fields.String()
    database = fields.String()
