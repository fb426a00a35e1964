"""The access log (查看记录): who read or exported whose personal data, when and why.

The committee and the finance supervisor read their compound's log (filtered by days
or by flat, a page at a time) and export it; reading it is itself logged. A household
reads the entries about its own record (`household_views`).

The supervisor may not see care tags, and a read of a tag names a flat that has one:
for them those entries keep who, what and when but not the flat nor the reason, and a
flat's entries (the household filter) leave them out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select

from server.clock import SHANGHAI
from server.errors import Forbidden, ValidationFailed
from server.extensions import db
from server.labels import label
from server.models import AccessLog, Building, Compound, Household, Membership, Unit
from server.services import cursors, excel
from server.services.people import compounds, users
from server.services.people.access import Principal, record_access

# The role shown for a reader holding several in the compound: the one that reaches furthest.
ROLE_ORDER = ("committee", "supervisor", "building_lead", "liaison", "resident")
# An action without a word of its own (older "list"/"view" entries) reads as this.
SEEN = "查看"
EXPORT_LIMIT = 50000
# Entries that tell a flat has a sensitive care tag (reads of its tags or visits).
CARE_ACTIONS = ("view_tags", "view_visits")
CARE_SUBJECTS = ("care_tag", "care_visit")


@dataclass(frozen=True)
class LogFilter:
    start: date | None = None  # first day, Asia/Shanghai
    end: date | None = None  # last day, included
    household_id: int | None = None


@dataclass(frozen=True)
class Actor:
    id: int | None
    name: str
    role: str | None
    role_label: str | None


@dataclass(frozen=True)
class LogLine:
    id: int
    at: datetime
    actor: Actor
    action: str
    action_label: str
    subject_type: str
    household: str | None
    reason: str | None


@dataclass(frozen=True)
class LogPage:
    items: list[LogLine]
    next_cursor: str | None


def reader_compound(principal: Principal, code: str) -> Compound:
    """The compound if the caller is its committee or finance supervisor. Raises
    NotFound (not the caller's compound), Forbidden (supervisor_or_committee)."""
    compound = compounds.member_compound(principal, code)
    if not (principal.committee_of(compound.id) or principal.supervisor_of(compound.id)):
        raise Forbidden(
            "只有业委会成员和财务监督可以查看个人信息查看记录", code="supervisor_or_committee"
        )
    return compound


def read(
    principal: Principal,
    code: str,
    filters: LogFilter,
    cursor: str | None = None,
    limit: int = 30,
) -> LogPage:
    """The compound's log, newest first, `limit` at a time (`cursor` continues). The
    read is logged ("list", subject the compound's access log); commits. Raises
    NotFound, Forbidden, ValidationFailed (bad_range, bad_cursor)."""
    compound = reader_compound(principal, code)
    sees_care = principal.committee_of(compound.id)
    query = _filtered(compound.id, filters, sees_care)
    after = cursors.decode(cursor)
    if after is not None:
        query = query.where(AccessLog.id < after)
    rows = db.session.scalars(query.order_by(AccessLog.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = lines(compound.id, rows, sees_care)
    _log_reading(principal, compound, "list", filters)
    db.session.commit()
    return LogPage(items, cursors.encode(rows[-1].id) if more else None)


def export_xlsx(principal: Principal, code: str, filters: LogFilter) -> bytes:
    """The compound's log as a workbook (newest first; the filters as in `read`).
    Logged `export_access_log`; commits. Raises NotFound, Forbidden, ValidationFailed."""
    compound = reader_compound(principal, code)
    sees_care = principal.committee_of(compound.id)
    query = _filtered(compound.id, filters, sees_care)
    query = query.order_by(AccessLog.id.desc()).limit(EXPORT_LIMIT)
    items = lines(compound.id, db.session.scalars(query).all(), sees_care)
    _log_reading(principal, compound, "export_access_log", filters)
    db.session.commit()
    return excel.xlsx(
        excel.Sheet(
            "个人信息查看记录",
            [
                excel.Column("时间", 18, "datetime"),
                excel.Column("查看人", 14),
                excel.Column("身份", 12),
                excel.Column("做了什么", 16),
                excel.Column("房号", 10),
                excel.Column("原因", 30),
                excel.Column("对象", 18),
                excel.Column("编号", 10, "id"),
            ],
            [
                (
                    line.at,
                    line.actor.name,
                    line.actor.role_label,
                    line.action_label,
                    line.household,
                    line.reason,
                    line.subject_type,
                    line.id,
                )
                for line in items
            ],
        )
    )


def _filtered(compound_id: int, filters: LogFilter, sees_care: bool = True):
    query = select(AccessLog).where(AccessLog.compound_id == compound_id)
    if filters.start and filters.end and filters.end < filters.start:
        raise ValidationFailed("结束日期不能早于开始日期", code="bad_range")
    if filters.start:
        query = query.where(AccessLog.created_at >= _day_start(filters.start))
    if filters.end:
        query = query.where(AccessLog.created_at < _day_start(filters.end + timedelta(days=1)))
    if filters.household_id:
        query = query.where(AccessLog.household_id == filters.household_id)
        if not sees_care:
            query = query.where(~_about_care())
    return query


def _about_care():
    return or_(AccessLog.action.in_(CARE_ACTIONS), AccessLog.subject_type.in_(CARE_SUBJECTS))


def about_care(row: AccessLog) -> bool:
    """Whether the entry tells that its flat has a sensitive care tag."""
    return row.action in CARE_ACTIONS or row.subject_type in CARE_SUBJECTS


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, SHANGHAI)


def _log_reading(principal: Principal, compound: Compound, action: str, filters: LogFilter):
    """One entry per reading (not one per line read: the log would fill with itself)."""
    record_access(
        principal, action, "access_log", [compound.id], compound.id, reason=_described(filters)
    )


def _described(filters: LogFilter) -> str:
    parts = []
    if filters.start or filters.end:
        start = filters.start.isoformat() if filters.start else "最早"
        end = filters.end.isoformat() if filters.end else "今天"
        parts.append(f"{start} 至 {end}")
    if filters.household_id:
        parts.append(household_labels([filters.household_id]).get(filters.household_id, "某户"))
    return "筛选：" + "，".join(parts) if parts else "全部记录"


def lines(compound_id: int, rows: list[AccessLog], sees_care: bool = True) -> list[LogLine]:
    """The rows as people read them: names and roles in the compound, flats by number
    (for a reader who may not see care tags, not the flat nor the reason of a read of
    them)."""
    actor_ids = [row.actor_id for row in rows]
    names = users.names_in(compound_id, actor_ids)
    roles = roles_in(compound_id, actor_ids)
    flats = household_labels(row.household_id for row in rows)
    return [
        LogLine(
            id=row.id,
            at=row.created_at,
            actor=Actor(
                id=row.actor_id,
                name=names.get(row.actor_id, "系统") if row.actor_id else "系统",
                role=roles.get(row.actor_id),
                role_label=label("role", roles[row.actor_id]) if row.actor_id in roles else None,
            ),
            action=row.action,
            action_label=label("access_action", row.action, SEEN),
            subject_type=row.subject_type,
            household=flats.get(row.household_id) if sees_care or not about_care(row) else None,
            reason=row.reason if sees_care or not about_care(row) else None,
        )
        for row in rows
    ]


def roles_in(compound_id: int, user_ids: Iterable[int | None]) -> dict[int, str]:
    """Each person's furthest-reaching role in the compound now (none: no role left)."""
    ids = {uid for uid in user_ids if uid is not None}
    if not ids:
        return {}
    held: dict[int, set[str]] = {}
    for user_id, role in db.session.execute(
        select(Membership.user_id, Membership.role).where(
            Membership.compound_id == compound_id, Membership.user_id.in_(ids)
        )
    ):
        held.setdefault(user_id, set()).add(role)
    return {
        uid: next(role for role in ROLE_ORDER if role in roles)
        for uid, roles in held.items()
        if any(role in ROLE_ORDER for role in roles)
    }


def household_labels(household_ids: Iterable[int | None]) -> dict[int, str]:
    """household id → "1-2-301" (one query)."""
    ids = {hid for hid in household_ids if hid is not None}
    if not ids:
        return {}
    rows = db.session.execute(
        select(Household.id, Building.number, Unit.number, Household.room)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Household.building_id)
        .where(Household.id.in_(ids))
    )
    return {hid: f"{building}-{unit}-{room}" for hid, building, unit, room in rows}
