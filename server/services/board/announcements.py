"""The committee's announcements: publishing (with its fan-out), withdrawing, the list a
member of the compound sees, and opening one (which marks it read).

Who sees what: volunteers of the compound (liaisons, building leads, the committee,
the supervisor) see every announcement; a resident those for the whole compound and
for the building or unit of one of their households. A withdrawn announcement
vanishes for everyone but the committee.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, false, or_, select

from server.clock import SHANGHAI, utcnow
from server.database.engine import insert_ignore
from server.errors import Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.models import Announcement, AnnouncementRead, Building, Compound, Household, Unit
from server.services import cursors
from server.services.board import fanout
from server.services.people import compounds
from server.services.people.access import Principal
from server.services.photos import attachments

PHOTO_KIND = "announcement_photo"
VOLUNTEER_ROLES = ("liaison", "building_lead", "committee", "supervisor")
MAX_PIN_DAYS = 366


@dataclass(frozen=True)
class Draft:
    title: str
    body: str
    photos: list[int]
    urgent: bool = False
    pinned_until: date | None = None
    audience: str = "compound"
    building: int | None = None
    unit: str | None = None  # "B-U"


def not_found() -> NotFound:
    return NotFound("找不到该公告，可能已撤回", code="announcement_not_found")


def _committee_only() -> Forbidden:
    return Forbidden("只有业委会成员可以发布或撤回公告", code="committee_only")


def publish(principal: Principal, code: str, draft: Draft) -> Announcement:
    """Publish an announcement and tell its audience (urgent: pushed too). Raises
    NotFound, Forbidden (committee_only), Conflict (archived), ValidationFailed."""
    compound = compounds.writable_compound(principal, code)
    if not principal.committee_of(compound.id):
        raise _committee_only()
    building_id, unit_id = _audience(compound, draft)
    announcement = Announcement(
        compound_id=compound.id,
        title=draft.title,
        body=draft.body,
        urgent=draft.urgent,
        audience=draft.audience,
        building_id=building_id,
        unit_id=unit_id,
        pinned_until=_pin_end(draft.pinned_until),
        created_by_id=principal.id,
        created_at=utcnow(),
    )
    db.session.add(announcement)
    db.session.flush()
    attachments.attach(principal, compound.id, PHOTO_KIND, announcement.id, draft.photos)
    fanout.fan_out(announcement)
    db.session.commit()
    return announcement


def _audience(compound: Compound, draft: Draft) -> tuple[int | None, int | None]:
    if draft.audience == "building":
        if draft.building is None:
            raise ValidationFailed("请选择哪一栋楼", code="building_required")
        return compounds.get_building(compound, draft.building).id, None
    if draft.audience == "unit":
        if not draft.unit:
            raise ValidationFailed("请选择哪个单元，如 1-2", code="unit_required")
        unit = compounds.get_unit(compound, *compounds.parse_unit_path(draft.unit))
        return unit.building_id, unit.id
    return None, None


def _pin_end(day: date | None) -> datetime | None:
    """Pinned through the whole of `day` (Shanghai): until 00:00 of the day after."""
    if day is None:
        return None
    today = utcnow().astimezone(SHANGHAI).date()
    if not today <= day <= today + timedelta(days=MAX_PIN_DAYS - 1):
        raise ValidationFailed("置顶日期应在今天到一年之内", code="bad_pinned_until")
    return datetime.combine(day + timedelta(days=1), time(), SHANGHAI)


def withdraw(principal: Principal, announcement_id: int) -> Announcement:
    """Withdraw an announcement (committee); withdrawing again changes nothing. Raises
    NotFound, Forbidden, Conflict (archived)."""
    announcement = in_my_compound(principal, announcement_id)
    if not principal.committee_of(announcement.compound_id):
        raise _committee_only()
    compounds.ensure_open_id(announcement.compound_id)
    if announcement.withdrawn_at is None:
        announcement.withdrawn_at = utcnow()
        announcement.withdrawn_by_id = principal.id
        db.session.commit()
    return announcement


def actions(principal: Principal, announcement: Announcement) -> list[str]:
    """What the caller may do with it now: the committee of its own (open) compound
    withdraws a live one."""
    if announcement.withdrawn_at is not None or not principal.committee_of(
        announcement.compound_id
    ):
        return []
    compound = db.session.get(Compound, announcement.compound_id)
    return [] if compound.archived_at is not None else ["withdraw"]


def in_my_compound(principal: Principal, announcement_id: int) -> Announcement:
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None or announcement.compound_id not in principal.compound_ids:
        raise not_found()
    return announcement


def sees_all(principal: Principal, compound_id: int) -> bool:
    return any(
        m.compound_id == compound_id and m.role in VOLUNTEER_ROLES for m in principal.memberships
    )


def visible(principal: Principal, compound_id: int):
    """The condition an announcement of the compound meets to be shown to the caller."""
    live = and_(Announcement.compound_id == compound_id, Announcement.withdrawn_at.is_(None))
    if sees_all(principal, compound_id):
        return live
    homes = db.session.execute(
        select(Household.building_id, Household.unit_id).where(
            Household.id.in_(principal.household_ids), Household.compound_id == compound_id
        )
    ).all()
    buildings = {b for b, _ in homes}
    units = {u for _, u in homes}
    return and_(
        live,
        or_(
            Announcement.audience == "compound",
            and_(Announcement.audience == "building", Announcement.building_id.in_(buildings))
            if buildings
            else false(),
            and_(Announcement.audience == "unit", Announcement.unit_id.in_(units))
            if units
            else false(),
        ),
    )


def list_for(
    principal: Principal, code: str, cursor: str | None, limit: int
) -> tuple[list[Announcement], set[int], str | None]:
    """The caller's announcements, newest first; (page, ids they have read, next cursor)."""
    compound = compounds.member_compound(principal, code)
    query = select(Announcement).where(visible(principal, compound.id))
    after = cursors.decode(cursor)
    if after is not None:
        query = query.where(Announcement.id < after)
    rows = list(db.session.scalars(query.order_by(Announcement.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, read_ids(principal, rows), cursors.encode(rows[-1].id) if more else None


def read_ids(principal: Principal, rows: list[Announcement]) -> set[int]:
    ids = [a.id for a in rows]
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(AnnouncementRead.announcement_id).where(
                AnnouncementRead.user_id == principal.id,
                AnnouncementRead.announcement_id.in_(ids),
            )
        )
    )


def open_one(principal: Principal, announcement_id: int) -> Announcement:
    """One announcement the caller may see, marked read for them (once). The committee
    still sees a withdrawn one; anyone else gets NotFound, as for one not for them."""
    announcement = in_my_compound(principal, announcement_id)
    compound_id = announcement.compound_id
    if principal.committee_of(compound_id):
        pass
    elif announcement.withdrawn_at is not None or not db.session.scalar(
        select(Announcement.id).where(
            Announcement.id == announcement.id, visible(principal, compound_id)
        )
    ):
        raise not_found()
    compound = db.session.get(Compound, compound_id)
    if compound.archived_at is None:  # an archived compound is read, never written
        insert_ignore(
            db.session.connection(),
            AnnouncementRead.__table__,
            [{"announcement_id": announcement.id, "user_id": principal.id, "read_at": utcnow()}],
        )
        db.session.commit()
    return announcement


def audience_labels(rows: list[Announcement]) -> dict[int, str]:
    """Announcement id → whom it is for in words ("全小区", "1号楼", "1号楼2单元")."""
    building_ids = {a.building_id for a in rows if a.building_id}
    unit_ids = {a.unit_id for a in rows if a.unit_id}
    buildings = dict(
        db.session.execute(
            select(Building.id, Building.number).where(Building.id.in_(building_ids))
        ).all()
        if building_ids
        else []
    )
    units = dict(
        db.session.execute(select(Unit.id, Unit.number).where(Unit.id.in_(unit_ids))).all()
        if unit_ids
        else []
    )
    labels = {}
    for a in rows:
        if a.audience == "unit":
            labels[a.id] = f"{buildings.get(a.building_id)}号楼{units.get(a.unit_id)}单元"
        elif a.audience == "building":
            labels[a.id] = f"{buildings.get(a.building_id)}号楼"
        else:
            labels[a.id] = "全小区"
    return labels
