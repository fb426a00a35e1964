"""Races on issues: two handlers at once, a job against a handler, two answers at once.

(Meaningful on MariaDB, where row locks decide; on SQLite the write lock serialises.)
"""

from __future__ import annotations

import threading

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from server.extensions import db
from server.models import Issue, IssueEvent
from server.services.issues import deadlines, return_visits
from server.services.issues.flow import Action, transition
from server.services.issues.reports import NewIssue, report
from server.services.people.access import load_principal
from tests.factories import build_world
from tests.timing import day


@pytest.fixture
def world(committed_db):
    world = build_world("rc")
    db.session.commit()
    return world


def _report(world, count, category="repair", reporter="resident_1_1", household="1-1-101"):
    principal = load_principal(world.people[reporter].id)
    household_id = world.household(household).id
    ids = [
        report(principal, NewIssue(category, f"事项{i}", "描述", household_id=household_id)).id
        for i in range(count)
    ]
    db.session.commit()
    return ids


def _together(app, calls):
    """Start every call at the same moment, each with its own app context and session."""
    db.session.commit()
    barrier, results, errors = threading.Barrier(len(calls)), [None] * len(calls), []

    def run(i, call):
        barrier.wait()
        try:
            with app.app_context():
                results[i] = call()
        except Exception as exc:  # collected: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_two_handlers_accepting_at_once_accept_once(app, world):
    (issue_id,) = _report(world, 1)
    headers = [world.headers("liaison_1_1"), world.headers("committee"), world.headers("lead_1")]

    def accept(h):
        return lambda: (
            app.test_client()
            .post(f"/api/v1/issues/{issue_id}/transitions", json={"action": "accept"}, headers=h)
            .status_code
        )

    results, errors = _together(app, [accept(h) for h in headers])
    assert errors == []
    assert sorted(results) == [200, 409, 409]
    accepts = db.session.scalars(
        select(IssueEvent).where(IssueEvent.issue_id == issue_id, IssueEvent.action == "accept")
    ).all()
    assert len(accepts) == 1
    db.session.commit()


def test_escalation_racing_handlers_never_overwrites_an_accept(app, world):
    with freeze_time(day(-30, "00:00")):  # long overdue by now
        ids = _report(world, 12)
    liaison = world.people["liaison_1_1"].id
    db.session.commit()

    def accept(issue_id):
        return lambda: transition(load_principal(liaison), issue_id, Action("accept"))

    calls = [deadlines.escalate_overdue] + [accept(i) for i in ids]
    _results, errors = _together(app, calls)
    assert errors == []
    for issue in db.session.scalars(select(Issue).where(Issue.id.in_(ids))).all():
        events = db.session.scalars(
            select(IssueEvent).where(IssueEvent.issue_id == issue.id).order_by(IssueEvent.id)
        ).all()
        assert issue.status == "accepted"
        assert issue.last_event_id == events[-1].id
        accept_at = next(e.id for e in events if e.action == "accept")
        escalations = [e for e in events if e.action == "escalate"]
        # Escalated, if at all, while still waiting; an accept afterwards clears it.
        assert all(e.id < accept_at and e.from_status == "submitted" for e in escalations)
        assert issue.escalation_level == 0
    db.session.commit()


def test_two_answers_to_one_return_visit_count_once(app, world):
    (issue_id,) = _report(world, 1, category="care")
    liaison, resident = world.people["liaison_1_1"].id, world.people["resident_1_1"].id
    db.session.commit()
    with freeze_time(day(1, "08:00:00")):
        for actor, action, extra in (
            (liaison, "accept", {}),
            (liaison, "resolve", {"note": "已送餐"}),
            (resident, "confirm", {"rating": 5}),
        ):
            transition(load_principal(actor), issue_id, Action(action, **extra))
    with freeze_time(day(8, "09:00:00")):
        return_visits.send_due()
    db.session.commit()
    handlers = [world.people["liaison_1_1"].id, world.people["committee"].id]
    db.session.commit()

    def answer(user_id):
        def call():
            try:
                return return_visits.answer(
                    load_principal(user_id), issue_id, fixed=False, note="又需要"
                )
            except Exception as exc:
                return getattr(exc, "status", exc)

        return call

    results, errors = _together(app, [answer(u) for u in handlers])
    assert errors == []
    assert sorted(r if isinstance(r, int) else 200 for r in results) == [200, 409]
    issue = db.session.get(Issue, issue_id)
    assert (issue.status, issue.reopen_count) == ("accepted", 1)
    db.session.commit()
