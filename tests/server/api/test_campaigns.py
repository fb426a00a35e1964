"""Screening sweeps: the committee starts one over a scope (the scope's liaisons and
leads are told), each volunteer sees the sweeps over their units and the door-to-door
list, records each household's findings (a finding that needs action opens an issue
the unit's liaison is pushed), follows progress per unit, exports the register and
the committee closes it."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server.extensions import db
from server.models import Attachment, Building, Issue, Unit
from server.models.campaigns import Campaign
from tests.factories import HouseholdFactory, build_world
from tests.helpers import inbox
from tests.steps import uploaded_id
from tests.timing import shanghai_date

CODE = "cp"
SAFETY = ["楼道杂物", "电线私拉乱接", "燃气异味", "灭火器", "电动车入户充电", "窗户阳台坠物"]


@pytest.fixture
def world(db_session, photo_storage):
    world = build_world(CODE)
    # A second building with one unit and one flat, which has no building lead.
    building = Building(compound_id=world.compound.id, number=2, name="2号楼")
    db.session.add(building)
    db.session.flush()
    unit = Unit(compound_id=world.compound.id, building_id=building.id, number=1)
    db.session.add(unit)
    db.session.flush()
    home = HouseholdFactory(unit_obj=unit, room="101", floor=1)
    world.household_ids["2-1-101"] = home.id
    world.units.append(unit)
    db.session.flush()
    return world


def start(client, world, who="committee", **fields):
    body = {
        "type": "safety",
        "title": "冬季消防安全排查",
        "scope": {"buildings": [1]},
        "due_on": shanghai_date(7).isoformat(),
        **fields,
    }
    return client.post(f"/api/v1/compounds/{CODE}/campaigns", json=body, headers=world.headers(who))


def started(client, world, **fields) -> dict:
    response = start(client, world, **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def record(client, world, campaign_id, label="1-1-101", who="liaison_1_1", **fields):
    body = {
        "household_id": world.household_ids[label],
        "items": [{"item": "楼道杂物", "ok": True}, {"item": "灭火器", "ok": True}],
        **fields,
    }
    return client.post(
        f"/api/v1/campaigns/{campaign_id}/results", json=body, headers=world.headers(who)
    )


def recorded(client, world, campaign_id, label="1-1-101", who="liaison_1_1", **fields) -> dict:
    response = record(client, world, campaign_id, label, who, **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def shown(client, world, campaign_id, who) -> dict:
    response = client.get(f"/api/v1/campaigns/{campaign_id}", headers=world.headers(who))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_templates_list_the_three_checklists(client, world):
    response = client.get("/api/v1/campaign-templates", headers=world.headers("liaison_1_1"))
    items = {t["type"]: t for t in response.get_json()["items"]}
    assert items["safety"]["checklist"] == SAFETY
    assert items["dispute"]["label"] == "矛盾纠纷全覆盖排查"
    assert items["dispute"]["checklist"][0] == "邻里矛盾"
    assert "吃饭是否有人照应" in items["vulnerable"]["checklist"]


def test_the_committee_starts_a_sweep_and_the_scope_is_told(client, world):
    campaign = started(client, world, scope={"units": ["1-2"]})
    assert campaign["checklist"] == SAFETY  # the template, when none is given
    assert campaign["scope"] == {"buildings": [], "units": ["1-2"]}
    assert campaign["scope_label"] == "1号楼2单元"
    assert campaign["status_label"] == "进行中"
    assert [u["unit"] for u in campaign["units"]] == ["1-2"]
    assert campaign["progress"] == {"visited": 0, "total": 3}
    assert campaign["may"] == {"record": True, "close": True, "export": True}
    told = [n for n in inbox(world.user_ids["liaison_1_2"]) if n.kind == "campaign"]
    assert [n.title for n in told] == ["新排查任务：冬季消防安全排查"]
    assert "1号楼2单元" in told[0].body
    assert told[0].page == f"pages/campaign/index?id={campaign['id']}"
    assert [n.kind for n in inbox(world.user_ids["lead_1"])] == ["campaign"]
    assert inbox(world.user_ids["liaison_1_1"]) == []  # not their unit
    assert inbox(world.user_ids["resident_1_2"]) == []


def test_the_whole_compound_and_a_custom_checklist(client, world):
    campaign = started(
        client, world, type="dispute", scope="compound", checklist=["邻里矛盾", "楼道占用"]
    )
    assert campaign["scope"] == "compound"
    assert campaign["scope_label"] == "全小区"
    assert campaign["checklist"] == ["邻里矛盾", "楼道占用"]
    assert [u["unit"] for u in campaign["units"]] == ["1-1", "1-2", "2-1"]
    assert campaign["progress"]["total"] == 7


@pytest.mark.parametrize("who", ["liaison_1_1", "lead_1", "resident_1_1", "supervisor"])
def test_only_the_committee_starts_one(client, world, who):
    response = start(client, world, who=who)
    assert (response.status_code, response.get_json()["code"]) == (403, "committee_only")


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"scope": {"buildings": [9]}}, "bad_scope"),
        ({"scope": {"units": ["1-7"]}}, "bad_scope"),
        ({"scope": {"units": ["一单元"]}}, "bad_scope"),
        ({"scope": {}}, "bad_scope"),
        ({"scope": "street"}, "bad_scope"),
        ({"scope": {"floors": [1]}}, "bad_scope"),
        ({"type": "fire"}, "validation_error"),
        ({"due_on": shanghai_date(-1).isoformat()}, "bad_due_on"),
        ({"checklist": []}, "validation_error"),
        ({"checklist": ["灭火器", "灭火器"]}, "duplicate_item"),
    ],
)
def test_a_bad_scope_type_or_due_day_is_refused(client, world, fields, code):
    response = start(client, world, **fields)
    assert (response.status_code, response.get_json()["code"]) == (400, code)
    assert db.session.scalar(select(Campaign.id)) is None


def test_another_compound_is_not_found(client, world):
    build_world("zz")
    response = client.post(
        "/api/v1/compounds/zz/campaigns",
        json={"type": "safety", "title": "排查", "scope": "compound", "due_on": "2099-01-01"},
        headers=world.headers("committee"),
    )
    assert response.status_code == 404


def test_each_volunteer_sees_the_sweeps_over_their_units(client, world):
    first = started(client, world, scope={"units": ["1-1"]}, title="一单元排查")
    second = started(client, world, scope={"units": ["1-2"]}, title="二单元排查")
    listed = client.get(f"/api/v1/compounds/{CODE}/campaigns", headers=world.headers("liaison_1_1"))
    assert [c["id"] for c in listed.get_json()["items"]] == [first["id"]]
    lead = client.get(f"/api/v1/compounds/{CODE}/campaigns", headers=world.headers("lead_1"))
    assert {c["id"] for c in lead.get_json()["items"]} == {first["id"], second["id"]}
    for who in ("resident_1_1", "supervisor"):
        refused = client.get(f"/api/v1/compounds/{CODE}/campaigns", headers=world.headers(who))
        assert (refused.status_code, refused.get_json()["code"]) == (403, "volunteers_only")
    # The detail: another unit's liaison, a resident, the supervisor are refused.
    for who in ("liaison_1_2", "resident_1_1", "supervisor"):
        refused = client.get(f"/api/v1/campaigns/{first['id']}", headers=world.headers(who))
        assert (refused.status_code, refused.get_json()["code"]) == (403, "campaign_forbidden")


def test_open_sweeps_come_first(client, world):
    older = started(client, world, title="已结束的排查")
    client.post(f"/api/v1/campaigns/{older['id']}/close", headers=world.headers("committee"))
    newer = started(client, world, title="进行中的排查", due_on=shanghai_date(30).isoformat())
    listed = client.get(f"/api/v1/compounds/{CODE}/campaigns", headers=world.headers("committee"))
    items = listed.get_json()["items"]
    assert [(c["id"], c["status"]) for c in items] == [
        (newer["id"], "open"),
        (older["id"], "closed"),
    ]


def test_the_liaison_sees_only_their_units_and_their_door_list(client, world):
    campaign = started(client, world)  # building 1: units 1-1 and 1-2
    mine = shown(client, world, campaign["id"], "liaison_1_1")
    assert [u["unit"] for u in mine["units"]] == ["1-1"]
    assert mine["may"] == {"record": True, "close": False, "export": True}
    unit_id = mine["units"][0]["unit_id"]
    doors = client.get(
        f"/api/v1/campaigns/{campaign['id']}/households?unit_id={unit_id}",
        headers=world.headers("liaison_1_1"),
    )
    assert doors.status_code == 200, doors.get_json()
    doors = doors.get_json()["items"]
    assert [(d["label"], d["result"]) for d in doors] == [
        ("1-1-101", None),
        ("1-1-102", None),
        ("1-1-201", None),
    ]
    other = client.get(
        f"/api/v1/campaigns/{campaign['id']}/households?unit_id={unit_id}",
        headers=world.headers("liaison_1_2"),
    )
    assert (other.status_code, other.get_json()["code"]) == (403, "campaign_forbidden")
    outside = world.units[2].id  # 2-1: not in the sweep
    missing = client.get(
        f"/api/v1/campaigns/{campaign['id']}/households?unit_id={outside}",
        headers=world.headers("committee"),
    )
    assert (missing.status_code, missing.get_json()["code"]) == (404, "unit_not_found")


def test_results_count_towards_each_units_progress(client, world):
    campaign = started(client, world)
    done = recorded(client, world, campaign["id"], note="一切正常")
    assert done["issue_id"] is None
    assert done["result"]["items"] == [
        {"item": "楼道杂物", "ok": True, "note": None},
        {"item": "灭火器", "ok": True, "note": None},
    ]
    assert done["result"]["recorded_by"]
    recorded(client, world, campaign["id"], "1-1-102", who="lead_1")
    recorded(client, world, campaign["id"], "1-2-201", who="committee")
    whole = shown(client, world, campaign["id"], "committee")
    assert whole["progress"] == {"visited": 3, "total": 6}
    assert [(u["unit"], u["visited"], u["total"], u["overdue"]) for u in whole["units"]] == [
        ("1-1", 2, 3, False),
        ("1-2", 1, 3, False),
    ]
    assert shown(client, world, campaign["id"], "liaison_1_1")["progress"] == {
        "visited": 2,
        "total": 3,
    }
    unit_id = whole["units"][0]["unit_id"]
    doors = client.get(
        f"/api/v1/campaigns/{campaign['id']}/households?unit_id={unit_id}",
        headers=world.headers("liaison_1_1"),
    ).get_json()["items"]
    assert doors[0]["result"]["note"] == "一切正常"
    assert doors[2]["result"] is None


def test_recording_is_checked(client, world):
    campaign = started(client, world, scope={"units": ["1-1"]})
    unknown = record(client, world, campaign["id"], items=[{"item": "养狗", "ok": False}])
    assert (unknown.status_code, unknown.get_json()["code"]) == (400, "unknown_item")
    twice = record(
        client,
        world,
        campaign["id"],
        items=[{"item": "灭火器", "ok": True}, {"item": "灭火器", "ok": False}],
    )
    assert (twice.status_code, twice.get_json()["code"]) == (400, "duplicate_item")
    outside = record(client, world, campaign["id"], "1-2-101", who="committee")
    assert (outside.status_code, outside.get_json()["code"]) == (400, "household_not_in_scope")
    other_unit = record(client, world, campaign["id"], who="liaison_1_2")
    assert (other_unit.status_code, other_unit.get_json()["code"]) == (403, "not_your_unit")
    for who in ("supervisor", "resident_1_1"):
        refused = record(client, world, campaign["id"], who=who)
        assert (refused.status_code, refused.get_json()["code"]) == (403, "not_your_unit")
    stranger = build_world("zz")
    db.session.flush()
    foreign = client.post(
        f"/api/v1/campaigns/{campaign['id']}/results",
        json={
            "household_id": stranger.household_ids["1-1-101"],
            "items": [{"item": "灭火器", "ok": True}],
        },
        headers=world.headers("committee"),
    )
    assert (foreign.status_code, foreign.get_json()["code"]) == (404, "household_not_found")
    assert shown(client, world, campaign["id"], "committee")["progress"]["visited"] == 0
    empty = client.post(
        f"/api/v1/campaigns/{campaign['id']}/results",
        json={"household_id": world.household_ids["1-1-101"], "items": []},
        headers=world.headers("liaison_1_1"),
    )
    assert (empty.status_code, empty.get_json()["code"]) == (400, "validation_error")


def test_a_finding_that_needs_action_opens_an_issue_pushed_to_the_liaison(client, world):
    campaign = started(client, world)
    photo = uploaded_id(client, world, who="lead_1")
    items = [
        {"item": "楼道杂物", "ok": False, "note": "纸箱堆满楼梯口"},
        {"item": "灭火器", "ok": True},
    ]
    done = recorded(
        client,
        world,
        campaign["id"],
        "1-1-201",
        who="lead_1",
        items=items,
        needs_action=True,
        photos=[photo],
    )
    issue = db.session.get(Issue, done["issue_id"])
    assert issue.category == "hazard"
    assert issue.household_id == world.household_ids["1-1-201"]
    assert issue.title == "楼道杂物"
    assert "纸箱堆满楼梯口" in issue.description
    assert "灭火器" not in issue.description
    assert done["result"]["issue_id"] == issue.id
    assert done["result"]["photos"] == [photo]
    told = [n for n in inbox(world.user_ids["liaison_1_1"]) if n.kind == "new_issue"]
    assert [n.issue_id for n in told] == [issue.id]
    assert [n.kind for n in inbox(world.user_ids["liaison_1_2"])] == ["campaign"]
    # Recording the household again updates it: no second issue.
    again = recorded(
        client,
        world,
        campaign["id"],
        "1-1-201",
        who="liaison_1_1",
        items=[{"item": "楼道杂物", "ok": True, "note": "已清理"}],
        needs_action=True,
        note="复查已清理",
    )
    assert again["issue_id"] == issue.id
    assert again["result"]["note"] == "复查已清理"
    assert db.session.scalar(select(Issue.id).where(Issue.id != issue.id)) is None
    assert shown(client, world, campaign["id"], "committee")["progress"]["visited"] == 1


def test_the_action_may_name_its_category_and_title(client, world):
    campaign = started(client, world, type="vulnerable", checklist=["老人身体状况"])
    done = recorded(
        client,
        world,
        campaign["id"],
        items=[{"item": "老人身体状况", "ok": False}],
        needs_action=True,
        action={"category": "repair", "title": "老人家水管漏水"},
    )
    issue = db.session.get(Issue, done["issue_id"])
    assert (issue.category, issue.title) == ("repair", "老人家水管漏水")
    plain = recorded(
        client,
        world,
        campaign["id"],
        "1-1-102",
        items=[{"item": "老人身体状况", "ok": False}],
        needs_action=True,
    )
    assert db.session.get(Issue, plain["issue_id"]).category == "care"


def test_photos_without_an_issue_stay_with_the_result(client, world):
    campaign = started(client, world)
    photo = uploaded_id(client, world, who="liaison_1_1")
    done = recorded(client, world, campaign["id"], photos=[photo])
    assert done["result"]["photos"] == [photo]
    attached = db.session.scalars(select(Attachment)).one()
    assert (attached.subject_type, attached.subject_id) == ("campaign_result", done["result"]["id"])
    seen = client.get(f"/api/v1/uploads/{photo}", headers=world.headers("lead_1"))
    assert seen.status_code == 200
    hidden = client.get(f"/api/v1/uploads/{photo}", headers=world.headers("resident_1_1"))
    assert hidden.status_code in {403, 404}


def test_a_photo_not_of_the_caller_records_nothing(client, world):
    campaign = started(client, world)
    photo = uploaded_id(client, world, who="resident_1_1")
    for needs_action in (False, True):
        refused = record(client, world, campaign["id"], photos=[photo], needs_action=needs_action)
        assert (refused.status_code, refused.get_json()["code"]) == (400, "photo_invalid")
    assert shown(client, world, campaign["id"], "committee")["progress"]["visited"] == 0
    assert db.session.scalar(select(Issue.id)) is None


def test_the_register_is_exported(client, world):
    campaign = started(client, world, checklist=["楼道杂物", "灭火器"])
    recorded(
        client,
        world,
        campaign["id"],
        items=[{"item": "楼道杂物", "ok": False, "note": "纸箱"}, {"item": "灭火器", "ok": True}],
        needs_action=True,
        note="已告知住户",
    )
    response = client.get(
        f"/api/v1/campaigns/{campaign['id']}/export", headers=world.headers("committee")
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "单元",
        "房号",
        "已走访",
        "楼道杂物",
        "灭火器",
        "备注",
        "需处理",
        "事项编号",
        "登记人",
        "登记时间",
    ]
    assert len(rows) == 1 + 6
    first = rows[1]
    issue_id = db.session.scalar(select(Issue.id))
    assert first[:8] == ["1-1", "101", "是", "✗ 纸箱", "✓", "已告知住户", "是", issue_id]
    assert first[8]  # who recorded it
    assert first[9]  # when
    assert rows[2][:8] == ["1-1", "102", "否", None, None, None, "否", None]
    assert "王秀兰" not in str(rows)  # no census personal data
    mine = client.get(
        f"/api/v1/campaigns/{campaign['id']}/export", headers=world.headers("liaison_1_2")
    )
    rows = list(load_workbook(io.BytesIO(mine.data)).active.iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == {"1-2"}
    refused = client.get(
        f"/api/v1/campaigns/{campaign['id']}/export", headers=world.headers("supervisor")
    )
    assert refused.status_code == 403


def test_the_committee_closes_it_and_nothing_more_is_recorded(client, world):
    campaign = started(client, world)
    refused = client.post(
        f"/api/v1/campaigns/{campaign['id']}/close", headers=world.headers("liaison_1_1")
    )
    assert (refused.status_code, refused.get_json()["code"]) == (403, "committee_only")
    closed = client.post(
        f"/api/v1/campaigns/{campaign['id']}/close", headers=world.headers("committee")
    )
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["status"] == "closed"
    assert closed.get_json()["may"] == {"record": False, "close": False, "export": True}
    late = record(client, world, campaign["id"])
    assert (late.status_code, late.get_json()["code"]) == (409, "campaign_closed")
    again = client.post(
        f"/api/v1/campaigns/{campaign['id']}/close", headers=world.headers("committee")
    )
    assert (again.status_code, again.get_json()["code"]) == (409, "campaign_closed")


def test_a_unit_past_due_shows_overdue(client, world):
    campaign = started(client, world)
    recorded(client, world, campaign["id"])
    db.session.get(Campaign, campaign["id"]).due_on = shanghai_date(-1)
    db.session.commit()
    whole = shown(client, world, campaign["id"], "committee")
    assert whole["overdue"] is True
    assert [u["overdue"] for u in whole["units"]] == [True, True]
