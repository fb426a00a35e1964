"""The request loop's jobs under a frozen clock: auto-close, escalation, referral
follow-ups and return visits."""

from __future__ import annotations

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from server.errors import Forbidden
from server.extensions import db
from server.models import IssueEvent, ReturnVisit
from server.services.issues import closing, deadlines, flow, return_visits
from server.services.issues.flow import Action
from server.services.people.access import load_principal
from tests.factories import build_world, make_issue
from tests.helpers import inbox
from tests.timing import day


@pytest.fixture
def world(db_session):
    return build_world("aa")


def who(world, key):
    return load_principal(world.people[key].id)


def move(world, issue, actor, action, **fields):
    return flow.transition(who(world, actor), issue.id, Action(action=action, **fields))


def inbox_kinds(world, key):
    return [n.kind for n in inbox(world.people[key].id)]


def test_a_resolved_issue_closes_by_itself_after_seven_days(world):
    with freeze_time(day(1, "08:00:00")):
        issue = make_issue(*world.reporter())
        move(world, issue, "liaison_1_1", "accept")
        move(world, issue, "liaison_1_1", "resolve", note="已修好")
    with freeze_time(day(8, "07:59:00")):
        assert closing.auto_close_due() == 0
    with freeze_time(day(8, "08:01:00")):
        assert closing.auto_close_due() == 1
        assert closing.auto_close_due() == 0  # and only once
    db.session.refresh(issue)
    assert issue.status == "closed"
    events = db.session.scalars(
        select(IssueEvent.action).where(IssueEvent.issue_id == issue.id)
    ).all()
    assert events[-1] == "auto_close"
    assert inbox_kinds(world, "resident_1_1")[-1] == "issue_status"


def test_overdue_issues_go_to_the_building_lead_then_the_committee(world):
    with freeze_time(day(1, "08:00:00")):
        issue = make_issue(*world.reporter(), category="hazard")  # accept within 4 hours
    with freeze_time(day(1, "11:59:00")):
        assert deadlines.escalate_overdue() == 0
    with freeze_time(day(1, "12:01:00")):
        assert deadlines.escalate_overdue() == 1
        assert deadlines.escalate_overdue() == 0
    assert inbox_kinds(world, "lead_1") == ["escalation"]
    assert "escalation" not in inbox_kinds(world, "committee_2")
    with freeze_time(day(2, "12:02:00")):  # a day later, still not accepted
        assert deadlines.escalate_overdue() == 1
    assert inbox_kinds(world, "committee_2")[-1] == "escalation"
    with freeze_time(day(5, "12:00:00")):
        assert deadlines.escalate_overdue() == 0  # the committee is the top
    db.session.refresh(issue)
    assert issue.escalation_level == 2


def test_accepting_clears_the_escalation_and_starts_the_resolution_clock(world):
    with freeze_time(day(1, "08:00:00")):
        issue = make_issue(*world.reporter(), category="hazard")
    with freeze_time(day(1, "13:00:00")):
        deadlines.escalate_overdue()
        move(world, issue, "liaison_1_1", "accept")
    db.session.refresh(issue)
    assert issue.escalation_level == 0
    with freeze_time(day(4, "12:59:00")):  # resolve within 3 days of accepting
        assert deadlines.escalate_overdue() == 0
    with freeze_time(day(4, "13:01:00")):
        assert deadlines.escalate_overdue() == 1


def test_referral_follow_ups_remind_the_handler_until_resolved(world):
    with freeze_time(day(1, "08:00:00")):
        issue = make_issue(*world.reporter(), category="hazard")
        move(world, issue, "liaison_1_1", "accept")
        move(
            world,
            issue,
            "liaison_1_1",
            "refer",
            referral_body="供电局",
            follow_up_on=day(3).date(),
        )
    with freeze_time(day(2, "01:00:00")):  # 09:00 in Shanghai, the day before the follow-up date
        assert deadlines.remind_referrals() == 0
    with freeze_time(day(3, "01:00:00")):
        assert deadlines.remind_referrals() == 1
    with freeze_time(day(4, "01:00:00")):
        assert deadlines.remind_referrals() == 1
    assert inbox_kinds(world, "liaison_1_1").count("follow_up") == 2
    with freeze_time(day(4, "03:00:00")):
        move(world, issue, "liaison_1_1", "resolve", note="供电局已修复")
    with freeze_time(day(5, "01:00:00")):
        assert deadlines.remind_referrals() == 0


