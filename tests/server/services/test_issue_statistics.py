"""The dashboard's issue figures (services/issues/statistics.py): status counts, per
category the reported and resolved issues and the average time to resolve, ratings,
the most overdue issues; one compound's, for those the service lets read them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
import time_machine

from server.errors import Forbidden
from server.extensions import db
from server.services.issues import statistics
from server.services.people.access import load_principal
from tests.factories import build_world, make_issue
from tests.timing import day

NOW = day(0, "06:00")
SINCE = NOW - timedelta(days=365)


def issue_at(world, when, category="repair", title="楼道灯不亮", **state):
    """An issue reported at `when`, then left in `state` (status, resolved after N
    hours, rating) as the request loop would have left it."""
    with time_machine.travel(when, tick=False):
        issue = make_issue(*world.reporter(), category=category, title=title)
    hours = state.pop("resolved_after", None)
    if hours is not None:
        issue.resolved_at = issue.created_at + timedelta(hours=hours)
    for name, value in state.items():
        setattr(issue, name, value)
    db.session.flush()
    return issue


@pytest.fixture
def world(db_session):
    world = build_world("st")
    old = NOW - timedelta(days=3)
    issue_at(world, old, title="三天没人管")  # repair, accept within 24 h: overdue
    issue_at(world, NOW - timedelta(days=10), "hazard", "电线裸露", status="accepted")  # 3 days
    issue_at(world, NOW - timedelta(hours=2), title="刚报的")  # not yet due
    issue_at(world, old, status="closed", resolved_after=30, rating=5)
    issue_at(world, old, status="closed", resolved_after=12, rating=3)
    issue_at(world, old, "hazard", status="resolved", resolved_after=6)
    issue_at(world, old, "care", status="closed", resolved_after=48, rating=4)
    # Reported thirteen months ago: its status counts, its category and rating do not.
    issue_at(world, NOW - timedelta(days=400), status="closed", resolved_after=1, rating=1)
    return world


def who(world, key):
    return load_principal(world.people[key].id)


def test_status_counts_categories_times_and_ratings_of_the_compound(world):
    other = build_world("st-other")
    issue_at(other, NOW - timedelta(days=30), title="别的小区的事", rating=1, resolved_after=2)

    figures = statistics.overview(who(world, "committee"), "st", since=SINCE, now=NOW)

    assert [(s.label, s.count) for s in figures.by_status] == [
        ("待受理", 2),
        ("处理中", 1),
        ("已解决", 1),
        ("已完成", 4),
    ]
    assert [
        (c.label, c.reported, c.resolved, c.hours_to_resolve, c.days_to_resolve)
        for c in figures.by_category
    ] == [
        ("报修", 4, 2, Decimal("21.0"), Decimal("0.9")),  # (30 + 12) / 2 hours
        ("安全隐患", 2, 1, Decimal("6.0"), Decimal("0.3")),
        ("困难帮扶", 1, 1, Decimal("48.0"), Decimal("2.0")),
    ]
    assert figures.ratings == {5: 1, 4: 1, 3: 1}
    assert figures.satisfaction == Fraction(4)
    assert (figures.open, figures.overdue) == (3, 2)


def test_the_most_overdue_come_first_and_only_the_compounds_own(world):
    other = build_world("st-other")
    issue_at(other, NOW - timedelta(days=30), title="别的小区超期的事")

    found = statistics.most_overdue(who(world, "committee"), "st", now=NOW)

    assert [(i.title, i.status, i.location) for i in found] == [
        ("电线裸露", "处理中", "1-1-101"),  # due 7 days ago
        ("三天没人管", "待受理", "1-1-101"),  # due 2 days ago
    ]
    assert found[0].hours_late == 7 * 24
    assert len(statistics.most_overdue(who(world, "committee"), "st", limit=1, now=NOW)) == 1


def test_who_reads_them(world):
    supervisor = who(world, "supervisor")
    assert statistics.overview(supervisor, "st", since=SINCE, now=NOW).open == 3
    with pytest.raises(Forbidden):  # the supervisor reads figures, not the issues
        statistics.most_overdue(supervisor, "st", now=NOW)
    with pytest.raises(Forbidden):
        statistics.overview(who(world, "resident_1_1"), "st", since=SINCE, now=NOW)
    # A liaison sees the compound's issues (as in the API's lists).
    assert len(statistics.most_overdue(who(world, "liaison_1_2"), "st", now=NOW)) == 2


def test_nothing_yet(db_session):
    world = build_world("st-empty")
    figures = statistics.overview(who(world, "committee"), "st-empty", since=SINCE, now=NOW)
    assert (figures.by_status, figures.by_category, figures.ratings) == ([], [], {})
    assert (figures.satisfaction, figures.open, figures.overdue) == (None, 0, 0)
    assert statistics.most_overdue(who(world, "committee"), "st-empty", now=NOW) == []
