"""A compound's issues at a glance, for the committee's dashboard: how many stand in each
status now, per category how many were reported and resolved and the average time to
resolve, the residents' ratings, and the most overdue issues.

Every figure is counted in SQL (GROUP BY) on the compound's own rows, through the
indexes that begin with `issues.compound_id`: the cost follows the compound's issues,
never the number of compounds in the district.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy import case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Float

from server.clock import utcnow
from server.errors import Forbidden
from server.extensions import db
from server.labels import group, label
from server.models import Building, Household, Unit
from server.models.issue import Issue
from server.services.issues import policies
from server.services.issues.access import visible_filter, volunteer_of
from server.services.issues.locations import location_label
from server.services.people import compounds
from server.services.people.access import Principal

OPEN_STATUSES = ("submitted", "accepted", "referred")
OVERDUE_LIMIT = 5


class seconds_between(ColumnElement):  # used like a SQL function, named like one
    """`end - start` in seconds, as each database spells it."""

    type = Float()
    inherit_cache = True  # cached by its two columns (without them: compiled every time)
    _traverse_internals = (
        ("start", InternalTraversal.dp_clauseelement),
        ("end", InternalTraversal.dp_clauseelement),
    )

    def __init__(self, start, end):
        self.start, self.end = start, end


@compiles(seconds_between)
def _seconds_generic(element, compiler, **kw):  # SQLite stores "YYYY-MM-DD HH:MM:SS"
    start, end = compiler.process(element.start, **kw), compiler.process(element.end, **kw)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(seconds_between, "mysql")
@compiles(seconds_between, "mariadb")
def _seconds_mysql(element, compiler, **kw):
    start, end = compiler.process(element.start, **kw), compiler.process(element.end, **kw)
    return f"TIMESTAMPDIFF(MICROSECOND, {start}, {end}) / 1000000.0"


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class CategoryFigures:
    category: str
    label: str
    reported: int
    resolved: int
    hours_to_resolve: Decimal | None  # average over the resolved ones, one decimal

    @property
    def days_to_resolve(self) -> Decimal | None:
        if self.hours_to_resolve is None:
            return None
        return (self.hours_to_resolve / 24).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Overview:
    since: datetime
    by_status: list[StatusCount]  # every issue of the compound, as it stands now
    by_category: list[CategoryFigures]  # reported since `since`
    ratings: dict[int, int]  # 5 → how many rated 5, ... (issues reported since `since`)
    open: int
    overdue: int

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())

    @property
    def satisfaction(self) -> Fraction | None:
        """The exact mean rating (1–5), None before anyone rated."""
        if not self.rated:
            return None
        return Fraction(sum(r * n for r, n in self.ratings.items()), self.rated)


def overview(
    principal: Principal, code: str, *, since: datetime, now: datetime | None = None
) -> Overview:
    """The compound's issue figures: status counts now, and per category the issues
    reported since `since`, resolved, and their average hours from report to resolution;
    ratings of those issues; how many are open and overdue now.

    Raises NotFound, Forbidden (the committee and the supervisor read them, as the
    monthly figures)."""
    compound = compounds.member_compound(principal, code)
    if not (principal.committee_of(compound.id) or principal.supervisor_of(compound.id)):
        raise Forbidden("只有业委会和财务监督可以查看统计", code="committee_only")
    now = now or utcnow()
    mine = Issue.compound_id == compound.id

    overdue = func.sum(case((policies.overdue_clause(now), 1), else_=0))
    status_rows = db.session.execute(
        select(Issue.status, func.count(), overdue).where(mine).group_by(Issue.status)
    ).all()
    counts = {status: int(n) for status, n, _ in status_rows}
    by_status = [
        StatusCount(s, label("issue_status", s), counts[s])
        for s in sorted(counts, key=lambda s: _in_label_order("issue_status", s))
    ]

    resolved = Issue.resolved_at.is_not(None)
    category_rows = db.session.execute(
        select(
            Issue.category,
            func.count(),
            func.sum(case((resolved, 1), else_=0)),
            func.avg(case((resolved, seconds_between(Issue.created_at, Issue.resolved_at)))),
        )
        .where(mine, Issue.created_at >= since)
        .group_by(Issue.category)
    ).all()
    by_category = [
        CategoryFigures(
            category,
            label("issue_category", category),
            int(reported),
            int(done or 0),
            _hours(seconds) if done else None,
        )
        for category, reported, done, seconds in sorted(
            category_rows, key=lambda r: _in_label_order("issue_category", r[0])
        )
    ]

    rating_rows = db.session.execute(
        select(Issue.rating, func.count())
        .where(mine, Issue.created_at >= since, Issue.rating.is_not(None))
        .group_by(Issue.rating)
    ).all()
    return Overview(
        since=since,
        by_status=by_status,
        by_category=by_category,
        ratings={int(r): int(n) for r, n in rating_rows},
        open=sum(counts.get(s, 0) for s in OPEN_STATUSES),
        overdue=sum(int(n or 0) for *_, n in status_rows),
    )


def _hours(seconds) -> Decimal:
    return (Decimal(str(seconds)) / 3600).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _in_label_order(kind: str, code: str) -> tuple[int, str]:
    """Codes in the order their labels are listed (待受理, 处理中, ...), unknown ones last."""
    order = list(group(kind))
    return (order.index(code) if code in order else len(order), code)


@dataclass(frozen=True)
class OverdueIssue:
    issue_id: int
    title: str
    category: str  # its label
    status: str  # its label
    location: str
    due_at: datetime  # the deadline it missed (to accept, or to resolve)
    hours_late: int


def most_overdue(
    principal: Principal, code: str, *, limit: int = OVERDUE_LIMIT, now: datetime | None = None
) -> list[OverdueIssue]:
    """The compound's overdue issues the caller may see, the longest overdue first.

    Raises NotFound, Forbidden (issues are read by those who handle them: the
    committee, building leads and liaisons)."""
    compound = compounds.member_compound(principal, code)
    if not volunteer_of(principal, compound.id):
        raise Forbidden("只有业委会、楼栋长和联络人可以查看报事", code="not_a_handler")
    now = now or utcnow()
    due = case((Issue.status == "submitted", Issue.response_due_at), else_=Issue.resolution_due_at)
    rows = db.session.execute(
        select(Issue, Building.number, Unit.number, Household.room)
        .outerjoin(Building, Building.id == Issue.building_id)
        .outerjoin(Unit, Unit.id == Issue.unit_id)
        .outerjoin(Household, Household.id == Issue.household_id)
        .where(
            Issue.compound_id == compound.id,
            visible_filter(principal),
            policies.overdue_clause(now),
        )
        .order_by(due, Issue.id)
        .limit(limit)
    ).all()
    found = []
    for issue, building_no, unit_no, room in rows:
        missed = issue.response_due_at if issue.status == "submitted" else issue.resolution_due_at
        found.append(
            OverdueIssue(
                issue.id,
                issue.title,
                label("issue_category", issue.category),
                label("issue_status", issue.status),
                location_label(building_no, unit_no, room),
                missed,
                int((now - missed).total_seconds() // 3600),
            )
        )
    return found


def overdue_count(principal: Principal, code: str, *, now: datetime | None = None) -> int:
    """How many of the compound's issues the caller handles are overdue now (the list
    `most_overdue` begins); 0 for anyone who does not handle issues, and once archived.
    Raises NotFound."""
    compound = compounds.member_compound(principal, code)
    if compound.archived_at is not None or not volunteer_of(principal, compound.id):
        return 0
    count = db.session.scalar(
        select(func.count(Issue.id)).where(
            Issue.compound_id == compound.id,
            visible_filter(principal),
            policies.overdue_clause(now or utcnow()),
        )
    )
    return int(count or 0)
