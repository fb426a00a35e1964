"""What a signed-in user sees of themself: roles and households."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from server.extensions import db
from server.models import Building, Compound, Household, Membership, Unit
from server.services.access import Principal


@dataclass(frozen=True)
class RoleView:
    role: str
    scope: str
    scope_id: int | None
    compound: str | None
    compound_name: str | None
    label: str


@dataclass(frozen=True)
class HouseholdView:
    id: int
    compound: str
    compound_name: str
    building: int
    unit: int
    room: str
    floor: int
    area_m2: Decimal
    occupancy: str
    relation: str | None
    label: str


@dataclass(frozen=True)
class UserView:
    id: int
    nickname: str | None
    roles: list[RoleView]
    households: list[HouseholdView]


def describe(principal: Principal) -> UserView:
    """The user with every role (and its label, like "1-1" for a unit) and household."""
    rows = db.session.execute(
        select(Membership, Compound, Building.number, Unit.number, Household)
        .outerjoin(Compound, Compound.id == Membership.compound_id)
        .outerjoin(Building, Building.id == Membership.building_id)
        .outerjoin(Unit, Unit.id == Membership.unit_id)
        .outerjoin(Household, Household.id == Membership.household_id)
        .where(Membership.user_id == principal.id)
        .order_by(Membership.compound_id, Membership.role, Membership.id)
    ).all()
    roles, households = [], []
    for m, compound, building_no, unit_no, household in rows:
        parts = [str(p) for p in (building_no, unit_no) if p is not None]
        if household is not None:
            parts.append(household.room)
        label = "-".join(parts) or (compound.name if compound else "平台")
        scope_id = {
            "household": m.household_id,
            "unit": m.unit_id,
            "building": m.building_id,
            "compound": m.compound_id,
        }.get(m.scope)
        roles.append(
            RoleView(
                m.role,
                m.scope,
                scope_id,
                compound.code if compound else None,
                compound.name if compound else None,
                label,
            )
        )
        if household is not None:
            households.append(
                HouseholdView(
                    household.id,
                    compound.code,
                    compound.name,
                    building_no,
                    unit_no,
                    household.room,
                    household.floor,
                    household.area_m2,
                    household.occupancy,
                    m.relation,
                    label,
                )
            )
    return UserView(principal.id, principal.user.nickname, roles, households)
