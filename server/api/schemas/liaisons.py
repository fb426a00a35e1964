"""Schemas for 我的联络人 and a volunteer's shared phone."""

from __future__ import annotations

from apiflask import Schema, fields, validators


class ContactOut(Schema):
    role = fields.String(metadata={"description": "liaison or building_lead"})
    name = fields.String()
    phone = fields.String(
        allow_none=True, metadata={"description": "in full, only when the volunteer shares it"}
    )
    phone_masked = fields.String(allow_none=True, metadata={"description": "138****5678"})


class HomeContactsOut(Schema):
    household_id = fields.Integer()
    household = fields.String(metadata={"description": '"1-2-301"'})
    compound = fields.String()
    compound_name = fields.String()
    unit = fields.String(metadata={"description": '"1-2"'})
    unit_label = fields.String(metadata={"description": '"1号楼2单元"'})
    liaisons = fields.List(fields.Nested(ContactOut))
    building_leads = fields.List(
        fields.Nested(ContactOut), metadata={"description": "only when the unit has no liaison"}
    )
    note = fields.String(allow_none=True, metadata={"description": "when there is nobody"})


class MyLiaisonsOut(Schema):
    items = fields.List(fields.Nested(HomeContactsOut))


class SharedPhoneIn(Schema):
    phone = fields.String(
        required=True,
        allow_none=True,
        validate=validators.Length(max=32),
        metadata={"description": "an 11-digit mainland mobile; null to stop sharing"},
    )


class SharedPhoneOut(Schema):
    phone = fields.String(allow_none=True)
    phone_masked = fields.String(allow_none=True)
