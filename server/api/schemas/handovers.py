"""Schemas for liaison handovers: the preview, the handover itself and the list."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from server.api.schemas.fields import Int, LocalDateTime, QueryInt, Text


class HandoverIn(Schema):
    unit = Text(
        16,
        min_length=0,
        load_default=None,
        allow_none=True,
        metadata={"description": 'the unit handed over, "1-2" (building 1, unit 2)'},
    )
    to_user_id = Int(required=True, metadata={"description": "the successor"})
    from_user_id = Int(
        load_default=None,
        allow_none=True,
        metadata={"description": "the liaison stepping down (needed when the unit has several)"},
    )


class PreviewQuery(Schema):
    unit = Text(16, min_length=0, load_default=None, metadata={"description": '"1-2"'})


class HandoverListQuery(Schema):
    before = QueryInt(metadata={"description": "the `next_before` of the previous page"})
    limit = fields.Integer(strict=False, validate=validators.Range(1, 50), load_default=20)


class HandoverOut(Schema):
    id = fields.Integer()
    unit = fields.String(metadata={"description": '"1-2"'})
    unit_label = fields.String(metadata={"description": '"1号楼2单元"'})
    from_user_id = fields.Integer(allow_none=True)
    from_name = fields.String(allow_none=True)
    to_user_id = fields.Integer()
    to_name = fields.String()
    created_by_name = fields.String(allow_none=True)
    created_at = LocalDateTime()
    issues = fields.List(fields.Integer(), metadata={"description": "ids of the issues moved"})
    return_visits = fields.List(
        fields.Integer(), metadata={"description": "ids of the in-person return visits moved"}
    )
    care_visits = fields.List(
        fields.Integer(), metadata={"description": "ids of the open care visits moved"}
    )
    binding_requests = fields.Integer(metadata={"description": "pending, follow the role"})
    unpaid_households = fields.Integer(metadata={"description": "follow the role"})
    summary = fields.String(
        metadata={"description": "what moved, as the successor is told (在办事项 2 件，…)"}
    )


class HandoverListOut(Schema):
    items = fields.List(fields.Nested(HandoverOut))
    next_before = fields.Integer(allow_none=True)


class LiaisonLoadOut(Schema):
    user_id = fields.Integer()
    name = fields.String()
    issues = fields.Integer(metadata={"description": "open issues they handle"})
    return_visits = fields.Integer(metadata={"description": "in-person visits they are to make"})
    care_visits = fields.Integer(metadata={"description": "open care visits assigned to them"})


class CandidateRoleOut(Schema):
    role = fields.String()
    label = fields.String(allow_none=True, metadata={"description": '"1-2-101", "1-2", "1"'})


class CandidateOut(Schema):
    user_id = fields.Integer()
    name = fields.String()
    roles = fields.List(fields.Nested(CandidateRoleOut))


class PreviewOut(Schema):
    unit = fields.String()
    unit_label = fields.String()
    liaisons = fields.List(fields.Nested(LiaisonLoadOut))
    binding_requests = fields.Integer()
    unpaid_households = fields.Integer()
    candidates = fields.List(fields.Nested(CandidateOut))
