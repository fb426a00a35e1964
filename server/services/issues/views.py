"""Reading issues: lists (registers) with each issue's latest entry, shaped by who is
asking (the detail with its timeline: `detail`). Core statements on the request's
plain connection (`server/database/connection.py`): plain rows, no session of their
own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Integer, Row, Select, bindparam, false, func, or_, select
from sqlalchemy.orm import aliased

from server.clock import SHANGHAI, utcnow
from server.database.connection import connection
from server.models import Building, Compound, Household, Unit, User
from server.models.issue import Issue, IssueEvent
from server.models.upload import Upload
from server.services import cursors
from server.services.issues import policies
from server.services.issues.access import (
    VOLUNTEER_ROLES,
    handled_filter,
    visible_filter,
    volunteer_of,
)
from server.services.issues.locations import location_label
from server.services.people.access import Principal

PAGE_MAX = 50


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    category: str | None = None
    building_id: int | None = None
    unit_id: int | None = None
    overdue: bool | None = None
    mine: bool = False
    handled: bool = False
    compound: str | None = None
    # Reported on or after / on or before these days (Asia/Shanghai): the desk's register.
    reported_from: date | None = None
    reported_to: date | None = None


@dataclass(frozen=True)
class LatestEntry:
    action: str
    note: str | None
    created_at: datetime


@dataclass(frozen=True)
class IssueRow:
    issue: Row  # the columns of LIST_COLUMNS, by name
    location: str
    overdue: bool
    latest: LatestEntry | None
    photo_count: int


# What a list shows of each issue, and what the desk's register adds (the description,
# the handler, the deadline that counts): plain columns, no ORM entities.
LIST_COLUMNS = (
    Issue.id,
    Issue.category,
    Issue.title,
    Issue.description,
    Issue.status,
    Issue.created_at,
    Issue.response_due_at,
    Issue.resolution_due_at,
    Issue.handler_id,
)
_latest = aliased(IssueEvent, name="latest")


def list_issues(
    principal: Principal, filters: Filters, *, cursor: str | None = None, limit: int = 20
) -> tuple[list[IssueRow], str | None]:
    """The issues the caller may see, newest first, with each one's latest timeline
    entry, in a constant number of statements whatever the page size."""
    now = utcnow()
    limit = max(1, min(limit, PAGE_MAX))
    after = cursors.decode(cursor)
    own = _residents_own(principal, filters, after)
    if own is not None:
        statement, params = own
        rows = connection().execute(statement, {**params, "limit": limit + 1}).all()
    else:
        query = _filtered(principal, filters, now)
        if after is not None:
            query = query.where(Issue.id < after)
        rows = connection().execute(query.order_by(Issue.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    photos = _photo_counts([row.id for row in rows])
    items = [
        IssueRow(
            row,
            location_label(row.building_number, row.unit_number, row.room),
            Issue.is_overdue(row, now),  # the model's rule, on the row's columns
            LatestEntry(row.latest_action, row.latest_note, row.latest_at)
            if row.latest_action is not None
            else None,
            photos.get(row.id, 0),
        )
        for row in rows
    ]
    next_cursor = cursors.encode(rows[-1].id) if more and rows else None
    return items, next_cursor


# The list's columns and joins, built once.
_LISTED = (
    select(
        *LIST_COLUMNS,
        Building.number.label("building_number"),
        Unit.number.label("unit_number"),
        Household.room,
        _latest.action.label("latest_action"),
        _latest.note.label("latest_note"),
        _latest.created_at.label("latest_at"),
    )
    .outerjoin(Building, Building.id == Issue.building_id)
    .outerjoin(Unit, Unit.id == Issue.unit_id)
    .outerjoin(Household, Household.id == Issue.household_id)
    .outerjoin(_latest, _latest.id == Issue.last_event_id)
)


def _own_list(households: bool, after: bool) -> Select:
    """What `_filtered` and `list_issues` build for a caller with no volunteer role and
    no filter (`visible_filter`: reported or filed by them, or about one of their
    households), with the values as parameters: built once per shape, not per request
    (tests/server/services/test_issue_lists.py compares the two)."""
    me = bindparam("me")
    visible = [Issue.reporter_id == me, Issue.filed_by_id == me]
    if households:
        visible.append(Issue.household_id.in_(bindparam("households", expanding=True)))
    query = _LISTED.where(or_(*visible))
    if after:
        query = query.where(Issue.id < bindparam("after"))
    return query.order_by(Issue.id.desc()).limit(bindparam("limit", type_=Integer))


_OWN_LISTS = {(h, a): _own_list(h, a) for h in (False, True) for a in (False, True)}
_NO_FILTERS = Filters()


def _residents_own(principal: Principal, filters: Filters, after: int | None):
    """(statement, parameters) of the caller's list when it is a resident's own list
    with no filter (the most frequent), else None (built by `_filtered`)."""
    if filters != _NO_FILTERS or any(m.role in VOLUNTEER_ROLES for m in principal.memberships):
        return None
    households = sorted(principal.household_ids)
    params: dict = {"me": principal.id}
    if households:
        params["households"] = households
    if after is not None:
        params["after"] = after
    return _OWN_LISTS[bool(households), after is not None], params


def _filtered(principal: Principal, filters: Filters, now: datetime) -> Select:
    query = _LISTED.where(visible_filter(principal))
    if filters.handled:
        query = query.where(handled_filter(principal))
    if filters.mine:
        query = query.where(
            (Issue.reporter_id == principal.id) | (Issue.filed_by_id == principal.id)
        )
    if filters.compound:
        query = query.where(_compound_clause(filters.compound))
    for column, value in (
        (Issue.status, filters.status),
        (Issue.category, filters.category),
        (Issue.building_id, filters.building_id),
        (Issue.unit_id, filters.unit_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.overdue is True:
        query = query.where(policies.overdue_clause(now))
    elif filters.overdue is False:
        query = query.where(~policies.overdue_clause(now))
    if filters.reported_from is not None:
        query = query.where(Issue.created_at >= _day_start(filters.reported_from))
    if filters.reported_to is not None:
        query = query.where(Issue.created_at < _day_start(filters.reported_to, 1))
    return query


def _day_start(day: date, plus_days: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI) + timedelta(days=plus_days)


def handler_names(rows: list[IssueRow]) -> dict[int, str]:
    """The names of the volunteers handling the listed issues (user id → name), in one
    statement: volunteers act under their names, as the timeline shows them."""
    return display_names({row.issue.handler_id for row in rows})


def buildings(principal: Principal, compound_id: int) -> list[tuple[int, int]]:
    """(id, number) of a compound's buildings, for a register's 楼栋 filter: for its
    volunteers (who see all its issues); nothing for anyone else."""
    if not volunteer_of(principal, compound_id):
        return []
    return [
        (building_id, number)
        for building_id, number in connection().execute(
            select(Building.id, Building.number)
            .where(Building.compound_id == compound_id)
            .order_by(Building.number)
        )
    ]


def _compound_clause(code: str):
    """`issues.compound_id` equal to the compound's id, looked up first: on the code of
    a joined compounds row, MariaDB may walk the whole table backwards by id to fill a
    page. An unknown code matches nothing; visibility is the caller's filter's job."""
    compound_id = connection().scalar(select(Compound.id).where(Compound.code == code))
    return Issue.compound_id == compound_id if compound_id is not None else false()


_PHOTO_COUNTS = (
    select(Upload.issue_id, func.count())
    .where(Upload.issue_id.in_(bindparam("issue_ids", expanding=True)))
    .group_by(Upload.issue_id)
)


def _photo_counts(issue_ids: list[int]) -> dict[int, int]:
    if not issue_ids:
        return {}
    rows = connection().execute(_PHOTO_COUNTS, {"issue_ids": issue_ids})
    return {key: value for key, value in rows}


def display_names(user_ids: set[int | None]) -> dict[int, str]:
    ids = [uid for uid in user_ids if uid is not None]
    if not ids:
        return {}
    rows = connection().execute(select(User.id, User.nickname).where(User.id.in_(ids)))
    return {uid: nickname or "邻居" for uid, nickname in rows}
