"""A compound at a glance (小区概况) for the people who run it: how many buildings,
units and flats, how many flats stand empty or have someone bound to them, per unit
whether it has a liaison, and the last roster import."""

from __future__ import annotations

from sqlalchemy import case, distinct, func, select

from server.errors import Forbidden
from server.extensions import db
from server.models import Building, Household, Membership, RosterImport, Unit
from server.services.people import compounds, users
from server.services.people.access import Principal

VOLUNTEER_ROLES = ("committee", "supervisor", "building_lead", "liaison")


def overview(principal: Principal, code: str) -> dict:
    """Totals, buildings with their units, and the last import. For the committee, the
    finance supervisor, building leads and liaisons of the compound, and the admin.

    Raises NotFound (compound_not_found), Forbidden (volunteers_only).
    """
    if principal.is_admin:
        compound = compounds.get_compound(code)
    else:
        compound = compounds.member_compound(principal, code)
        if not any(
            m.compound_id == compound.id and m.role in VOLUNTEER_ROLES
            for m in principal.memberships
        ):
            raise Forbidden(
                "只有业委会、财务监督、楼栋长和单元联络人可以查看小区概况",
                code="volunteers_only",
            )
    buildings = _buildings(compound.id)
    totals = {"buildings": len(buildings), "units": 0, "households": 0, "vacant": 0, "bound": 0}
    for building in buildings:
        for unit in building["units"]:
            totals["units"] += 1
            for key in ("households", "vacant", "bound"):
                totals[key] += unit[key]
    return {
        "code": compound.code,
        "name": compound.name,
        "archived": compound.archived_at is not None,
        "totals": totals,
        "buildings": buildings,
        "last_import": last_import(compound.id),
    }


def _buildings(compound_id: int) -> list[dict]:
    flats = _by_unit(
        select(
            Household.unit_id,
            func.count(),
            func.sum(case((Household.occupancy == "vacant", 1), else_=0)),
        )
        .where(Household.compound_id == compound_id)
        .group_by(Household.unit_id)
    )
    bound = _by_unit(
        select(Household.unit_id, func.count(distinct(Household.id)))
        .join(Membership, Membership.household_id == Household.id)
        .where(Household.compound_id == compound_id, Membership.role == "resident")
        .group_by(Household.unit_id)
    )
    liaisons = _by_unit(
        select(Membership.unit_id, func.count())
        .where(Membership.compound_id == compound_id, Membership.role == "liaison")
        .group_by(Membership.unit_id)
    )
    units: dict[int, list[dict]] = {}
    for uid, building_id, number in db.session.execute(
        select(Unit.id, Unit.building_id, Unit.number)
        .where(Unit.compound_id == compound_id)
        .order_by(Unit.building_id, Unit.number)
    ):
        count, vacant = flats.get(uid, (0, 0))
        units.setdefault(building_id, []).append(
            {
                "id": uid,
                "number": number,
                "households": count,
                "vacant": int(vacant or 0),
                "bound": bound.get(uid, (0,))[0],
                "liaisons": liaisons.get(uid, (0,))[0],
            }
        )
    rows = db.session.execute(
        select(Building.id, Building.number, Building.name)
        .where(Building.compound_id == compound_id)
        .order_by(Building.number)
    )
    result = []
    for bid, number, name in rows:
        its = units.get(bid, [])
        result.append(
            {
                "id": bid,
                "number": number,
                "name": name or f"{number}号楼",
                "households": sum(u["households"] for u in its),
                "vacant": sum(u["vacant"] for u in its),
                "bound": sum(u["bound"] for u in its),
                "units_without_liaison": sum(1 for u in its if not u["liaisons"]),
                "units": its,
            }
        )
    return result


def _by_unit(query) -> dict[int, tuple]:
    return {unit_id: tuple(rest) for unit_id, *rest in db.session.execute(query)}


def last_import(compound_id: int) -> dict | None:
    """When the roster was last loaded, by whom (name masked), and what it did."""
    row = db.session.scalars(
        select(RosterImport)
        .where(RosterImport.compound_id == compound_id)
        .order_by(RosterImport.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    by = None
    if row.created_by_id is not None:
        by = masked_name(users.names_in(compound_id, [row.created_by_id])[row.created_by_id])
    return {
        "id": row.id,
        "created_at": row.created_at,
        "by": by or "平台",
        "filename": row.filename,
        "rows": row.row_count,
        "counts": row.counts,
    }


def masked_name(name: str | None) -> str | None:
    """王秀兰 → 王**: enough for the committee to recognise one of their own."""
    if not name:
        return None
    return name[0] + "*" * max(1, len(name) - 1)
