"""Who has not opened an announcement: for a liaison, the households of their own
unit(s) in its audience where nobody bound has opened it, and whether anyone there
uses the mini-program at all (nobody: knock on the door); for the committee, every
unit of the audience. Access-logged: it tells who reads what."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from server.errors import Forbidden
from server.extensions import db
from server.models import AnnouncementRead, Building, Household, Membership, Unit
from server.services.board import fanout
from server.services.board.announcements import in_my_compound, not_found
from server.services.people.access import Principal, record_access

NOBODY_USES_APP = "没有人用小程序，请上门告知"
NOT_OPENED = "家里有人用小程序，但还没有打开"


@dataclass
class UnreadHousehold:
    household_id: int
    label: str
    uses_app: bool
    note: str


@dataclass
class UnitUnread:
    label: str
    households_total: int = 0
    households: list[UnreadHousehold] = field(default_factory=list)


def unread_households(principal: Principal, announcement_id: int) -> tuple[int, list[UnitUnread]]:
    """(announcement id, units with their unread households). Raises NotFound,
    Forbidden (not_a_liaison)."""
    announcement = in_my_compound(principal, announcement_id)
    if announcement.withdrawn_at is not None:
        raise not_found()
    committee = principal.committee_of(announcement.compound_id)
    my_units = {m.unit_id for m in principal.memberships if m.role == "liaison"}
    if not committee and not my_units:
        raise Forbidden("只有单元联络人和业委会可以查看未读住户", code="not_a_liaison")
    query = (
        select(Household.id, Household.room, Household.unit_id, Building.number, Unit.number)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Household.building_id)
        .where(Household.id.in_(fanout.audience_households(announcement)))
        .order_by(Building.number, Unit.number, Household.floor, Household.room)
    )
    if not committee:
        query = query.where(Household.unit_id.in_(my_units))
    homes = db.session.execute(query).all()
    ids = [h.id for h in homes]
    bound: dict[int, set[int]] = {}
    for household_id, user_id in db.session.execute(
        select(Membership.household_id, Membership.user_id).where(
            Membership.role == "resident", Membership.household_id.in_(ids)
        )
    ):
        bound.setdefault(household_id, set()).add(user_id)
    readers = set(
        db.session.scalars(
            select(AnnouncementRead.user_id).where(
                AnnouncementRead.announcement_id == announcement.id
            )
        )
    )
    units: dict[str, UnitUnread] = {}
    for household_id, room, _unit_id, building_no, unit_no in homes:
        unit = units.setdefault(f"{building_no}-{unit_no}", UnitUnread(f"{building_no}-{unit_no}"))
        unit.households_total += 1
        people = bound.get(household_id, set())
        if people & readers:
            continue
        unit.households.append(
            UnreadHousehold(
                household_id,
                f"{building_no}-{unit_no}-{room}",
                bool(people),
                NOT_OPENED if people else NOBODY_USES_APP,
            )
        )
    unread = [h.household_id for u in units.values() for h in u.households]
    record_access(principal, "list", "announcement_unread", unread, announcement.compound_id)
    db.session.commit()
    return announcement.id, list(units.values())
