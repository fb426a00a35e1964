"""A month's figures of the request loop for the committee (GET /issues/stats): reported,
resolved, closed, median hours to accept and to resolve, satisfaction and return-visit
answers, for the compound and by category and building.

Everything is counted in the database: the counts and sums by (category, building),
which add up to the per-category, per-building and whole-compound figures, and the
medians by window functions that return only the middle one or two values of each
group. Python handles a few dozen rows whatever the month held (it once decoded each
of the month's 1,000–3,100 timeline entries).

The month is Asia/Shanghai's; it is turned into its UTC bounds here, so the database
compares stored UTC times and needs no time zone. The timeline is what happened, never
rewritten, so a month's figures stay as they were when it ended. Per issue:
- accepted: its first accept of the month (hours from report to that accept);
- resolved: its last resolution of the month (hours from report to it);
- closed: any confirm or auto-close of the month; every confirm with a rating counts
  toward satisfaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, literal, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Float

from server.clock import SHANGHAI
from server.errors import Forbidden, ValidationFailed
from server.extensions import db
from server.labels import label
from server.models import Building
from server.models.issue import Issue, IssueEvent, ReturnVisit
from server.services.people import compounds
from server.services.people.access import Principal

CLOSING = ("confirm", "auto_close")
OVERS = ("all", "category", "building")  # the groups a median is taken over


class hours_between(ColumnElement):  # used like a SQL function, named like one
    """`end - start` in hours as a double, computed as Python's
    `(end - start).total_seconds() / 3600` is: whole microseconds, divided by 10**6,
    then by 3600 (each an IEEE division, so the very same float)."""

    type = Float()
    inherit_cache = True  # cached by its two columns: the statement compiles once
    _traverse_internals = (
        ("start", InternalTraversal.dp_clauseelement),
        ("end", InternalTraversal.dp_clauseelement),
    )

    def __init__(self, start, end):
        self.start, self.end = start, end


@compiles(hours_between)
def _hours_sqlite(element, compiler, **kw):
    # SQLite keeps "YYYY-MM-DD HH:MM:SS.ffffff": whole seconds by strftime('%s'), the
    # microseconds from characters 21–26 (julianday() would round them).
    start, end = compiler.process(element.start, **kw), compiler.process(element.end, **kw)
    micros = (
        f"((strftime('%s', {end}) - strftime('%s', {start})) * 1000000"
        f" + (CAST(substr({end}, 21, 6) AS INTEGER) - CAST(substr({start}, 21, 6) AS INTEGER)))"
    )
    return f"({micros} / 1000000.0 / 3600.0)"


@compiles(hours_between, "mysql")
@compiles(hours_between, "mariadb")
def _hours_mysql(element, compiler, **kw):
    start, end = compiler.process(element.start, **kw), compiler.process(element.end, **kw)
    return f"(TIMESTAMPDIFF(MICROSECOND, {start}, {end}) / 1e6 / 3600e0)"  # e: doubles


@dataclass
class Figures:
    reported: int = 0
    resolved: int = 0
    closed: int = 0
    rated: int = 0
    rating_sum: int = 0
    middle_accept: list[float] = field(default_factory=list)  # the middle one or two
    middle_resolve: list[float] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "reported": self.reported,
            "resolved": self.resolved,
            "closed": self.closed,
            "median_hours_to_accept": _median(self.middle_accept),
            "median_hours_to_resolve": _median(self.middle_resolve),
            "satisfaction": round(self.rating_sum / self.rated, 2) if self.rated else None,
            "ratings": self.rated,
        }


def _median(middle: list[float]) -> float | None:
    """statistics.median's answer from the middle value, or the middle two."""
    if not middle:
        return None
    value = middle[0] if len(middle) == 1 else (middle[0] + middle[1]) / 2
    return round(value, 1)


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """ "2026-12" → its first instant and the next month's, Asia/Shanghai, as UTC."""
    try:
        year, number = (int(part) for part in month.split("-"))
        if not 2000 <= year <= 2100:
            raise ValueError(year)
        start = datetime(year, number, 1, tzinfo=SHANGHAI)
    except (ValueError, OverflowError):
        raise ValidationFailed("月份格式应为 YYYY-MM，如 2026-12", code="bad_month") from None
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def monthly_stats(principal: Principal, code: str, month: str) -> dict:
    """A month's figures for a compound: reported, resolved, closed, median times to
    accept and resolve, satisfaction and return-visit answers, by category and building.

    Raises NotFound, Forbidden (the committee and the supervisor read them).
    """
    compound = compounds.member_compound(principal, code)
    if not (principal.committee_of(compound.id) or principal.supervisor_of(compound.id)):
        raise Forbidden("只有业委会和财务监督可以查看统计", code="committee_only")
    start, end = month_bounds(month)
    total, by_category, by_building = Figures(), defaultdict(Figures), defaultdict(Figures)
    for what, category, building_no, n, rated, rating_sum in _grouped_counts(
        compound.id, start, end
    ):
        for figures in (total, by_category[category], by_building[building_no]):
            if what == "reported":
                figures.reported += int(n)
            else:  # "closed": issues closed, confirmations with a rating, their sum
                figures.closed += int(n)
                figures.rated += int(rated or 0)
                figures.rating_sum += int(rating_sum or 0)
    groups = {"all": total, "category": by_category, "building": by_building}
    for kind, over, key, row in _timeline_figures(compound.id, start, end):
        figures = groups[over] if over == "all" else groups[over][key]
        if kind == "accept":
            figures.middle_accept.append(float(row.hours))
        else:  # "resolve"
            figures.resolved = int(row.n)
            figures.middle_resolve.append(float(row.hours))
    return {
        "month": month,
        **total.summary(),
        "return_visits": _visit_answers(compound.id, start, end),
        "by_category": [
            {"category": c, "label": label("issue_category", c), **f.summary()}
            for c, f in sorted(by_category.items())
        ],
        "by_building": [
            {"building": b, **f.summary()}
            for b, f in sorted(by_building.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
        ],
    }


def _in_month(column, start: datetime, end: datetime):
    return and_(column >= start, column < end)


def _grouped_counts(compound_id: int, start: datetime, end: datetime):
    """(what, category, building number, n, rated, rating sum) of the month, in one
    statement: "reported", the issues reported (n); "closed", the issues confirmed or
    auto-closed (n), the confirmations with a rating and their sum."""
    rating = IssueEvent.data["rating"].as_integer()
    is_rated = and_(IssueEvent.action == "confirm", rating != 0)  # none (NULL) neither
    reported = (
        select(
            literal("reported"),
            Issue.category,
            Building.number,
            func.count(),
            literal(0),
            literal(0),
        )
        .outerjoin(Building, Building.id == Issue.building_id)
        .where(Issue.compound_id == compound_id, _in_month(Issue.created_at, start, end))
        .group_by(Issue.category, Building.number)
    )
    closed = (
        select(
            literal("closed"),
            Issue.category,
            Building.number,
            func.count(func.distinct(IssueEvent.issue_id)),
            func.sum(case((is_rated, 1), else_=0)),
            func.sum(case((is_rated, rating), else_=0)),
        )
        .select_from(IssueEvent)
        .join(Issue, Issue.id == IssueEvent.issue_id)
        .outerjoin(Building, Building.id == Issue.building_id)
        .where(
            IssueEvent.compound_id == compound_id,
            IssueEvent.action.in_(CLOSING),
            _in_month(IssueEvent.created_at, start, end),
        )
        .group_by(Issue.category, Building.number)
    )
    return db.session.execute(union_all(reported, closed)).all()


def _timeline_figures(compound_id: int, start: datetime, end: datetime):
    """The month's accept and resolve entries in one statement: per issue and kind
    (accept, resolve) its first accept or its last resolution; then per kind and
    group (the compound, each category, each building) by window functions, how many
    issues and the middle one or two hours. Yields (kind, over, key, Middle) for each
    group's middle rows: over "all" (key None), "category" or "building"."""
    per_issue = (
        select(
            IssueEvent.issue_id.label("issue_id"),
            IssueEvent.action.label("kind"),
            func.min(IssueEvent.id).label("first_id"),
            func.max(IssueEvent.id).label("last_id"),
        )
        .where(
            IssueEvent.compound_id == compound_id,
            IssueEvent.action.in_(("accept", "resolve")),
            _in_month(IssueEvent.created_at, start, end),
        )
        .group_by(IssueEvent.issue_id, IssueEvent.action)
        .subquery()
    )
    counted = case((per_issue.c.kind == "accept", per_issue.c.first_id), else_=per_issue.c.last_id)
    hours = (
        select(
            per_issue.c.kind,
            Issue.compound_id.label("compound"),
            Issue.category.label("category"),
            Building.number.label("building"),
            hours_between(Issue.created_at, IssueEvent.created_at).label("hours"),
        )
        .select_from(per_issue)
        .join(IssueEvent, IssueEvent.id == counted)
        .join(Issue, Issue.id == per_issue.c.issue_id)
        .outerjoin(Building, Building.id == Issue.building_id)
        .subquery()
    )
    # "all" is partitioned by the compound (one partition): MariaDB 10.11 numbers rows
    # wrongly beside an empty OVER () among windows of other partitions.
    windows = []
    for name, column in zip(
        OVERS, (hours.c.compound, hours.c.category, hours.c.building), strict=True
    ):
        part = (hours.c.kind, column)
        windows += [
            func.row_number().over(partition_by=part, order_by=hours.c.hours).label(f"r_{name}"),
            func.count().over(partition_by=part).label(f"n_{name}"),
        ]
    ranked = select(hours.c.kind, hours.c.category, hours.c.building, hours.c.hours, *windows)
    ranked = ranked.subquery()

    def middle(name):
        rank, n = ranked.c[f"r_{name}"], ranked.c[f"n_{name}"]
        return and_(rank * 2 >= n, rank * 2 <= n + 2)  # n odd: (n+1)/2; even: n/2, n/2+1

    rows = db.session.execute(select(ranked).where(or_(*(middle(name) for name in OVERS)))).all()
    for row in rows:
        keys = (None, row.category, row.building)
        for name, key in zip(OVERS, keys, strict=True):
            rank, n = getattr(row, f"r_{name}"), getattr(row, f"n_{name}")
            if n <= rank * 2 <= n + 2:
                yield row.kind, name, key, Middle(row.hours, n)


@dataclass(frozen=True)
class Middle:
    hours: float
    n: int  # issues of the kind in the group


def _visit_answers(compound_id: int, start: datetime, end: datetime) -> dict:
    answers = dict(
        db.session.execute(
            select(ReturnVisit.answer, func.count())
            .where(
                ReturnVisit.compound_id == compound_id,
                _in_month(ReturnVisit.answered_at, start, end),
            )
            .group_by(ReturnVisit.answer)
        ).all()
    )
    return {
        "answered": sum(int(n) for n in answers.values()),
        "fixed": int(answers.get("fixed", 0)),
        "not_fixed": int(answers.get("not_fixed", 0)),
    }