def test_return_visit_asks_the_reporter_a_week_after_closing(world):
    with freeze_time(day(1, "08:00:00")):
        issue = make_issue(*world.reporter())
        move(world, issue, "liaison_1_1", "accept")
        move(world, issue, "liaison_1_1", "resolve", note="已修好")
        move(world, issue, "resident_1_1", "confirm", rating=5)
    with freeze_time(day(8, "07:59:00")):
        assert return_visits.send_due() == 0
    with freeze_time(day(8, "08:01:00")):
        assert return_visits.send_due() == 1
        assert return_visits.send_due() == 0
    assert inbox_kinds(world, "resident_1_1")[-1] == "return_visit"
    with freeze_time(day(9, "10:00:00")):
        visit = return_visits.answer(
            who(world, "resident_1_1"), issue.id, fixed=False, note="又不亮了"
        )
    assert visit.answer == "not_fixed"
    db.session.refresh(issue)
    assert issue.status == "accepted"
    assert issue.reopen_count == 1
    assert inbox_kinds(world, "liaison_1_1")[-1] == "return_visit_reopen"


def test_a_fixed_answer_is_kept_and_changes_nothing(world):
    with freeze_time(day(1, "08:00:00")):
        issue = make_issue(*world.reporter())
        move(world, issue, "liaison_1_1", "accept")
        move(world, issue, "liaison_1_1", "resolve", note="已修好")
        move(world, issue, "resident_1_1", "confirm", rating=4)
    with freeze_time(day(8, "09:00:00")):
        return_visits.send_due()
        return_visits.answer(who(world, "resident_1_1"), issue.id, fixed=True, note=None)
    db.session.refresh(issue)
    assert issue.status == "closed"
    (visit,) = db.session.scalars(select(ReturnVisit).where(ReturnVisit.issue_id == issue.id)).all()
    assert (visit.status, visit.answer) == ("answered", "fixed")


def test_care_issues_get_an_in_person_visit_from_the_liaison(world):
    with freeze_time(day(1, "08:00:00")):
        issue = make_issue(*world.reporter(), category="care")
        move(world, issue, "liaison_1_1", "accept")
        move(world, issue, "liaison_1_1", "resolve", note="已联系社区送餐")
        move(world, issue, "resident_1_1", "confirm", rating=5)
    with freeze_time(day(8, "09:00:00")):
        return_visits.send_due()
        tasks = return_visits.tasks_for(who(world, "liaison_1_1"))
        assert [t.issue.id for t in tasks] == [issue.id]
        assert return_visits.tasks_for(who(world, "resident_1_1")) == []
        assert "visit_task" in inbox_kinds(world, "liaison_1_1")
        assert "return_visit" not in inbox_kinds(world, "resident_1_1")
        with pytest.raises(Forbidden) as refused:
            return_visits.answer(who(world, "resident_1_1"), issue.id, fixed=True, note=None)
        assert refused.value.status == 403
        return_visits.answer(
            who(world, "liaison_1_1"), issue.id, fixed=True, note="上门看过，一切正常"
        )
        assert return_visits.tasks_for(who(world, "liaison_1_1")) == []


def test_issues_filed_for_neighbours_without_wechat_get_visited_too(world):
    with freeze_time(day(1, "08:00:00")):
        issue = make_issue(*world.reporter("liaison_1_1", "1-1-102"), on_behalf_name="王奶奶")
        move(world, issue, "liaison_1_1", "accept")
        move(world, issue, "liaison_1_1", "resolve", note="已修好")
        move(world, issue, "liaison_1_1", "confirm", rating=5)
    with freeze_time(day(8, "09:00:00")):
        return_visits.send_due()
        tasks = return_visits.tasks_for(who(world, "liaison_1_1"))
    assert [t.visit.kind for t in tasks] == ["in_person"]
