"""Schemas for the notice board: announcements, their unread households, the board."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from server.api.schemas.fields import Count, Day, Int, LocalDateTime, Text
from server.api.schemas.proposals import ProposalSummaryOut  # owners' decisions, on the board
from server.api.schemas.spending import FundOut  # the same fund, on the board
from server.models.board import AUDIENCES

UNIT = validators.Regexp(r"^[0-9]{1,3}-[0-9]{1,2}\Z", error="单元格式应为 楼-单元，如 1-2")


class AnnouncementIn(Schema):
    title = Text(100, required=True)
    body = Text(5000, multiline=True, required=True)
    photos = fields.List(Int(), validate=Count(max=9), load_default=list)
    urgent = fields.Boolean(
        load_default=False,
        metadata={"description": "water or gas cut, safety: pushed to every household"},
    )
    pinned_until = Day(
        back=0, ahead=366, allow_none=True, metadata={"description": "pinned through this day"}
    )
    audience = fields.String(validate=validators.OneOf(AUDIENCES), load_default="compound")
    building = Int(validate=validators.Range(1, 999), metadata={"description": "audience building"})
    unit = fields.String(validate=UNIT, metadata={"description": 'audience unit: "1-2"'})


class AnnouncementQuery(Schema):
    cursor = fields.String(validate=validators.Length(max=40))
    limit = fields.Integer(strict=False, validate=validators.Range(1, 50), load_default=20)


class AnnouncementItemOut(Schema):
    id = fields.Integer()
    title = fields.String()
    urgent = fields.Boolean()
    audience = fields.String()
    audience_label = fields.String(metadata={"description": '"全小区", "1号楼" or "1号楼2单元"'})
    pinned = fields.Boolean()
    pinned_until = LocalDateTime(allow_none=True)
    created_at = LocalDateTime()
    read = fields.Boolean(metadata={"description": "the caller has opened it"})
    withdrawn = fields.Boolean()
    excerpt = fields.String()


class AnnouncementOut(AnnouncementItemOut):
    body = fields.String()
    photos = fields.List(fields.Integer(), metadata={"description": "upload ids"})
    withdrawn_at = LocalDateTime(allow_none=True)
    actions = fields.List(
        fields.String(), metadata={"description": "what the caller may do now: withdraw"}
    )


class AnnouncementListOut(Schema):
    items = fields.List(fields.Nested(AnnouncementItemOut))
    next_cursor = fields.String(allow_none=True)


class UnreadHouseholdOut(Schema):
    household_id = fields.Integer()
    label = fields.String(metadata={"description": '"1-2-301"'})
    uses_app = fields.Boolean(metadata={"description": "someone of the household is bound"})
    note = fields.String()


class UnitUnreadOut(Schema):
    label = fields.String(metadata={"description": '"1-2"'})
    households_total = fields.Integer()
    unread = fields.Integer()
    households = fields.List(fields.Nested(UnreadHouseholdOut))


class UnreadOut(Schema):
    announcement_id = fields.Integer()
    unread = fields.Integer()
    no_app = fields.Integer(metadata={"description": "unread households nobody uses the app in"})
    units = fields.List(fields.Nested(UnitUnreadOut))


class DisclosureBriefOut(Schema):
    id = fields.Integer()
    month = fields.String()
    published_at = LocalDateTime()


class CollectionRateOut(Schema):
    month = fields.String()
    households_billed = fields.Integer()
    households_paid = fields.Integer()
    collection_rate = fields.Float(allow_none=True)


class ResolvedOut(Schema):
    category = fields.String()
    category_label = fields.String()
    count = fields.Integer()


class BoardOut(Schema):
    announcements = fields.List(fields.Nested(AnnouncementItemOut))
    latest_disclosure = fields.Nested(DisclosureBriefOut, allow_none=True)
    funds = fields.List(fields.Nested(FundOut))
    collection_rate = fields.Nested(CollectionRateOut)
    resolved_this_month = fields.List(fields.Nested(ResolvedOut))
    resolved_total = fields.Integer()
    proposals = fields.List(
        fields.Nested(ProposalSummaryOut),
        metadata={"description": "on notice, voting or closed in the last 30 days (owners)"},
    )
