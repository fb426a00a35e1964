"""Review of care visits and sweeps: what a volunteer's lists cost the database does not
grow with the households they cover."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import AccessLog, CareTag, Household
from server.services.care.schedule import sync_household
from tests.factories import build_world
from tests.helpers import statements

CODE = "cr"


@pytest.fixture
def world(db_session):
    return build_world(CODE, rooms=("101", "102", "201", "202", "301", "302"))


def tag(world, label: str) -> None:
    household = db.session.get(Household, world.household_ids[label])
    db.session.add(
        CareTag(
            compound_id=household.compound_id,
            building_id=household.building_id,
            unit_id=household.unit_id,
            household_id=household.id,
            tag="elderly_alone",
        )
    )
    db.session.flush()
    sync_household(household)
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
