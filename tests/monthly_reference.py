"""The monthly figures as they were first counted, entry by entry in Python (before
server/services/issues/monthly.py counted them in SQL): the reference the SQL figures
are compared with on a realistic district (tests/server/services/test_monthly_sql.py)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from server.extensions import db
from server.labels import label
from server.models import Building
from server.models.issue import Issue, IssueEvent, ReturnVisit
from server.services.issues.monthly import month_bounds


@dataclass
class Figures:
    reported: int = 0
    accepted: set = field(default_factory=set)
    accept_hours: list[float] = field(default_factory=list)
    resolved_issues: dict = field(default_factory=dict)  # issue id → hours to resolve
    closed_issues: set = field(default_factory=set)
    ratings: list[int] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "reported": self.reported,
            "resolved": len(self.resolved_issues),
            "closed": len(self.closed_issues),
            "median_hours_to_accept": _median(self.accept_hours),
            "median_hours_to_resolve": _median(list(self.resolved_issues.values())),
            "satisfaction": round(statistics.fmean(self.ratings), 2) if self.ratings else None,
            "ratings": len(self.ratings),
        }


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def monthly_figures(compound_id: int, month: str) -> dict:
    """The figures of GET /issues/stats, counted entry by entry."""
    start, end = month_bounds(month)
    total, by_category, by_building = Figures(), defaultdict(Figures), defaultdict(Figures)

    def each(category, building_no):
        return (total, by_category[category], by_building[building_no])

    reported = db.session.execute(
        select(Issue.category, Building.number)
        .outerjoin(Building, Building.id == Issue.building_id)
        .where(Issue.compound_id == compound_id, Issue.created_at >= start, Issue.created_at < end)
    ).all()
    for category, building_no in reported:
        for figures in each(category, building_no):
            figures.reported += 1
    for issue_id, action, at, data, category, building_no, created_at in _events(
        compound_id, start, end
    ):
        for figures in each(category, building_no):
            _count_event(figures, issue_id, action, at, data, created_at)
    return {
        "month": month,
        **total.summary(),
        "return_visits": _visit_answers(compound_id, start, end),
        "by_category": [
            {"category": c, "label": label("issue_category", c), **f.summary()}
            for c, f in sorted(by_category.items())
        ],
        "by_building": [
            {"building": b, **f.summary()}
            for b, f in sorted(by_building.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
        ],
    }


def _events(compound_id: int, start: datetime, end: datetime):
    return db.session.execute(
        select(
            IssueEvent.issue_id,
            IssueEvent.action,
            IssueEvent.created_at,
            IssueEvent.data,
            Issue.category,
            Building.number,
            Issue.created_at,
        )
        .join(Issue, Issue.id == IssueEvent.issue_id)
        .outerjoin(Building, Building.id == Issue.building_id)
        .where(
            IssueEvent.compound_id == compound_id,
            IssueEvent.action.in_(("accept", "resolve", "confirm", "auto_close")),
            IssueEvent.created_at >= start,
            IssueEvent.created_at < end,
        )
        .order_by(IssueEvent.id)
    ).all()


def _count_event(figures: Figures, issue_id, action, at, data, created_at) -> None:
    hours = (at - created_at).total_seconds() / 3600
    if action == "accept" and issue_id not in figures.accepted:
        figures.accepted.add(issue_id)
        figures.accept_hours.append(hours)
    elif action == "resolve":
        figures.resolved_issues[issue_id] = hours  # the last resolution of the month counts
    elif action in ("confirm", "auto_close"):
        figures.closed_issues.add(issue_id)
        if action == "confirm" and (data or {}).get("rating"):
            figures.ratings.append(int(data["rating"]))


def _visit_answers(compound_id: int, start: datetime, end: datetime) -> dict:
    answers = db.session.scalars(
        select(ReturnVisit.answer).where(
            ReturnVisit.compound_id == compound_id,
            ReturnVisit.answered_at >= start,
            ReturnVisit.answered_at < end,
        )
    ).all()
    return {
        "answered": len(answers),
        "fixed": answers.count("fixed"),
        "not_fixed": answers.count("not_fixed"),
    }
