"""Registers (台账) of the request loop, for the committee (the monthly figures are
server/services/issues/monthly.py, named here too for the API).

The export carries no reporter names: a register is about matters, not people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from server.clock import SHANGHAI, utcnow
from server.errors import Forbidden
from server.extensions import db
from server.labels import label
from server.models import Building, Household, Unit
from server.models.issue import Issue
from server.services.excel import Column, Sheet, Total, xlsx
from server.services.issues import policies
from server.services.issues.access import handled_filter
from server.services.issues.locations import location_label
from server.services.issues.monthly import month_bounds, monthly_stats
from server.services.people import compounds
from server.services.people.access import Principal

__all__ = ["RegisterQuery", "export_xlsx", "month_bounds", "monthly_stats"]

EXPORT_MAX_ROWS = 20_000
STREAM_BATCH = 500  # rows fetched from the database at a time
OVERDUE = "是否超时"
COLUMNS = (
    Column("编号", 8, "id"),
    Column("类别", 10),
    Column("标题", 30),
    Column("位置", 14),
    Column("状态", 10),
    Column("报事时间", 18, "datetime"),
    Column("受理时间", 18, "datetime"),
    Column("办结时间", 18, "datetime"),
    Column("完成时间", 18, "datetime"),
    Column("办理方式", 10),
    Column("承办单位", 16),
    Column("对方编号", 16),
    Column("评分", 6, "number"),
    Column(OVERDUE, 8, "yes_no"),
)


@dataclass(frozen=True)
class RegisterQuery:
    compound: str
    category: str | None = None
    status: str | None = None
    building_id: int | None = None
    reported_from: date | None = None
    reported_to: date | None = None
    overdue: bool | None = None
    sort: str = "reported"


def export_xlsx(principal: Principal, query: RegisterQuery) -> bytes:
    """The register of a compound's issues as an Excel workbook: the issues the caller
    handles, filtered and sorted as asked.

    The rows are streamed: read from the database in batches of STREAM_BATCH (a
    server-side cursor on MariaDB) and written to the sheet one by one, the totals
    counted on the way, so the memory an export takes does not grow with its rows.

    Raises NotFound (not the caller's compound), Forbidden (handles nothing there).
    """
    compound = _handled_compound(principal, query.compound)
    now = utcnow()
    statement = _register_query(principal, compound.id, query, now)
    title = f"{label('issue_category', query.category, '全部事项')}台账"
    tally = _Tally()
    rows = tally.rows(
        db.session.execute(statement, execution_options={"yield_per": STREAM_BATCH}), now
    )
    return xlsx(Sheet(title, COLUMNS, rows, tally.totals))


class _Tally:
    """The register's rows as they stream by, and the totals row they add up to."""

    def __init__(self):
        self.count = self.overdue = 0

    def rows(self, result, now: datetime):  # a generator of sheet rows
        for issue in result:
            row = _row(issue, now)
            self.count += 1
            self.overdue += row[-1]
            yield row

    def totals(self) -> list[Total]:
        return [Total(f"合计（{self.count} 件）", {OVERDUE: f"超时 {self.overdue} 件"})]


_SORTS = {
    "reported": (Issue.id,),
    "reported_desc": (Issue.id.desc(),),
    "due": (Issue.resolution_due_at, Issue.id),
    "status": (Issue.status, Issue.id),
    "location": (Building.number, Unit.number, Household.room, Issue.id),
}


# What a row needs, not whole Issue objects (the ORM's per-object cost and memory).
_ROW_COLUMNS = (
    Issue.id,
    Issue.category,
    Issue.title,
    Issue.status,
    Issue.created_at,
    Issue.accepted_at,
    Issue.resolved_at,
    Issue.closed_at,
    Issue.track,
    Issue.referral_body,
    Issue.referral_ref,
    Issue.rating,
    Issue.response_due_at,
    Issue.resolution_due_at,
    Building.number.label("building_no"),
    Unit.number.label("unit_no"),
    Household.room,
)


def _register_query(principal: Principal, compound_id: int, query: RegisterQuery, now):
    statement = (
        select(*_ROW_COLUMNS)
        .outerjoin(Building, Building.id == Issue.building_id)
        .outerjoin(Unit, Unit.id == Issue.unit_id)
        .outerjoin(Household, Household.id == Issue.household_id)
        .where(Issue.compound_id == compound_id, handled_filter(principal))
        .order_by(*_SORTS[query.sort])
        .limit(EXPORT_MAX_ROWS)
    )
    for column, value in (
        (Issue.category, query.category),
        (Issue.status, query.status),
        (Issue.building_id, query.building_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if query.reported_from:
        statement = statement.where(Issue.created_at >= _day_start(query.reported_from))
    if query.reported_to:
        statement = statement.where(Issue.created_at < _day_start(query.reported_to, 1))
    if query.overdue is not None:
        clause = policies.overdue_clause(now)
        statement = statement.where(clause if query.overdue else ~clause)
    return statement


def _day_start(day: date, plus_days: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI) + timedelta(days=plus_days)


def _row(issue, now: datetime) -> list:
    """A sheet row from a row of _ROW_COLUMNS."""
    return [
        issue.id,
        label("issue_category", issue.category),
        issue.title,
        location_label(issue.building_no, issue.unit_no, issue.room),
        label("issue_status", issue.status),
        issue.created_at,
        issue.accepted_at,
        issue.resolved_at,
        issue.closed_at,
        label("issue_track", issue.track) if issue.track else None,
        issue.referral_body,
        issue.referral_ref,
        issue.rating,
        Issue.is_overdue(issue, now),  # the model's rule, on the row's status and due times
    ]


def _handled_compound(principal: Principal, code: str):
    compound = compounds.member_compound(principal, code)
    handles_any = any(
        m.compound_id == compound.id and m.role in ("committee", "building_lead", "liaison")
        for m in principal.memberships
    )
    if not handles_any:
        raise Forbidden("只有联络人、楼栋长和业委会可以导出台账", code="not_a_handler")
    return compound
