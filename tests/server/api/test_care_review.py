"""Review of care visits and sweeps: what a volunteer's lists cost the database does not
grow with the households they cover."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from server.clock import utcnow
from server.extensions import db
from server.models import AccessLog, CareVisit
from server.services.campaigns.escalation import escalate_overdue_campaigns
from server.services.care import escalation
from tests.factories import build_world, care_tagged
from tests.helpers import inbox, statements
from tests.timing import shanghai_date, shanghai_day

CODE = "cr"


@pytest.fixture
def world(db_session):
    return build_world(CODE, rooms=("101", "102", "201", "202", "301", "302"))


def tag(world, label: str) -> None:
    care_tagged(world, label)
    db.session.commit()


def test_my_tasks_run_a_constant_number_of_statements(client, world):
    headers = world.headers("liaison_1_1")

    def my_tasks():
        response = client.get("/api/v1/me/tasks", headers=headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["items"]

    tag(world, "1-1-101")
    few = len(statements(my_tasks))
    for room in ("102", "201", "202", "301", "302"):
        tag(world, f"1-1-{room}")
    seen = []
    many = len(statements(lambda: seen.extend(my_tasks())))

    assert len([item for item in seen if item["kind"] == "care_visit"]) == 6
    assert many == few
    logged = db.session.scalars(
        select(AccessLog.household_id).where(
            AccessLog.actor_id == world.user_ids["liaison_1_1"], AccessLog.action == "view_tags"
        )
    ).all()
    assert sorted(set(logged)) == sorted(
        world.household_ids[f"1-1-{r}"] for r in ("101", "102", "201", "202", "301", "302")
    )


def test_the_overdue_sweep_job_runs_a_constant_number_of_statements(client, world):
    def sweep(scope) -> int:
        response = client.post(
            f"/api/v1/compounds/{CODE}/campaigns",
            json={
                "type": "safety",
                "title": "燃气安全排查",
                "scope": scope,
                "due_on": shanghai_date(1).isoformat(),
            },
            headers=world.headers("committee"),
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def visit_all(campaign_id, unit) -> None:
        for room in ("101", "102", "201", "202", "301", "302"):
            response = client.post(
                f"/api/v1/campaigns/{campaign_id}/results",
                json={
                    "household_id": world.household_ids[f"{unit}-{room}"],
                    "items": [{"item": "燃气异味", "ok": True}],
                },
                headers=world.headers("committee"),
            )
            assert response.status_code == 201, response.get_json()

    later = utcnow() + timedelta(days=3)
    visit_all(sweep({"units": ["1-1"]}), "1-1")
    few = len(statements(lambda: escalate_overdue_campaigns(later)))
    both = sweep("compound")
    visit_all(both, "1-1")
    visit_all(both, "1-2")
    many = len(statements(lambda: escalate_overdue_campaigns(later)))

    assert escalate_overdue_campaigns(later) == 0  # every door visited: nobody pushed
    assert many == few


def test_new_cadences_run_a_constant_number_of_statements(client, world):
    headers = world.headers("committee")

    def set_cadence(days: int) -> None:
        response = client.put(
            f"/api/v1/compounds/{CODE}/care/cadences",
            json={"items": [{"tag": "elderly_alone", "every_days": days}]},
            headers=headers,
        )
        assert response.status_code == 200, response.get_json()

    set_cadence(7)  # the compound's own row, stored once
    tag(world, "1-1-101")
    tag(world, "1-1-102")
    few = len(statements(lambda: set_cadence(0)))  # both visits cancelled
    set_cadence(7)
    for room in ("201", "202", "301", "302"):
        tag(world, f"1-1-{room}")
        tag(world, f"1-2-{room}")
    many = len(statements(lambda: set_cadence(0)))  # every visit cancelled

    assert many == few
    assert db.session.scalars(select(CareVisit).where(CareVisit.open_key.is_not(None))).all() == []
    set_cadence(7)
    visits = db.session.scalars(select(CareVisit).where(CareVisit.open_key.is_not(None))).all()
    assert len(visits) == 10
    assert {v.due_on for v in visits} == {shanghai_date(0)}
    assert {v.assignee_id for v in visits} == {
        world.user_ids["liaison_1_1"],
        world.user_ids["liaison_1_2"],
    }


def test_the_sweep_list_runs_a_constant_number_of_statements(client, world):
    headers = world.headers("committee")

    def sweep(scope) -> None:
        response = client.post(
            f"/api/v1/compounds/{CODE}/campaigns",
            json={
                "type": "safety",
                "title": "燃气安全排查",
                "scope": scope,
                "due_on": shanghai_date(1).isoformat(),
            },
            headers=headers,
        )
        assert response.status_code == 201, response.get_json()

    def listed() -> list[dict]:
        response = client.get(f"/api/v1/compounds/{CODE}/campaigns", headers=headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["items"]

    sweep({"buildings": [1], "units": ["1-1"]})
    few = len(statements(listed))
    sweep({"buildings": [1]})
    sweep({"units": ["1-2", "1-1"]})
    sweep("compound")
    many = len(statements(listed))

    assert many == few
    assert sorted(item["scope_label"] for item in listed()) == [
        "1号楼",
        "1号楼1单元、1号楼2单元",
        "1号楼、1号楼1单元",
        "全小区",
    ]


def test_a_visit_put_back_and_missed_again_is_pushed_again(client, world):
    tag(world, "1-1-101")
    visit_id = db.session.scalar(select(CareVisit.id).where(CareVisit.open_key.is_not(None)))
    response = client.post(
        f"/api/v1/visits/{visit_id}/record", json={"how": "good"}, headers=world.headers("lead_1")
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["next_due_on"] == shanghai_date(7).isoformat()

    def lead_pushes() -> int:
        return len([n for n in inbox(world.user_ids["lead_1"]) if n.kind == "care_escalation"])

    with time_machine.travel(shanghai_day(10), tick=False):
        assert escalation.escalate_missed() == 1
        assert lead_pushes() == 1
        # The committee visits these households monthly now: no longer missed...
        response = client.put(
            f"/api/v1/compounds/{CODE}/care/cadences",
            json={"items": [{"tag": "elderly_alone", "every_days": 30}]},
            headers=world.fresh_headers("committee"),
        )
        assert response.status_code == 200, response.get_json()
    (visit,) = db.session.scalars(select(CareVisit).where(CareVisit.open_key.is_not(None)))
    assert (visit.due_on, visit.escalation_level) == (shanghai_date(30), 0)
    # ...until the new day is missed too: the lead is told again.
    with time_machine.travel(shanghai_day(33), tick=False):
        assert escalation.escalate_missed() == 1
    assert lead_pushes() == 2
