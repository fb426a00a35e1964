"""Schemas for issues, their timeline, return visits, deadlines, registers and figures."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from server.api.schemas.fields import (
    CompoundCode,
    Count,
    Day,
    Int,
    LocalDateTime,
    Name,
    QueryInt,
    Text,
)
from server.models.issue import CATEGORIES, STATUSES
from server.services.issues.states import ACTIONS


class IssueIn(Schema):
    category = fields.String(required=True, validate=validators.OneOf(CATEGORIES))
    title = Text(30, required=True)
    description = Text(1000, multiline=True, required=True)
    household_id = Int(allow_none=True, metadata={"description": "about one household"})
    unit_id = Int(allow_none=True, metadata={"description": "a stairwell unit's common parts"})
    building_id = Int(allow_none=True, metadata={"description": "a building's common parts"})
    compound = CompoundCode(
        allow_none=True, metadata={"description": "common area: which compound (if several)"}
    )
    photos = fields.List(Int(), validate=Count(max=9), load_default=list)
    show_name = fields.Boolean(load_default=False)
    on_behalf_name = Name(
        32,
        allow_none=True,
        metadata={"description": "a liaison filing for a neighbour without WeChat: who"},
    )


class IssueQuery(Schema):
    status = fields.String(validate=validators.OneOf(STATUSES))
    category = fields.String(validate=validators.OneOf(CATEGORIES))
    building_id = QueryInt()
    unit_id = QueryInt()
    overdue = fields.Boolean()
    mine = fields.Boolean(load_default=False)
    handled = fields.Boolean(
        load_default=False, metadata={"description": "only issues I handle (workspace)"}
    )
    compound = CompoundCode()
    cursor = fields.String(validate=validators.Length(max=40))
    limit = fields.Integer(strict=False, validate=validators.Range(1, 50), load_default=20)


class LatestOut(Schema):
    action = fields.String()
    action_label = fields.String()
    note = fields.String(allow_none=True)
    created_at = LocalDateTime()


class IssueItemOut(Schema):
    id = fields.Integer()
    category = fields.String()
    category_label = fields.String()
    title = fields.String()
    status = fields.String()
    status_label = fields.String()
    location = fields.String()
    created_at = LocalDateTime()
    overdue = fields.Boolean()
    photo_count = fields.Integer()
    latest = fields.Nested(LatestOut, allow_none=True)


class IssueListOut(Schema):
    items = fields.List(fields.Nested(IssueItemOut))
    next_cursor = fields.String(allow_none=True)


class EventOut(Schema):
    id = fields.Integer()
    action = fields.String()
    action_label = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    actor_name = fields.String(allow_none=True)
    actor_role = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    data = fields.Dict(allow_none=True)
    photos = fields.List(fields.Integer())
    created_at = LocalDateTime()


class ReferralOut(Schema):
    body = fields.String(allow_none=True)
    contact = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    follow_up_on = fields.Date(allow_none=True)


class IssueOut(IssueItemOut):
    description = fields.String()
    show_name = fields.Boolean()
    reporter_name = fields.String(allow_none=True)
    on_behalf_name = fields.String(allow_none=True)
    track = fields.String(allow_none=True)
    referral = fields.Nested(ReferralOut, allow_none=True)
    rating = fields.Integer(allow_none=True)
    feedback = fields.String(allow_none=True)
    reject_reason = fields.String(allow_none=True)
    duplicate_of = fields.Integer(allow_none=True)
    response_due_at = LocalDateTime()
    resolution_due_at = LocalDateTime()
    accepted_at = LocalDateTime(allow_none=True)
    resolved_at = LocalDateTime(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)
    photos = fields.List(fields.Integer())
    timeline = fields.List(fields.Nested(EventOut))
    actions = fields.List(fields.String(), metadata={"description": "what I may do now"})
    can_answer_return_visit = fields.Boolean()
    is_reporter = fields.Boolean(
        metadata={"description": "I reported it (or filed it for a neighbour): I confirm or reopen"}
    )


class TransitionIn(Schema):
    action = fields.String(required=True, validate=validators.OneOf(ACTIONS))
    note = Text(500, multiline=True, allow_none=True)
    photos = fields.List(Int(), validate=Count(max=9), load_default=list)
    rating = fields.Integer(strict=True, validate=validators.Range(1, 5), allow_none=True)
    referral_body = Text(60, allow_none=True, metadata={"description": "refer: who handles it"})
    referral_contact = Text(60, allow_none=True)
    referral_ref = Text(60, allow_none=True, metadata={"description": "their reference number"})
    # Within a year of today: the use case refuses a day already gone.
    follow_up_on = Day(
        back=366, ahead=366, allow_none=True, metadata={"description": "refer: when to chase"}
    )
    duplicate_of = Int(allow_none=True)


class ReturnVisitIn(Schema):
    fixed = fields.Boolean(required=True)
    note = Text(500, multiline=True, allow_none=True)


class ReturnVisitOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.String()
    answer = fields.String(allow_none=True)
    answered_at = LocalDateTime(allow_none=True)


class TaskOut(Schema):
    """One task: an in-person return visit (kind "return_visit": issue_id, title,
    category, due_at, on_behalf_name) or a care visit (kind "care_visit": household_id,
    label, tag, due_on, overdue, escalation_level); visit_id is the visit of its kind."""

    kind = fields.String(metadata={"description": "return_visit | care_visit"})
    visit_id = fields.Integer()
    # A return visit.
    issue_id = fields.Integer()
    title = fields.String()
    category = fields.String()
    due_at = LocalDateTime()
    on_behalf_name = fields.String(allow_none=True)
    # A care visit.
    household_id = fields.Integer()
    label = fields.String(metadata={"description": '"1-1-101"'})
    tag = fields.String()
    tag_label = fields.String()
    due_on = fields.Date()
    overdue = fields.Boolean()
    escalation_level = fields.Integer(
        metadata={"description": "0; 1: the building lead was told; 2: the committee"}
    )


class TaskListOut(Schema):
    items = fields.List(fields.Nested(TaskOut))


class PolicyOut(Schema):
    category = fields.String()
    accept_hours = fields.Integer()
    resolve_days = fields.Integer()


class PolicyListOut(Schema):
    items = fields.List(fields.Nested(PolicyOut))


class PolicyIn(Schema):
    accept_hours = fields.Integer(strict=True, required=True, validate=validators.Range(1, 720))
    resolve_days = fields.Integer(strict=True, required=True, validate=validators.Range(1, 365))


class ExportQuery(Schema):
    compound = CompoundCode(required=True)
    category = fields.String(validate=validators.OneOf(CATEGORIES))
    status = fields.String(validate=validators.OneOf(STATUSES))
    building_id = QueryInt()
    reported_from = Day(
        back=None, ahead=366, metadata={"description": "reported on or after (Asia/Shanghai)"}
    )
    reported_to = Day(
        back=None, ahead=366, metadata={"description": "reported on or before (Asia/Shanghai)"}
    )
    overdue = fields.Boolean()
    sort = fields.String(
        load_default="reported",
        validate=validators.OneOf(("reported", "reported_desc", "due", "status", "location")),
    )


class StatsQuery(Schema):
    compound = CompoundCode(required=True)
    month = fields.String(
        required=True,
        validate=validators.Regexp(r"^20[0-9]{2}-(0[1-9]|1[0-2])\Z", error="月份格式应为 YYYY-MM"),
    )


class FiguresOut(Schema):
    reported = fields.Integer()
    resolved = fields.Integer()
    closed = fields.Integer()
    median_hours_to_accept = fields.Float(allow_none=True)
    median_hours_to_resolve = fields.Float(allow_none=True)
    satisfaction = fields.Float(allow_none=True, metadata={"description": "mean rating 1–5"})
    ratings = fields.Integer()


class CategoryFiguresOut(FiguresOut):
    category = fields.String()
    label = fields.String()


class BuildingFiguresOut(FiguresOut):
    building = fields.Integer(allow_none=True, metadata={"description": "null: common areas"})


class VisitAnswersOut(Schema):
    answered = fields.Integer()
    fixed = fields.Integer()
    not_fixed = fields.Integer()


class StatsOut(FiguresOut):
    month = fields.String()
    return_visits = fields.Nested(VisitAnswersOut)
    by_category = fields.List(fields.Nested(CategoryFiguresOut))
    by_building = fields.List(fields.Nested(BuildingFiguresOut))
