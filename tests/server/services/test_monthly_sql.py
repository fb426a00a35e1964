"""The monthly figures counted in SQL (services/issues/monthly.py) are the very figures
counted entry by entry in Python (tests/monthly_reference.py): on the benchmark district
at one compound of 3,000 issues over a year (re-accepts, several resolutions, ratings
and none, return visits), every month, and on hand-made edge cases (Shanghai's month
boundary on a UTC clock, microseconds, an even number of issues)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import delete, select, update

from scripts.bench import data
from server.clock import SHANGHAI
from server.extensions import db
from server.models import Base, Compound, Issue, IssueEvent, User
from server.services.issues import monthly
from server.services.people import auth
from server.services.people.access import load_principal
from tests.monthly_reference import monthly_figures

SCALE, SEED = 0.003, 11


def empty_tables() -> None:
    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(update(Issue).values(duplicate_of_id=None))
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))


@pytest.fixture(scope="module")
def district(app):
    with app.app_context():
        empty_tables()
        data.generate(db.engine, SCALE, SEED)
    yield  # outside the app context: each test and request opens its own
    with app.app_context():
        empty_tables()


def committee(code: str):
    openid = f"bench-c-{code}-1"
    user = db.session.scalars(select(User).where(User.openid == openid)).one()
    return load_principal(user.id)


def months_of_the_year() -> list[str]:
    last = data.ANCHOR.astimezone(SHANGHAI)
    months, year, month = [], last.year, last.month
    for _ in range(13):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def test_every_month_of_the_district_counts_the_same_in_sql(app, district):
    with app.app_context():
        compound = db.session.scalars(select(Compound)).one()
        principal = committee(compound.code)
        busy = 0
        for month in months_of_the_year():
            expected = monthly_figures(compound.id, month)
            assert monthly.monthly_stats(principal, compound.code, month) == expected, month
            busy += expected["resolved"] > 100
        assert busy >= 6  # months with real traffic, not only empty ones
        events = db.session.scalar(select(db.func.count()).select_from(IssueEvent))
        assert events > 3000


def test_the_api_answers_the_sql_figures(app, district):
    with app.app_context():
        compound = db.session.scalars(select(Compound)).one()
        user = db.session.scalars(select(User).where(User.openid == "bench-c-bd001-1")).one()
        token = auth.issue_token(user)[0]
        month = months_of_the_year()[1]
        expected, code = monthly_figures(compound.id, month), compound.code
        db.session.commit()
    reply = app.test_client().get(
        f"/api/v1/issues/stats?compound={code}&month={month}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert reply.status_code == 200, reply.json
    assert reply.json == expected


def _event(issue: Issue, action: str, at: datetime, data_=None) -> None:
    db.session.add(
        IssueEvent(
            issue_id=issue.id,
            compound_id=issue.compound_id,
            action=action,
            data=data_,
            created_at=at,
        )
    )


def test_edge_cases_count_the_same(app, district):
    """Issues reported a minute either side of Shanghai's midnight on the 1st (16:00
    UTC the day before), times with microseconds, an even count for the medians, a
    re-accept and a second resolution in the month, a confirm without a rating."""
    with app.app_context():
        compound = db.session.scalars(select(Compound)).one()
        principal = committee(compound.code)
        template = db.session.scalars(
            select(Issue).where(Issue.compound_id == compound.id).order_by(Issue.id)
        ).first()
        month = "2027-03"
        boundary = datetime(2027, 2, 28, 16, 0, tzinfo=UTC)  # 2027-03-01 00:00 Shanghai
        made = []
        for minutes, micro in ((-1, 0), (1, 1), (2, 999_999), (3, 123_457)):
            issue = Issue(
                compound_id=compound.id,
                reporter_id=template.reporter_id,
                household_id=template.household_id,
                building_id=template.building_id,
                unit_id=template.unit_id,
                category=template.category,
                title="楼道灯不亮",
                description="三楼楼道灯不亮",
                filed_by_id=template.filed_by_id,
                status="closed",
                response_due_at=boundary + timedelta(days=1),
                resolution_due_at=boundary + timedelta(days=5),
                created_at=boundary + timedelta(minutes=minutes, microseconds=micro),
            )
            db.session.add(issue)
            made.append(issue)
        db.session.flush()
        with time_machine.travel(boundary, tick=False):
            for n, issue in enumerate(made):
                at = issue.created_at + timedelta(hours=n + 1, microseconds=333_333 * n)
                _event(issue, "accept", at)
                _event(issue, "resolve", at + timedelta(hours=7, microseconds=7))
                _event(issue, "reopen", at + timedelta(hours=8))
                _event(issue, "accept", at + timedelta(hours=9))  # not the first: not counted
                _event(issue, "resolve", at + timedelta(hours=10, microseconds=n))  # counts
                _event(issue, "confirm", at + timedelta(hours=11), {"rating": 5 - n} if n else {})
        db.session.flush()
        try:
            figures = monthly.monthly_stats(principal, compound.code, month)
            assert figures == monthly_figures(compound.id, month)
            assert figures["reported"] == 3  # the one a minute before midnight is February's
            assert figures["resolved"] == figures["closed"] == 4
            assert figures["ratings"] == 3
            assert figures["satisfaction"] == 3.0  # 4, 3 and 2
        finally:
            db.session.rollback()


def test_the_hours_between_two_columns_compile_once_and_are_told_apart():
    from server.services.issues.statistics import seconds_between

    for element in (monthly.hours_between, seconds_between):
        accepted = element(Issue.created_at, Issue.accepted_at)._generate_cache_key()
        resolved = element(Issue.created_at, Issue.resolved_at)._generate_cache_key()
        assert accepted is not None  # None: compiled again on every request
        assert accepted != resolved
        assert accepted == element(Issue.created_at, Issue.accepted_at)._generate_cache_key()
