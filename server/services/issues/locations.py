"""Human labels for where an issue is: "1-1-101", "1号楼2单元", "3号楼", "小区公共区域"."""

from __future__ import annotations

from sqlalchemy import and_, select

from server.extensions import db
from server.models import Building, Household, Unit
from server.models.issue import Issue

COMMON_AREA = "小区公共区域"


def location_label(building_no: int | None, unit_no: int | None, room: str | None) -> str:
    if room is not None:
        return f"{building_no}-{unit_no}-{room}"
    if unit_no is not None:
        return f"{building_no}号楼{unit_no}单元"
    if building_no is not None:
        return f"{building_no}号楼"
    return COMMON_AREA


def location_of(issue: Issue) -> str:
    """The label of one issue's location (one query at most)."""
    if issue.building_id is None:
        return COMMON_AREA
    row = db.session.execute(
        select(Building.number, Unit.number, Household.room)
        .select_from(Building)
        .outerjoin(Unit, and_(Unit.building_id == Building.id, Unit.id == issue.unit_id))
        .outerjoin(
            Household, and_(Household.unit_id == Unit.id, Household.id == issue.household_id)
        )
        .where(Building.id == issue.building_id)
    ).one()
    return location_label(*row)
