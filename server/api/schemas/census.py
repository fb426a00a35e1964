"""Schemas for the census (清单式摸底): a household's record, its members and tags,
the volunteers' lists and coverage, the import and export."""

from __future__ import annotations

from apiflask import Schema, fields, validators

from server.api.schemas.fields import LocalDateTime, Name, Text
from server.models.census import AGE_BANDS, CARE_TAGS, MEMBER_RELATIONS, RESIDENCES


class ReasonQuery(Schema):
    reason = Text(
        100,
        min_length=0,
        required=False,
        metadata={"description": "why (logged); default 查看住户登记"},
    )


class MemberIn(Schema):
    name = Name(32, required=True)
    relation = fields.String(required=True, validate=validators.OneOf(MEMBER_RELATIONS))
    age_band = fields.String(required=True, validate=validators.OneOf(AGE_BANDS))
    phone = fields.String(
        allow_none=True,
        validate=validators.Length(max=20),
        metadata={"description": "mobile (11 digits) or landline with area code"},
    )
    uses_wechat = fields.Boolean(load_default=False)
    consent = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Required true: the person agreed to the census notice (in the "
            "app, or aloud on the doorstep to the volunteer entering it)"
        },
    )


class MemberPatchIn(Schema):
    name = Name(32)
    relation = fields.String(validate=validators.OneOf(MEMBER_RELATIONS))
    age_band = fields.String(validate=validators.OneOf(AGE_BANDS))
    phone = fields.String(
        allow_none=True,
        validate=validators.Length(max=20),
        metadata={"description": "null or empty clears it"},
    )
    uses_wechat = fields.Boolean()


class MemberOut(Schema):
    id = fields.Integer()
    name = fields.String(allow_none=True)
    relation = fields.String()
    age_band = fields.String(allow_none=True)
    phone = fields.String(
        allow_none=True,
        metadata={
            "description": "in full for the household, its unit's liaison and the "
            "committee; masked (138****5678) for others; null if none"
        },
    )
    phone_masked = fields.String(allow_none=True)
    uses_wechat = fields.Boolean()
    bound = fields.Boolean(metadata={"description": "the person uses the app (bound account)"})


class MemberSavedOut(MemberOut):
    """A member as saved (its own class: MemberOut is also nested in CensusOut)."""


class MovedOutOut(Schema):
    id = fields.Integer()
    moved_out_at = LocalDateTime()


class HouseholdRefOut(Schema):
    id = fields.Integer()
    label = fields.String(metadata={"description": "building-unit-room, e.g. 1-1-101"})


class MayOut(Schema):
    edit_members = fields.Boolean()
    edit_tags = fields.Boolean()
    see_phone = fields.Boolean()
    move_out = fields.Boolean(metadata={"description": "may record the whole household moved out"})


class NoticeOut(Schema):
    kind = fields.String()
    version = fields.Integer()
    title = fields.String()
    text = fields.String()


class CensusOut(Schema):
    household = fields.Nested(HouseholdRefOut)
    members = fields.List(fields.Nested(MemberOut))
    tags = fields.List(
        fields.String(),
        metadata={"description": "care tags; the key is absent for callers who may not see them"},
    )
    occupancy = fields.String(metadata={"description": "lives_here, away or vacant"})
    confirmed_at = LocalDateTime(allow_none=True)
    confirmed_by = fields.String(allow_none=True)
    stale = fields.Boolean(metadata={"description": "never confirmed or over 365 days ago"})
    moved_out_at = LocalDateTime(allow_none=True)
    may = fields.Nested(MayOut)
    consent = fields.Nested(NoticeOut)


class TagsIn(Schema):
    tags = fields.List(
        fields.String(validate=validators.OneOf(CARE_TAGS)),
        required=True,
        validate=validators.Length(max=len(CARE_TAGS)),
    )


class TagsOut(Schema):
    tags = fields.List(fields.String())


class ConfirmIn(Schema):
    occupancy = fields.String(validate=validators.OneOf(RESIDENCES))


class CensusListQuery(Schema):
    unit = fields.String(
        validate=validators.Length(max=10), metadata={"description": "one unit, e.g. 1-2"}
    )
    filter = fields.String(
        load_default="all",
        validate=validators.OneOf(("to_visit", "all")),
        metadata={"description": "to_visit: never confirmed or confirmed over 365 days ago"},
    )


class CensusItemOut(Schema):
    household_id = fields.Integer()
    label = fields.String()
    members = fields.Integer()
    tags = fields.List(fields.String())
    occupancy = fields.String()
    confirmed_at = LocalDateTime(allow_none=True)
    stale = fields.Boolean()


class CoverageCounts(Schema):
    households = fields.Integer()
    confirmed = fields.Integer(metadata={"description": "confirmed within 365 days"})
    stale = fields.Integer(metadata={"description": "never confirmed or over 365 days ago"})


class CensusListOut(Schema):
    items = fields.List(fields.Nested(CensusItemOut))
    coverage = fields.Nested(CoverageCounts)


class UnitCoverageOut(CoverageCounts):
    unit = fields.String(metadata={"description": "e.g. 1-2"})
    unit_id = fields.Integer()


class BuildingCoverageOut(CoverageCounts):
    building = fields.Integer()
    units = fields.List(fields.Nested(UnitCoverageOut))


class CoverageOut(Schema):
    buildings = fields.List(fields.Nested(BuildingCoverageOut))
    totals = fields.Nested(CoverageCounts)


class CensusFileIn(Schema):
    file = fields.File(
        metadata={
            "description": "Required. .xlsx or .csv, at most 5 MB; headers 楼号 单元 房号 "
            "姓名 关系, optionally 年龄段 电话 使用微信"
        }
    )


class ImportQuery(Schema):
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "true: only the report, nothing changes"}
    )


class ImportErrorOut(Schema):
    row = fields.Integer(metadata={"description": "as the spreadsheet shows it: header = 1"})
    message = fields.String()


class ImportReportOut(Schema):
    dry_run = fields.Boolean()
    rows = fields.Integer()
    added = fields.Integer()
    updated = fields.Integer()
    errors = fields.List(fields.Nested(ImportErrorOut))


class CensusExportQuery(Schema):
    include_sensitive = fields.Boolean(
        load_default=False,
        metadata={"description": "true: phones in full (where the caller may see them) and tags"},
    )
    reason = Text(80, min_length=0, required=False, metadata={"description": "why (logged)"})
