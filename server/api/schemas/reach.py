"""Schemas for who a WeChat push can reach: my own subscriptions, a compound's volunteers."""

from __future__ import annotations

from apiflask import Schema, fields

CHANNEL = {
    "description": "official_account (template messages, no tapping), subscribe (one send "
    "per accept, `remaining` left) or inbox (the in-app inbox only)"
}


class MessageReachOut(Schema):
    name = fields.String(
        metadata={"description": "new_issue, issue_status, return_visit, reminder"}
    )
    template_id = fields.String(
        allow_none=True, metadata={"description": "for wx.requestSubscribeMessage"}
    )
    channel = fields.String(metadata=CHANNEL)
    remaining = fields.Integer(metadata={"description": "subscribe sends left"})


class PushStatusOut(Schema):
    official_account_enabled = fields.Boolean(
        metadata={"description": "the official account sends handlers' messages here"}
    )
    official_account_linked = fields.Boolean(
        metadata={"description": "I follow the official account (linked through unionid)"}
    )
    messages = fields.List(fields.Nested(MessageReachOut))


class VolunteerReachOut(Schema):
    user_id = fields.Integer()
    name = fields.String(
        metadata={"description": "the name given when binding to a home here, else nickname"}
    )
    role = fields.String()
    place = fields.String(allow_none=True, metadata={"description": "a building lead's building"})
    channel = fields.String(
        metadata={"description": CHANNEL["description"] + ", or disabled (account switched off)"}
    )
    new_issue_left = fields.Integer()
    reminder_left = fields.Integer()
    never_signed_in = fields.Boolean()


class UnitReachOut(Schema):
    unit_id = fields.Integer()
    label = fields.String(metadata={"description": '"1-2": building-unit'})
    status = fields.String(
        metadata={
            "description": "no_liaison, inbox_only (no liaison can be pushed), low (2 or fewer "
            "subscribe sends left between them), ok"
        }
    )
    liaisons = fields.List(fields.Nested(VolunteerReachOut))


class CompoundReachOut(Schema):
    compound = fields.String()
    compound_name = fields.String()
    official_account_enabled = fields.Boolean()
    counts = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": "units per status"}
    )
    units = fields.List(fields.Nested(UnitReachOut), metadata={"description": "gaps first"})
    building_leads = fields.List(fields.Nested(VolunteerReachOut))
    committee = fields.List(fields.Nested(VolunteerReachOut))
