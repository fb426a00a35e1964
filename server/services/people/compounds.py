"""Finding compounds, buildings, units and households by the numbers people use."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from server.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.models import Building, Compound, Household, Unit

HOUSEHOLD_PATH = re.compile(r"^(\d{1,3})-(\d{1,2})-(\d{1,6})$")
UNIT_PATH = re.compile(r"^(\d{1,3})-(\d{1,2})$")


def get_compound(code: str) -> Compound:
    """The compound with this code. Raises NotFound."""
    compound = db.session.scalars(select(Compound).where(Compound.code == code)).first()
    if compound is None:
        raise NotFound("找不到该小区，请核对小区编号", code="compound_not_found")
    return compound


def ensure_open(compound: Compound) -> None:
    """Raises Conflict when the compound is archived: it can be read, not written."""
    if compound.archived_at is not None:
        raise Conflict("本小区已归档，只能查看", code="compound_archived")


def ensure_open_id(compound_id: int) -> None:
    """`ensure_open` for the compound with this id. Raises Conflict."""
    ensure_open(db.session.get(Compound, compound_id))


def open_compound_ids():
    """The ids of the compounds that are not archived, as a subquery: the jobs that
    write (escalations, auto-close, return visits, reminders, expiry) act on these only."""
    return select(Compound.id).where(Compound.archived_at.is_(None))


def member_compound(principal, code: str) -> Compound:
    """The compound with this code if the caller belongs to it; NotFound otherwise
    (another compound's existence is not revealed)."""
    compound = get_compound(code)
    if compound.id not in principal.compound_ids:
        raise NotFound("找不到该小区，请核对小区编号", code="compound_not_found")
    return compound


def writable_compound(principal, code: str) -> Compound:
    """`member_compound` for a write: the caller's compound, if it is not archived.
    Raises NotFound (not the caller's), Conflict (archived)."""
    compound = member_compound(principal, code)
    ensure_open(compound)
    return compound


def compound_structure(code: str) -> Compound:
    """A compound with its buildings and units loaded (for the binding form)."""
    compound = db.session.scalars(
        select(Compound)
        .where(Compound.code == code)
        .options(selectinload(Compound.buildings).selectinload(Building.units))
    ).first()
    if compound is None:
        raise NotFound("找不到该小区，请核对小区编号", code="compound_not_found")
    return compound


def get_building(compound: Compound, number: int) -> Building:
    building = db.session.scalars(
        select(Building).where(Building.compound_id == compound.id, Building.number == number)
    ).first()
    if building is None:
        raise NotFound(f"本小区没有 {number} 号楼", code="building_not_found")
    return building


def get_unit(compound: Compound, building_no: int, unit_no: int) -> Unit:
    unit = db.session.scalars(
        select(Unit)
        .join(Building, Building.id == Unit.building_id)
        .where(
            Building.compound_id == compound.id,
            Building.number == building_no,
            Unit.number == unit_no,
        )
    ).first()
    if unit is None:
        raise NotFound(f"本小区没有 {building_no} 号楼 {unit_no} 单元", code="unit_not_found")
    return unit


def find_household(compound: Compound, building_no: int, unit_no: int, room: str) -> Household:
    """The household at building-unit-room. Raises NotFound naming what is missing."""
    household = db.session.scalars(
        select(Household)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Household.building_id)
        .where(
            Household.compound_id == compound.id,
            Building.number == building_no,
            Unit.number == unit_no,
            Household.room == room.strip(),
        )
    ).first()
    if household is None:
        raise NotFound(
            f"没有找到 {building_no} 号楼 {unit_no} 单元 {room} 室，请核对房号",
            code="household_not_found",
        )
    return household


def parse_unit_path(path: str) -> tuple[int, int]:
    """ "1-2" → (1, 2). Raises ValidationFailed."""
    match = UNIT_PATH.match(path.strip())
    if not match:
        raise ValidationFailed(f"单元格式应为 楼-单元，如 1-2，收到 {path!r}", code="bad_unit_path")
    return int(match[1]), int(match[2])


def parse_household_path(path: str) -> tuple[int, int, str]:
    """ "1-2-301" → (1, 2, "301"). Raises ValidationFailed."""
    match = HOUSEHOLD_PATH.match(path.strip())
    if not match:
        raise ValidationFailed(
            f"房号格式应为 楼-单元-房号，如 1-2-301，收到 {path!r}", code="bad_household_path"
        )
    return int(match[1]), int(match[2]), match[3]


def unit_households(principal, unit_id: int) -> list[Household]:
    """The flats of a unit (rooms, no people), for those who handle it: its liaison,
    the building lead, the committee — to file an issue for a neighbour.

    Raises NotFound (not the caller's compound) or Forbidden.
    """
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.compound_id not in principal.compound_ids:
        raise NotFound("找不到该单元", code="unit_not_found")
    if not principal.handles_unit(unit.compound_id, unit.building_id, unit.id):
        raise Forbidden("只有本单元联络人、楼栋长或业委会可以查看", code="not_a_handler")
    return list(
        db.session.scalars(
            select(Household)
            .where(Household.unit_id == unit.id)
            .order_by(Household.floor, Household.room)
        )
    )
