"""Schemas for screening sweeps (点单式排查): templates, a sweep, its units' progress,
the door-to-door list and a household's result."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from server.api.schemas.fields import Count, Int, LocalDateTime, QueryInt, Text
from server.models.campaigns import CAMPAIGN_TYPES
from server.models.issue import CATEGORIES

SCOPE = (
    '"compound" (every unit) or {"buildings": [1], "units": ["1-2"]}: building numbers '
    'and "building-unit" paths'
)


class CampaignTemplateOut(Schema):
    type = fields.String()
    label = fields.String()
    checklist = fields.List(fields.String())


class CampaignTemplateListOut(Schema):
    items = fields.List(fields.Nested(CampaignTemplateOut))


class CampaignIn(Schema):
    type = fields.String(required=True, validate=validators.OneOf(CAMPAIGN_TYPES))
    title = Text(60, required=True)
    checklist = fields.List(
        Text(30),
        validate=Count(min=1, max=30),
        metadata={"description": "the items to check; left out: the type's template"},
    )
    scope = fields.Raw(required=True, metadata={"description": SCOPE})
    due_on = fields.Date(required=True, metadata={"description": "today or later (Shanghai)"})


class CampaignProgressOut(Schema):
    visited = fields.Integer()
    total = fields.Integer()


class CampaignUnitOut(Schema):
    unit_id = fields.Integer()
    unit = fields.String(metadata={"description": '"1-2"'})
    visited = fields.Integer()
    total = fields.Integer()
    overdue = fields.Boolean()
    escalated = fields.Boolean(metadata={"description": "raised to the building lead"})


class CampaignMayOut(Schema):
    record = fields.Boolean()
    close = fields.Boolean()
    export = fields.Boolean()


class CampaignItemOut(Schema):
    id = fields.Integer()
    type = fields.String()
    type_label = fields.String()
    title = fields.String()
    scope = fields.Raw(metadata={"description": SCOPE})
    scope_label = fields.String(metadata={"description": '"全小区" or "1号楼、1号楼2单元"'})
    due_on = fields.Date()
    status = fields.String()
    status_label = fields.String()
    overdue = fields.Boolean(metadata={"description": "open, past due, not all visited"})
    progress = fields.Nested(
        CampaignProgressOut, metadata={"description": "households of my units (committee: all)"}
    )
    created_at = LocalDateTime()
    closed_at = LocalDateTime(allow_none=True)


class CampaignListOut(Schema):
    items = fields.List(fields.Nested(CampaignItemOut))


class CampaignOut(CampaignItemOut):
    checklist = fields.List(fields.String())
    units = fields.List(fields.Nested(CampaignUnitOut))
    may = fields.Nested(CampaignMayOut)


class CampaignUnitQuery(Schema):
    unit_id = QueryInt(required=True)


class CampaignItemResult(Schema):
    item = Text(30, required=True)
    ok = fields.Boolean(required=True)
    note = Text(200, allow_none=True)


class CampaignActionIn(Schema):
    category = fields.String(validate=validators.OneOf(CATEGORIES))
    title = Text(30)


class CampaignResultIn(Schema):
    household_id = Int(required=True)
    items = fields.List(
        fields.Nested(CampaignItemResult), required=True, validate=Count(min=1, max=30)
    )
    needs_action = fields.Boolean(load_default=False)
    photos = fields.List(Int(), validate=Count(max=9), load_default=list)
    note = Text(500, multiline=True, allow_none=True)
    action = fields.Nested(CampaignActionIn, allow_none=True)


class CampaignResultOut(Schema):
    id = fields.Integer()
    household_id = fields.Integer()
    items = fields.List(fields.Nested(CampaignItemResult))
    note = fields.String(allow_none=True)
    needs_action = fields.Boolean()
    issue_id = fields.Integer(allow_none=True)
    photos = fields.List(fields.Integer(), metadata={"description": "upload ids"})
    recorded_by = fields.String(allow_none=True)
    recorded_at = LocalDateTime()


class CampaignRecordedOut(Schema):
    result = fields.Nested(CampaignResultOut)
    issue_id = fields.Integer(allow_none=True)


class CampaignHouseholdOut(Schema):
    household_id = fields.Integer()
    label = fields.String(metadata={"description": '"1-2-301"'})
    result = fields.Nested(CampaignResultOut, allow_none=True)


class CampaignHouseholdListOut(Schema):
    items = fields.List(fields.Nested(CampaignHouseholdOut))
