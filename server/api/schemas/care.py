"""Schemas for care visits: the cadences, recording a visit, a household's visits."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from server.api.schemas.fields import Count, Day, LocalDateTime, Text
from server.models.census import VISIT_HOWS, VISIT_METHODS
from server.services.care.settings import VISITING_TAGS


class CadenceOut(Schema):
    tag = fields.String()
    tag_label = fields.String()
    every_days = fields.Integer(metadata={"description": "days between visits; 0: not visited"})
    default = fields.Integer(metadata={"description": "the default days for this tag"})


class CadenceListOut(Schema):
    items = fields.List(fields.Nested(CadenceOut))


class CadenceIn(Schema):
    tag = fields.String(required=True, validate=validators.OneOf(VISITING_TAGS))
    every_days = fields.Integer(
        strict=True,
        required=True,
        validate=validators.Range(0, 365),
        metadata={"description": "1–365 days between visits; 0 turns the tag's visits off"},
    )


class CadencesIn(Schema):
    items = fields.List(
        fields.Nested(CadenceIn), required=True, validate=Count(1, len(VISITING_TAGS))
    )


class VisitRecordIn(Schema):
    how = fields.String(required=True, validate=validators.OneOf(VISIT_HOWS))
    concern = fields.Boolean(
        load_default=False, metadata={"description": "something worrying: the committee is told"}
    )
    note = Text(500, multiline=True, allow_none=True, load_default=None)
    method = fields.String(load_default="visit", validate=validators.OneOf(VISIT_METHODS))
    visited_on = Day(back=366, ahead=0, allow_none=True, load_default=None)
    open_issue = fields.Boolean(
        load_default=False, metadata={"description": "open a care issue for the household"}
    )


class VisitOut(Schema):
    id = fields.Integer()
    household_id = fields.Integer()
    label = fields.String(metadata={"description": '"1-1-101"'})
    tag = fields.String(metadata={"description": "the care tag whose cadence made it"})
    tag_label = fields.String()
    due_on = fields.Date()
    overdue = fields.Boolean()
    status = fields.String(metadata={"description": "due | done"})
    status_label = fields.String()
    escalation_level = fields.Integer(
        metadata={"description": "0; 1: building lead told; 2: committee told"}
    )
    how = fields.String(allow_none=True)
    how_label = fields.String(allow_none=True)
    concern = fields.Boolean()
    method = fields.String(allow_none=True)
    method_label = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    visited_on = fields.Date(allow_none=True)
    recorded_by = fields.String(allow_none=True)
    recorded_at = LocalDateTime(allow_none=True)
    issue_id = fields.Integer(allow_none=True, metadata={"description": "the care issue opened"})


class RecordedVisitOut(VisitOut):
    next_due_on = fields.Date(
        allow_none=True, metadata={"description": "the household's next visit (null: none)"}
    )


class CareHouseholdOut(Schema):
    id = fields.Integer()
    label = fields.String()


class VisitHistoryOut(Schema):
    household = fields.Nested(CareHouseholdOut)
    items = fields.List(fields.Nested(VisitOut))
    may_record = fields.Boolean(metadata={"description": "I may record its open visit"})
