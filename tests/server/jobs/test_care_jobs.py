"""The care visit jobs: every tagged household gets its visit each morning (and an
untagged one loses it); a missed visit goes to the building lead after the grace days
and to the committee after as many again, each pushed once, and shows in their task
lists; archived compounds are left alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import delete, select

from server.clock import utcnow
from server.extensions import db
from server.jobs import JOBS
from server.models import CareTag, CareVisit, Compound, Household, Membership
from server.services.care import escalation, schedule
from tests.factories import build_world, care_tagged
from tests.helpers import inbox
from tests.timing import shanghai_date, shanghai_day

CODE = "cj"


@pytest.fixture
def world(db_session):
    return build_world(CODE)


def add_tag(world, label: str = "1-1-101", care_tag: str = "elderly_alone") -> Household:
    household, _visit = care_tagged(world, label, care_tag, sync=False)
    db.session.commit()
    return household


def tagged(world, label: str = "1-1-101") -> CareVisit:
    """A household tagged and synced as the census does: its open visit, due today."""
    visit = schedule.sync_household(add_tag(world, label))
    db.session.commit()
    return visit


def open_visits(world) -> list[CareVisit]:
    return list(
        db.session.scalars(
            select(CareVisit).where(
                CareVisit.compound_id == world.compound.id, CareVisit.status == "due"
            )
        )
    )


def escalations(world, who: str) -> list:
    return [n for n in inbox(world.user_ids[who]) if n.kind == "care_escalation"]


def care_tasks(client, world, who: str) -> list[dict]:
    response = client.get("/api/v1/me/tasks", headers=world.fresh_headers(who))
    assert response.status_code == 200, response.get_json()
    return [item for item in response.get_json()["items"] if item["kind"] == "care_visit"]


# ----- make_care_visits -----


def test_the_morning_job_gives_each_tagged_household_one_visit(world):
    add_tag(world, "1-1-101")
    add_tag(world, "1-2-102", "hardship")
    add_tag(world, "1-2-102", "elderly_alone")
    add_tag(world, "1-1-201", "party_centre")  # a helper, not visited

    schedule.make_visits()
    schedule.make_visits()  # and only one each

    visits = {v.household_id: v for v in open_visits(world)}
    assert set(visits) == {world.household_ids["1-1-101"], world.household_ids["1-2-102"]}
    both = visits[world.household_ids["1-2-102"]]
    assert (both.tag, both.due_on) == ("elderly_alone", shanghai_date(0))  # the most frequent
    assert both.assignee_id == world.user_ids["liaison_1_2"]


def test_the_morning_job_cancels_the_visit_of_a_household_no_longer_tagged(world):
    visit = tagged(world)
    db.session.execute(delete(CareTag).where(CareTag.household_id == visit.household_id))
    db.session.commit()
    schedule.make_visits()
    db.session.refresh(visit)
    assert (visit.status, visit.open_key) == ("cancelled", None)


def test_the_morning_job_leaves_an_archived_compound_alone(world):
    add_tag(world)
    db.session.get(Compound, world.compound.id).archived_at = utcnow()
    db.session.commit()
    assert schedule.make_visits() == 0
    assert open_visits(world) == []


# ----- escalate_care_visits -----


def test_a_missed_visit_goes_to_the_lead_then_the_committee(client, world):
    visit = tagged(world)  # due today, 2 grace days
    assert escalation.escalate_missed() == 0
    with time_machine.travel(shanghai_day(2, "23:59"), tick=False):
        assert escalation.escalate_missed() == 0  # within the grace days
    with time_machine.travel(shanghai_day(3, "09:00"), tick=False):
        assert escalation.escalate_missed() == 1
        assert escalation.escalate_missed() == 0  # once
        (task,) = care_tasks(client, world, "lead_1")
        assert (task["visit_id"], task["overdue"], task["escalation_level"]) == (visit.id, True, 1)
        assert care_tasks(client, world, "committee") == []
        assert care_tasks(client, world, "liaison_1_1")[0]["visit_id"] == visit.id
    (pushed,) = escalations(world, "lead_1")
    assert pushed.title == "关爱走访已超期，请督促或代为走访：1-1-101"
    assert pushed.page == f"pages/visit/index?id={visit.id}"
    assert escalations(world, "committee") == []
    with time_machine.travel(shanghai_day(5, "08:59"), tick=False):
        assert escalation.escalate_missed() == 0  # not yet a grace period on
    with time_machine.travel(shanghai_day(5, "09:00"), tick=False):
        assert escalation.escalate_missed() == 1
        (task,) = care_tasks(client, world, "committee")
        assert task["escalation_level"] == 2
    for who in ("committee", "committee_2"):
        (pushed,) = escalations(world, who)
        assert "已上报业委会" in pushed.title
    assert len(escalations(world, "lead_1")) == 1
    with time_machine.travel(shanghai_day(30, "09:00"), tick=False):
        assert escalation.escalate_missed() == 0  # the committee is the top
    db.session.refresh(visit)
    assert visit.escalation_level == 2


def test_with_no_building_lead_it_goes_straight_to_the_committee(world):
    visit = tagged(world)
    db.session.execute(delete(Membership).where(Membership.role == "building_lead"))
    db.session.commit()
    with time_machine.travel(shanghai_day(3, "09:00"), tick=False):
        assert escalation.escalate_missed() == 1
    db.session.refresh(visit)
    assert visit.escalation_level == 2
    assert len(escalations(world, "committee")) == 1
    with time_machine.travel(shanghai_day(9, "09:00"), tick=False):
        assert escalation.escalate_missed() == 0


def test_a_recorded_visit_is_not_escalated_and_the_next_one_starts_afresh(client, world):
    visit = tagged(world)
    with time_machine.travel(shanghai_day(1, "10:00"), tick=False):
        response = client.post(
            f"/api/v1/visits/{visit.id}/record",
            json={"how": "good"},
            headers=world.fresh_headers("liaison_1_1"),
        )
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["next_due_on"] == shanghai_date(8).isoformat()
    with time_machine.travel(shanghai_day(10, "09:00"), tick=False):
        assert escalation.escalate_missed() == 0  # the next is due on day 8: grace to day 10
    with time_machine.travel(shanghai_day(11, "09:00"), tick=False):
        assert escalation.escalate_missed() == 1
    assert escalations(world, "lead_1")[0].body.startswith("1-1-101的关爱走访原定")


def test_the_compounds_grace_days_are_its_own(world):
    db.session.get(Compound, world.compound.id).care_grace_days = 0
    tagged(world)
    with time_machine.travel(shanghai_day(0, "23:00"), tick=False):
        assert escalation.escalate_missed() == 0
    with time_machine.travel(shanghai_day(1, "01:00"), tick=False):
        assert escalation.escalate_missed() == 1


def test_an_archived_compounds_visits_are_not_escalated(world):
    tagged(world)
    db.session.get(Compound, world.compound.id).archived_at = utcnow()
    db.session.commit()
    with time_machine.travel(shanghai_day(10, "09:00"), tick=False):
        assert escalation.escalate_missed() == 0
    assert escalations(world, "lead_1") == []


def test_a_late_cadence_change_clears_the_escalation(client, world):
    """A visit recorded long ago whose next one was missed: the committee sets a longer
    cadence that puts it in the future, and nobody is chased about it any more."""
    visit = tagged(world)
    with time_machine.travel(shanghai_day(0, "10:00"), tick=False):
        client.post(
            f"/api/v1/visits/{visit.id}/record",
            json={"how": "good"},
            headers=world.fresh_headers("liaison_1_1"),
        )
    with time_machine.travel(shanghai_day(10, "09:00"), tick=False):
        assert escalation.escalate_missed() == 1
        response = client.put(
            f"/api/v1/compounds/{CODE}/care/cadences",
            json={"items": [{"tag": "elderly_alone", "every_days": 30}]},
            headers=world.fresh_headers("committee"),
        )
        assert response.status_code == 200, response.get_json()
        assert care_tasks(client, world, "lead_1") == []
    (following,) = open_visits(world)
    assert (following.due_on, following.escalation_level) == (
        shanghai_date(30),
        0,
    )


def test_the_jobs_are_declared():
    jobs = {job.name: job for job in JOBS}
    assert jobs["make_care_visits"].schedule == {"hour": 6, "minute": 0}
    assert jobs["escalate_care_visits"].func == "server.services.care.escalation:escalate_missed"
    assert timedelta(hours=1) == timedelta(**jobs["escalate_care_visits"].schedule)
