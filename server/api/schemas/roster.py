"""Schemas for loading a compound's roster of flats and for the compound overview."""

from __future__ import annotations

from apiflask import Schema, fields

from server.api.schemas.fields import LocalDateTime


class RosterFileIn(Schema):
    # Checked by the service after who may load the compound's roster (a compound the
    # caller does not belong to is a 404 whatever the body): bad_roster_file without it.
    file = fields.File(
        metadata={
            "description": "Required. The roster: .xlsx, or .csv (UTF-8 with or without "
            "BOM, or GBK as Excel saves it), at most 5 MB and 20,000 rows; headers "
            "楼栋, 单元, 房号, 建筑面积(m²), optionally 楼层, 状态 (自住/出租/空置), 备注"
        },
    )


class RosterQuery(Schema):
    dry_run = fields.Boolean(
        load_default=False,
        metadata={"description": "true: only the report, nothing changes"},
    )


class CreateCount(Schema):
    create = fields.Integer()


class HouseholdCounts(Schema):
    create = fields.Integer()
    update = fields.Integer()
    unchanged = fields.Integer()


class RosterProblemOut(Schema):
    row = fields.Integer(metadata={"description": "as the spreadsheet shows it: header = 1"})
    column = fields.String(metadata={"description": "the column's header, e.g. 建筑面积(m²)"})
    message = fields.String(metadata={"description": "what is wrong, in Chinese"})


class RosterChangeOut(Schema):
    label = fields.String(metadata={"description": "building-unit-room, e.g. 1-2-301"})
    needs_confirmation = fields.Boolean(
        metadata={"description": "area or vacancy changes: waits for a second committee member"}
    )
    old_area_m2 = fields.String()
    new_area_m2 = fields.String()
    old_occupancy = fields.String(metadata={"description": "occupied or vacant"})
    new_occupancy = fields.String()
    old_tenure = fields.String(allow_none=True, metadata={"description": "owner, rented"})
    new_tenure = fields.String(allow_none=True)
    old_floor = fields.Integer()
    new_floor = fields.Integer()
    old_note = fields.String(allow_none=True)
    new_note = fields.String(allow_none=True)
    old_owner_key = fields.String(
        allow_none=True,
        metadata={"description": "产权人编号: flats with the same one are one owner (one head)"},
    )
    new_owner_key = fields.String(allow_none=True)


class RosterMissingOut(Schema):
    label = fields.String()
    occupancy = fields.String()
    has_bills = fields.Boolean()
    has_people = fields.Boolean()


class RosterReportOut(Schema):
    rows = fields.Integer(metadata={"description": "data rows read"})
    buildings = fields.Nested(CreateCount)
    units = fields.Nested(CreateCount)
    households = fields.Nested(HouseholdCounts)
    pending = fields.Integer(
        metadata={"description": "existing flats whose area or vacancy change waits"}
    )
    changes = fields.List(fields.Nested(RosterChangeOut))
    missing = fields.List(
        fields.Nested(RosterMissingOut),
        metadata={"description": "flats the compound has that the file leaves out: they stay"},
    )
    problems = fields.List(fields.Nested(RosterProblemOut))
    applied = fields.Boolean()
    import_id = fields.Integer(allow_none=True)
    approval_id = fields.Integer(
        allow_none=True,
        metadata={"description": "the roster_change waiting for a second committee member"},
    )


class UnitOverviewOut(Schema):
    id = fields.Integer()
    number = fields.Integer()
    households = fields.Integer()
    vacant = fields.Integer()
    bound = fields.Integer(metadata={"description": "flats with at least one bound resident"})
    liaisons = fields.Integer(metadata={"description": "0: the unit has no liaison"})


class BuildingOverviewOut(Schema):
    id = fields.Integer()
    number = fields.Integer()
    name = fields.String()
    households = fields.Integer()
    vacant = fields.Integer()
    bound = fields.Integer()
    units_without_liaison = fields.Integer()
    units = fields.List(fields.Nested(UnitOverviewOut))


class OverviewTotals(Schema):
    buildings = fields.Integer()
    units = fields.Integer()
    households = fields.Integer()
    vacant = fields.Integer()
    bound = fields.Integer()


class LastImportOut(Schema):
    id = fields.Integer()
    created_at = LocalDateTime()
    by = fields.String(metadata={"description": "who loaded it, name masked (王**)"})
    filename = fields.String(allow_none=True)
    rows = fields.Integer()
    counts = fields.Dict()


class OverviewOut(Schema):
    code = fields.String()
    name = fields.String()
    archived = fields.Boolean()
    totals = fields.Nested(OverviewTotals)
    buildings = fields.List(fields.Nested(BuildingOverviewOut))
    last_import = fields.Nested(LastImportOut, allow_none=True)
