"""Overdue sweeps: a unit past its due day with households not yet visited is pushed to
its building lead once (the committee when the building has no lead); a unit done, a
sweep closed or not yet due, and an archived compound are left alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.clock import utcnow
from server.extensions import db
from server.models import Building, Compound, Unit
from server.models.campaigns import CampaignUnit
from server.services.campaigns.escalation import escalate_overdue_campaigns
from tests.factories import HouseholdFactory, build_world
from tests.helpers import inbox
from tests.timing import shanghai_date

CODE = "ce"


@pytest.fixture
def world(db_session):
    world = build_world(CODE, rooms=("101",))
    building = Building(compound_id=world.compound.id, number=2, name="2号楼")  # no lead
    db.session.add(building)
    db.session.flush()
    unit = Unit(compound_id=world.compound.id, building_id=building.id, number=1)
    db.session.add(unit)
    db.session.flush()
    world.household_ids["2-1-101"] = HouseholdFactory(unit_obj=unit, room="101", floor=1).id
    db.session.flush()
    return world


def started(client, world, days: int = 3, scope="compound") -> int:
    response = client.post(
        f"/api/v1/compounds/{CODE}/campaigns",
        json={
            "type": "safety",
            "title": "燃气安全排查",
            "scope": scope,
            "due_on": shanghai_date(days).isoformat(),
        },
        headers=world.headers("committee"),
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def visited(client, world, campaign_id, label):
    response = client.post(
        f"/api/v1/campaigns/{campaign_id}/results",
        json={
            "household_id": world.household_ids[label],
            "items": [{"item": "燃气异味", "ok": True}],
        },
        headers=world.headers("committee"),
    )
    assert response.status_code == 201, response.get_json()


def overdue_lines(world, who):
    return [n for n in inbox(world.user_ids[who]) if n.kind == "campaign_overdue"]


def test_a_late_unit_is_pushed_to_its_lead_once(client, world):
    campaign = started(client, world)
    visited(client, world, campaign, "1-1-101")  # 1-1 done; 1-2 and 2-1 not
    assert escalate_overdue_campaigns(utcnow() + timedelta(days=3)) == 0  # the due day itself
    later = utcnow() + timedelta(days=4)
    assert escalate_overdue_campaigns(later) == 2
    (line,) = overdue_lines(world, "lead_1")
    assert line.title == "排查逾期未完成：燃气安全排查"
    assert "1-2单元 已走访 0/1 户" in line.body
    assert "1-1单元" not in line.body
    assert line.page == f"pages/campaign/index?id={campaign}"
    # Building 2 has no lead: its committee is told.
    (told,) = overdue_lines(world, "committee")
    assert "2-1单元 已走访 0/1 户" in told.body
    assert overdue_lines(world, "liaison_1_2") == []
    escalated = db.session.scalars(
        select(CampaignUnit.escalated_at).where(CampaignUnit.escalated_at.is_not(None))
    ).all()
    assert len(escalated) == 2
    # Once: the next days push nothing more.
    assert escalate_overdue_campaigns(later + timedelta(days=1)) == 0
    assert len(overdue_lines(world, "lead_1")) == 1
    detail = client.get(f"/api/v1/campaigns/{campaign}", headers=world.headers("committee"))
    assert [u["escalated"] for u in detail.get_json()["units"]] == [False, True, True]


def test_closed_archived_and_done_sweeps_are_left_alone(client, world):
    closed = started(client, world)
    client.post(f"/api/v1/campaigns/{closed}/close", headers=world.headers("committee"))
    done = started(client, world, scope={"units": ["1-1"]})
    visited(client, world, done, "1-1-101")
    started(client, world, days=30)  # not due yet
    later = utcnow() + timedelta(days=4)
    assert escalate_overdue_campaigns(later) == 0
    archived = started(client, world)
    db.session.get(Compound, world.compound.id).archived_at = utcnow()
    db.session.commit()
    assert escalate_overdue_campaigns(later) == 0
    db.session.get(Compound, world.compound.id).archived_at = None
    db.session.commit()
    assert escalate_overdue_campaigns(later) == 3  # the archived-then-reopened one
    assert (
        db.session.scalar(
            select(CampaignUnit.campaign_id).where(CampaignUnit.escalated_at.is_not(None)).limit(1)
        )
        == archived
    )
