"""Races on issues: two handlers at once, a job against a handler, two answers at once.

(Meaningful on MariaDB, where row locks decide; on SQLite the write lock serialises.)
"""

from __future__ import annotations

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from server.extensions import db
from server.models import Issue, IssueEvent
from server.services.issues import deadlines, return_visits
from server.services.issues.flow import Action, transition
from server.services.people.access import load_principal
from tests.factories import build_world, make_issues
from tests.helpers import together
from tests.timing import day


@pytest.fixture
def world(committed_db):
    world = build_world("rc")
    db.session.commit()
    return world


def test_two_handlers_accepting_at_once_accept_once(app, world):
    (issue_id,) = make_issues(1, world.reporter())
    headers = [world.headers("liaison_1_1"), world.headers("committee"), world.headers("lead_1")]

    def accept(h):
        return lambda: (
            app.test_client()
            .post(f"/api/v1/issues/{issue_id}/transitions", json={"action": "accept"}, headers=h)
            .status_code
        )

    results, errors = together(app, [accept(h) for h in headers])
    assert errors == []
    assert sorted(results) == [200, 409, 409]
    accepts = db.session.scalars(
        select(IssueEvent).where(IssueEvent.issue_id == issue_id, IssueEvent.action == "accept")
    ).all()
    assert len(accepts) == 1
    db.session.commit()


def test_escalation_racing_handlers_never_overwrites_an_accept(app, world):
    with freeze_time(day(-30, "00:00")):  # long overdue by now
        ids = make_issues(12, world.reporter())
    liaison = world.people["liaison_1_1"].id
    db.session.commit()

    def accept(issue_id):
        return lambda: transition(load_principal(liaison), issue_id, Action("accept"))

    calls = [deadlines.escalate_overdue] + [accept(i) for i in ids]
    _results, errors = together(app, calls)
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
    (issue_id,) = make_issues(1, world.reporter(), category="care")
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

    results, errors = together(app, [answer(u) for u in handlers])
    assert errors == []
    assert sorted(r if isinstance(r, int) else 200 for r in results) == [200, 409]
    issue = db.session.get(Issue, issue_id)
    assert (issue.status, issue.reopen_count) == ("accepted", 1)
    db.session.commit()
