"""What a signed-in user sees of themself: roles and households."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from server.extensions import db
from server.models import Building, Compound, Household, Membership, Unit, User
from server.services.people.access import Principal


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
    # The number this volunteer shares with the residents they serve (theirs: unmasked).
    shared_phone: str | None = None


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
    roles = [_role_view(*row) for row in rows]
    households = [_household_view(*row) for row in rows if row[4] is not None]
    user = principal.user
    return UserView(user.id, user.nickname, roles, households, user.shared_phone)


def _label(compound, building_no, unit_no, household) -> str:
    parts = [str(p) for p in (building_no, unit_no) if p is not None]
    if household is not None:
        parts.append(household.room)
    return "-".join(parts) or (compound.name if compound else "平台")


def _role_view(m: Membership, compound, building_no, unit_no, household) -> RoleView:
    scope_id = {
        "household": m.household_id,
        "unit": m.unit_id,
        "building": m.building_id,
        "compound": m.compound_id,
    }.get(m.scope)
    return RoleView(
        role=m.role,
        scope=m.scope,
        scope_id=scope_id,
        compound=compound.code if compound else None,
        compound_name=compound.name if compound else None,
        label=_label(compound, building_no, unit_no, household),
    )


def _household_view(m: Membership, compound, building_no, unit_no, household) -> HouseholdView:
    return HouseholdView(
        id=household.id,
        compound=compound.code,
        compound_name=compound.name,
        building=building_no,
        unit=unit_no,
        room=household.room,
        floor=household.floor,
        area_m2=household.area_m2,
        occupancy=household.occupancy,
        relation=m.relation,
        label=_label(compound, building_no, unit_no, household),
    )


def names_in(compound_id: int, user_ids: Iterable[int | None]) -> dict[int, str]:
    """How people appear to each other in a compound: the name they gave for a role in
    it, else their WeChat nickname, else their user number (one query)."""
    ids = {uid for uid in user_ids if uid is not None}
    if not ids:
        return {}
    rows = db.session.execute(
        select(User.id, User.nickname, Membership.name)
        .outerjoin(
            Membership,
            (Membership.user_id == User.id)
            & (Membership.compound_id == compound_id)
            & Membership.name.is_not(None),
        )
        .where(User.id.in_(ids))
        .order_by(User.id, Membership.id)
    ).all()
    names: dict[int, str] = {}
    for user_id, nickname, given in rows:
        names.setdefault(user_id, given or nickname or f"用户{user_id}")
    return names
