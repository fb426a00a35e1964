"""How far the census has got: the households a volunteer looks after (to visit:
never confirmed, or not for a year) and the coverage per building and unit."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from server.clock import utcnow
from server.errors import Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.models import (
    Building,
    CareTag,
    Compound,
    Household,
    HouseholdCensus,
    HouseholdMember,
    Unit,
)
from server.models.census import SENSITIVE_TAGS
from server.services.census import access
from server.services.census.listing import is_stale, living
from server.services.people import compounds
from server.services.people.access import Principal

LIST_REASON = "查看住户登记名单"


def volunteer_compound(principal: Principal, code: str) -> Compound:
    """The caller's compound if they volunteer in it (a unit's liaison, a building lead,
    the committee). Raises NotFound (compound_not_found), Forbidden (volunteers_only)."""
    compound = compounds.member_compound(principal, code)
    if not principal.committee_of(compound.id) and not any(
        m.compound_id == compound.id and m.role in ("liaison", "building_lead")
        for m in principal.memberships
    ):
        raise Forbidden("只有联络人、楼栋长和业委会可以查看住户登记", code="volunteers_only")
    return compound


def _households(principal: Principal, compound: Compound, unit_id: int | None = None):
    """(household, unit number, building number, census row or None) in reach, in order."""
    query = (
        select(Household, Unit.number, Building.number, HouseholdCensus)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Household.building_id)
        .outerjoin(HouseholdCensus, HouseholdCensus.household_id == Household.id)
        .where(Household.unit_id.in_(access.units_in_reach(principal, compound.id)))
        .order_by(Building.number, Unit.number, Household.floor, Household.room)
    )
    if unit_id is not None:
        query = query.where(Household.unit_id == unit_id)
    return db.session.execute(query).all()


def _unit(principal: Principal, compound: Compound, path: str) -> int:
    match = compounds.UNIT_PATH.match(path.strip())
    if not match:
        raise ValidationFailed("单元写法应为 楼号-单元号，如 1-2", code="bad_unit")
    unit_id = db.session.scalar(
        select(Unit.id)
        .join(Building, Building.id == Unit.building_id)
        .where(
            Unit.compound_id == compound.id,
            Building.number == int(match[1]),
            Unit.number == int(match[2]),
        )
    )
    if unit_id is None:
        raise NotFound(f"本小区没有 {path} 单元", code="unit_not_found")
    if not db.session.scalar(
        select(func.count()).where(
            Unit.id == unit_id, Unit.id.in_(access.units_in_reach(principal, compound.id))
        )
    ):
        raise Forbidden("这个单元不归您联系", code="volunteers_only")
    return unit_id


def households(principal: Principal, code: str, unit: str | None, only_to_visit: bool) -> dict:
    """The households the caller volunteers for (one unit if `unit` "1-2"), to visit
    only or all, with the coverage of that list; the sensitive tags shown are logged.

    Raises NotFound (compound_not_found, unit_not_found), Forbidden (volunteers_only),
    ValidationFailed (bad_unit).
    """
    compound = volunteer_compound(principal, code)
    unit_id = _unit(principal, compound, unit) if unit else None
    rows = _households(principal, compound, unit_id)
    ids = [row[0].id for row in rows]
    counts = _member_counts(ids)
    tags = _tags(ids)
    now = utcnow()
    items, confirmed = [], 0
    for household, unit_no, building_no, census in rows:
        confirmed_at = census.confirmed_at if census else None
        stale = is_stale(confirmed_at, now)
        confirmed += not stale
        if only_to_visit and not stale:
            continue
        items.append(
            {
                "household_id": household.id,
                "label": f"{building_no}-{unit_no}-{household.room}",
                "members": counts.get(household.id, 0),
                "tags": [tag for _id, tag in tags.get(household.id, [])],
                "occupancy": census.residence if census else "lives_here",
                "confirmed_at": confirmed_at,
                "stale": stale,
            }
        )
    _log_tags(principal, compound, [item["household_id"] for item in items], tags)
    db.session.commit()
    coverage = {"households": len(rows), "confirmed": confirmed, "stale": len(rows) - confirmed}
    return {"items": items, "coverage": coverage}


def _member_counts(ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(HouseholdMember.household_id, func.count())
            .where(HouseholdMember.household_id.in_(ids), living())
            .group_by(HouseholdMember.household_id)
        ).all()
    )


def _tags(ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if ids:
        rows = db.session.execute(
            select(CareTag.household_id, CareTag.id, CareTag.tag)
            .where(CareTag.household_id.in_(ids))
            .order_by(CareTag.id)
        )
        for household_id, tag_id, tag in rows:
            found[household_id].append((tag_id, tag))
    return found


def _log_tags(principal, compound, shown: list[int], tags) -> None:
    reads = [
        (household_id, tag_id)
        for household_id in shown
        for tag_id, tag in tags.get(household_id, [])
        if tag in SENSITIVE_TAGS
    ]
    access.log_reads(principal, compound.id, "view_tags", "care_tag", reads, LIST_REASON)


def coverage(principal: Principal, code: str) -> dict:
    """Households confirmed within a year, and not (stale), per building and unit of
    the caller's reach, with totals. Raises NotFound, Forbidden (volunteers_only)."""
    compound = volunteer_compound(principal, code)
    now = utcnow()
    units: dict[int, dict] = {}
    buildings: dict[int, dict] = {}
    for household, unit_no, building_no, census in _households(principal, compound):
        building = buildings.setdefault(
            building_no,
            {"building": building_no, "households": 0, "confirmed": 0, "stale": 0, "units": []},
        )
        unit = units.get(household.unit_id)
        if unit is None:
            unit = units[household.unit_id] = {
                "unit": f"{building_no}-{unit_no}",
                "unit_id": household.unit_id,
                "households": 0,
                "confirmed": 0,
                "stale": 0,
            }
            building["units"].append(unit)
        fresh = not is_stale(census.confirmed_at if census else None, now)
        for counts in (building, unit):
            counts["households"] += 1
            counts["confirmed" if fresh else "stale"] += 1
    listed = list(buildings.values())
    totals = {key: sum(b[key] for b in listed) for key in ("households", "confirmed", "stale")}
    return {"buildings": listed, "totals": totals}
