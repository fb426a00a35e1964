"""Schemas for signing in, who I am, compounds, bindings and invites."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from server.api.schemas.fields import (
    Chars,
    CompoundCode,
    DecimalString,
    Digits,
    Int,
    LocalDateTime,
    Name,
    Text,
)
from server.models.user import RELATIONS

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
    area_m2 = DecimalString(metadata={"description": "floor area, m², 2 decimals"})
    occupancy = fields.String()
    relation = fields.String(allow_none=True)
    label = fields.String()


class UserOut(Schema):
    id = fields.Integer()
    nickname = fields.String(allow_none=True)
    roles = fields.List(fields.Nested(RoleOut))
    households = fields.List(fields.Nested(HouseholdOut))
    shared_phone = fields.String(
        allow_none=True,
        metadata={"description": "the number I share with the residents I serve (volunteers)"},
    )


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
    district = fields.String(allow_none=True)
    street = fields.String(allow_none=True)
    archived = fields.Boolean()
    buildings = fields.List(fields.Nested(BuildingOut))
    # The street office and the compound's committee only (absent for everyone else).
    pay_merchant = fields.String(
        allow_none=True, metadata={"description": "the WeChat Pay merchant new orders go to"}
    )
    pay_version = fields.String(allow_none=True, metadata={"description": '"v2" or "v3"'})
    pay_merchant_is_default = fields.Boolean()


# ----- bindings -----


class BindingIn(Schema):
    compound = CompoundCode(required=True)
    building = Int(required=True, validate=validators.Range(1, 999))
    unit = Int(required=True, validate=validators.Range(1, 99))
    room = Digits(6, required=True)
    name = Name(
        32, required=True, metadata={"description": "how the requester is known to neighbours"}
    )
    relation = fields.String(required=True, validate=validators.OneOf(RELATIONS))
    consent_version = Int(
        validate=validators.Range(1, 999),
        metadata={
            "description": "the version of the binding notice (GET /consent/binding) the "
            "requester read and agreed to; omitted: the current one"
        },
    )


class BindingHouseholdOut(Schema):
    id = fields.Integer()
    label = fields.String()
    area_m2 = DecimalString()


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
    next_cursor = fields.String(
        allow_none=True, metadata={"description": "?cursor= for the next page; null: no more"}
    )
    total = fields.Integer(metadata={"description": "how many requests of this status I may see"})


class BindingQuery(Schema):
    status = fields.String(
        load_default="pending",
        validate=validators.OneOf(("pending", "approved", "rejected", "cancelled", "expired")),
    )
    cursor = fields.String(validate=Chars(max=40))
    limit = fields.Integer(strict=False, validate=validators.Range(1, 100), load_default=50)


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
    code = fields.String(required=True, validate=Chars(4, 20))
    name = Name(32, required=True)
    relation = fields.String(required=True, validate=validators.OneOf(RELATIONS))
    consent_version = Int(
        validate=validators.Range(1, 999),
        metadata={
            "description": "the version of the binding notice (GET /consent/binding) the "
            "resident read and agreed to; omitted: the current one"
        },
    )


class RedeemOut(Schema):
    household = fields.Nested(BindingHouseholdOut)
    user = fields.Nested(UserOut)


class HealthOut(Schema):
    status = fields.String()
    database = fields.String()
    replica = fields.String(metadata={"description": "ok, down (reads go to the primary), none"})


class UnitHouseholdOut(Schema):
    id = fields.Integer()
    room = fields.String()
    floor = fields.Integer()
    label = fields.String()
    occupancy = fields.String()


class UnitHouseholdListOut(Schema):
    items = fields.List(fields.Nested(UnitHouseholdOut))
