"""我的联络人: who a resident turns to for each of their homes, and the number a
volunteer chose to share with the residents they serve.

A volunteer's number is shown in full (so the page can dial it) only when they shared
it, and only to the residents of the units they serve; everyone sees a masked form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from server.errors import Forbidden, ValidationFailed
from server.extensions import db
from server.models import Building, Compound, Household, Membership, Unit, User
from server.services.people.access import Principal
from server.services.platform.compound_admin import masked_phone

MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
SHARING_ROLES = ("liaison", "building_lead", "committee")
NO_LIAISON = "本单元暂时没有联络人，有事请联系小区业委会"


@dataclass(frozen=True)
class Contact:
    role: str
    name: str
    phone: str | None  # in full only when shared
    phone_masked: str | None


@dataclass(frozen=True)
class HomeContacts:
    household_id: int
    household: str  # "1-2-301"
    compound: str
    compound_name: str
    unit: str  # "1-2"
    unit_label: str  # "1号楼2单元"
    liaisons: list[Contact]
    building_leads: list[Contact]  # only when the unit has no liaison
    note: str | None  # when there is nobody at all: ask the committee


def my_liaisons(principal: Principal) -> list[HomeContacts]:
    """For each household the caller belongs to: its unit's liaisons, else the
    building's leads, else a line saying to ask the committee."""
    homes = db.session.execute(
        select(Household, Unit, Building.number, Compound)
        .join(Membership, Membership.household_id == Household.id)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Household.building_id)
        .join(Compound, Compound.id == Household.compound_id)
        .where(Membership.user_id == principal.id, Membership.role == "resident")
        .order_by(Membership.id)
    ).all()
    if not homes:
        return []
    unit_ids = {unit.id for _, unit, _, _ in homes}
    building_ids = {household.building_id for household, _, _, _ in homes}
    volunteers = _volunteers(unit_ids, building_ids)
    result = []
    for household, unit, building_no, compound in homes:
        liaisons = volunteers.get(("liaison", unit.id), [])
        leads = [] if liaisons else volunteers.get(("building_lead", household.building_id), [])
        result.append(
            HomeContacts(
                household_id=household.id,
                household=f"{building_no}-{unit.number}-{household.room}",
                compound=compound.code,
                compound_name=compound.name,
                unit=f"{building_no}-{unit.number}",
                unit_label=f"{building_no}号楼{unit.number}单元",
                liaisons=liaisons,
                building_leads=leads,
                note=None if liaisons or leads else NO_LIAISON,
            )
        )
    return result


def _volunteers(unit_ids: set[int], building_ids: set[int]) -> dict[tuple, list[Contact]]:
    """(role, unit or building id) → its volunteers, in the order they were appointed."""
    rows = db.session.execute(
        select(Membership, User.shared_phone)
        .join(User, User.id == Membership.user_id)
        .where(
            or_(
                and_(Membership.role == "liaison", Membership.unit_id.in_(unit_ids)),
                and_(
                    Membership.role == "building_lead",
                    Membership.building_id.in_(building_ids),
                ),
            )
        )
        .order_by(Membership.id)
    ).all()
    found: dict[tuple, list[Contact]] = {}
    for membership, phone in rows:
        place = membership.unit_id if membership.role == "liaison" else membership.building_id
        default = "联络人" if membership.role == "liaison" else "楼栋长"
        contact = Contact(membership.role, membership.name or default, phone, masked_phone(phone))
        found.setdefault((membership.role, place), []).append(contact)
    return found


def set_shared_phone(principal: Principal, phone: str | None) -> str | None:
    """Share a mainland mobile number with the residents one serves, or stop (None).
    Commits. Raises Forbidden (volunteers_only), ValidationFailed (bad_phone)."""
    if not any(m.role in SHARING_ROLES for m in principal.memberships):
        raise Forbidden("只有联络人、楼栋长和业委会委员可以公开联系电话", code="volunteers_only")
    if phone is not None:
        phone = phone.strip().replace(" ", "").replace("-", "")
        if not MOBILE.match(phone):
            raise ValidationFailed("请填写 11 位手机号码，如 13812345678", code="bad_phone")
    user = db.session.get(User, principal.id)
    user.shared_phone = phone or None
    db.session.commit()
    return user.shared_phone
