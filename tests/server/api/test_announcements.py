"""Announcements on the notice board: the committee publishes to the compound, a
building or a unit; urgent ones are pushed to every person of the audience's
households who allowed it and land in every inbox; residents see only what is for
them; liaisons see which households have not opened it (and which have nobody using
the app); withdrawn ones vanish; another compound gets 404."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.models import AccessLog, Building, Notification, OutboxMessage, Unit
from tests.factories import HouseholdFactory, add_person, build_world
from tests.helpers import statements
from tests.steps import uploaded_id
from tests.timing import shanghai_date

CODE = "an"


@pytest.fixture
def world(db_session):
    world = build_world(CODE)
    # A second building with one unit and a resident: for building-only notices.
    building = Building(compound_id=world.compound.id, number=2, name="2号楼")
    db.session.add(building)
    db.session.flush()
    unit = Unit(compound_id=world.compound.id, building_id=building.id, number=1)
    db.session.add(unit)
    db.session.flush()
    home = HouseholdFactory(unit_obj=unit, room="101", floor=1)
    world.households["2-1-101"] = home
    world.household_ids["2-1-101"] = home.id
    add_person(world, "resident_2_1", "resident", home, relation="owner", name="赵大妈")
    # A second person in 1-1-101 (the family's son).
    add_person(
        world, "son_1_1", "resident", world.household("1-1-101"), relation="family", name="王强"
    )
    db.session.flush()
    return world


def subscribe(client, world, who):
    config = client.get("/api/v1/config").get_json()
    template = config["subscribe_templates"]["reminder"]
    response = client.post(
        "/api/v1/me/subscriptions", json={"accepted": [template]}, headers=world.headers(who)
    )
    assert response.status_code == 200, response.get_json()


def publish(client, world, who="committee", **body):
    body = {"title": "停水通知", "body": "明天上午 8 点到 12 点停水，请提前储水。", **body}
    return client.post(
        f"/api/v1/compounds/{CODE}/announcements", json=body, headers=world.headers(who)
    )


def published(client, world, **body) -> dict:
    response = publish(client, world, **body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def inbox_of(world, who) -> list[Notification]:
    return list(
        db.session.scalars(select(Notification).where(Notification.user_id == world.user_ids[who]))
    )


def pushes_to(world, who) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.user_id == world.user_ids[who])
        )
    )


def titles(client, world, who) -> list[str]:
    response = client.get(f"/api/v1/compounds/{CODE}/announcements", headers=world.headers(who))
    assert response.status_code == 200, response.get_json()
    return [item["title"] for item in response.get_json()["items"]]


def test_urgent_to_a_unit_pushes_only_its_households_and_fills_every_inbox(client, world):
    for who in ("resident_1_1", "resident_1_2", "resident_2_1"):
        subscribe(client, world, who)
    notice = published(client, world, urgent=True, audience="unit", unit="1-1")
    assert notice["urgent"] is True
    assert notice["audience"] == "unit"
    assert notice["audience_label"] == "1号楼1单元"

    # 1-1-101: the owner allowed pushes, the son did not — both have the inbox line.
    (push,) = pushes_to(world, "resident_1_1")
    assert push.template == "reminder"
    assert push.payload["data"]["thing1"] == "停水通知"
    assert push.payload["page"] == f"pages/notice/index?id={notice['id']}"
    assert pushes_to(world, "son_1_1") == []
    for who in ("resident_1_1", "son_1_1"):
        (line,) = inbox_of(world, who)
        assert line.title == "紧急通知：停水通知"
        assert "停水" in line.body
    # Another unit, another building: nothing, though they allowed pushes.
    for who in ("resident_1_2", "resident_2_1"):
        assert pushes_to(world, who) == []
        assert inbox_of(world, who) == []


def test_a_plain_notice_is_inbox_only(client, world):
    subscribe(client, world, "resident_1_1")
    published(client, world, title="周六清理楼道")
    assert [n.title for n in inbox_of(world, "resident_1_1")] == ["公告：周六清理楼道"]
    assert [n.title for n in inbox_of(world, "resident_2_1")] == ["公告：周六清理楼道"]
    assert pushes_to(world, "resident_1_1") == []
    # The author is not told of their own notice.
    assert inbox_of(world, "committee") == []


def test_the_fan_out_does_not_query_per_household(client, world):
    """Twenty more households with a resident each: the same statements as before."""
    for who in ("resident_1_1", "resident_2_1"):
        subscribe(client, world, who)

    def count_publish():
        seen = statements(lambda: published(client, world, urgent=True))
        return len(seen)

    small = count_publish()
    unit = world.units[0]
    for i in range(20):
        home = HouseholdFactory(unit_obj=unit, room=f"{5 + i // 4}0{i % 4 + 1}", floor=5 + i // 4)
        add_person(world, f"extra_{i}", "resident", home, relation="owner")
        subscribe(client, world, f"extra_{i}")
    db.session.flush()
    assert count_publish() == small
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2 + 22


def test_a_resident_of_building_1_does_not_see_a_building_2_notice(client, world):
    notice = published(client, world, title="2号楼换水表", audience="building", building=2)
    assert notice["audience_label"] == "2号楼"
    published(client, world, title="全小区大扫除")
    assert titles(client, world, "resident_2_1") == ["全小区大扫除", "2号楼换水表"]
    assert titles(client, world, "resident_1_1") == ["全小区大扫除"]
    # Volunteers see every notice.
    assert titles(client, world, "liaison_1_1") == ["全小区大扫除", "2号楼换水表"]
    opened = client.get(
        f"/api/v1/announcements/{notice['id']}", headers=world.headers("resident_1_1")
    )
    assert opened.status_code == 404
    assert opened.get_json()["code"] == "announcement_not_found"


def test_opening_marks_read_once_and_shows_the_photos(client, world, photo_storage):
    photo = uploaded_id(client, world, who="committee")
    notice = published(client, world, photos=[photo])
    assert notice["photos"] == [photo]
    for _ in range(2):
        opened = client.get(
            f"/api/v1/announcements/{notice['id']}", headers=world.headers("resident_1_1")
        )
        assert opened.status_code == 200
        assert opened.get_json()["read"] is True
        assert opened.get_json()["body"].startswith("明天上午")
    listed = client.get(
        f"/api/v1/compounds/{CODE}/announcements", headers=world.headers("resident_1_1")
    ).get_json()["items"]
    assert [item["read"] for item in listed] == [True]
    # The resident can see the photo.
    seen = client.get(f"/api/v1/uploads/{photo}", headers=world.headers("resident_1_1"))
    assert seen.status_code == 200


def test_the_liaison_sees_who_has_not_opened_it_and_who_uses_no_app(client, world):
    notice = published(client, world, urgent=True)
    url = f"/api/v1/announcements/{notice['id']}/unread-households"
    client.get(f"/api/v1/announcements/{notice['id']}", headers=world.headers("son_1_1"))

    response = client.get(url, headers=world.headers("liaison_1_1"))
    assert response.status_code == 200, response.get_json()
    found = response.get_json()
    (unit,) = found["units"]  # only their own unit
    assert unit["label"] == "1-1"
    assert unit["households_total"] == 3
    # 1-1-101 has been reached (the son opened it); 102 and 201 have nobody bound.
    assert [(h["label"], h["uses_app"]) for h in unit["households"]] == [
        ("1-1-102", False),
        ("1-1-201", False),
    ]
    assert unit["households"][0]["note"] == "没有人用小程序，请上门告知"
    assert found["unread"] == found["no_app"] == 2
    logged = db.session.scalar(
        select(func.count()).where(
            AccessLog.actor_id == world.user_ids["liaison_1_1"],
            AccessLog.subject_type == "announcement_unread",
        )
    )
    assert logged == 2

    # The committee sees every unit, grouped; 1-2-101 has someone who has not opened it.
    everything = client.get(url, headers=world.headers("committee")).get_json()
    assert [u["label"] for u in everything["units"]] == ["1-1", "1-2", "2-1"]
    second = everything["units"][1]["households"]
    assert second[0] == {
        "household_id": world.household_ids["1-2-101"],
        "label": "1-2-101",
        "uses_app": True,
        "note": "家里有人用小程序，但还没有打开",
    }
    assert "李建国" not in str(everything)

    # A resident may not.
    refused = client.get(url, headers=world.headers("resident_1_1"))
    assert refused.status_code == 403
    assert refused.get_json()["code"] == "not_a_liaison"


def test_withdrawn_ones_vanish(client, world):
    notice = published(client, world, title="错误通知")
    offered = {
        who: client.get(
            f"/api/v1/announcements/{notice['id']}", headers=world.headers(who)
        ).get_json()["actions"]
        for who in ("committee_2", "liaison_1_1", "resident_1_1", "supervisor")
    }
    assert offered == {
        "committee_2": ["withdraw"],
        "liaison_1_1": [],
        "resident_1_1": [],
        "supervisor": [],
    }
    refused = client.post(
        f"/api/v1/announcements/{notice['id']}/withdraw", headers=world.headers("liaison_1_1")
    )
    assert refused.status_code == 403
    assert refused.get_json()["message"] == "只有业委会成员可以发布或撤回公告"
    withdrawn = client.post(
        f"/api/v1/announcements/{notice['id']}/withdraw", headers=world.headers("committee_2")
    )
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["withdrawn"] is True
    assert withdrawn.get_json()["actions"] == []
    assert titles(client, world, "resident_1_1") == []
    assert titles(client, world, "committee") == []
    gone = client.get(
        f"/api/v1/announcements/{notice['id']}", headers=world.headers("resident_1_1")
    )
    assert gone.status_code == 404
    board = client.get(f"/api/v1/compounds/{CODE}/board", headers=world.headers("resident_1_1"))
    assert board.get_json()["announcements"] == []


def test_only_the_committee_publishes_and_bad_input_is_told_plainly(client, world):
    refused = publish(client, world, who="resident_1_1")
    assert refused.status_code == 403
    assert refused.get_json()["code"] == "committee_only"
    cases = [
        ({"title": "x" * 101}, "title"),
        ({"body": "x" * 5001}, "body"),
        ({"pinned_until": shanghai_date(-1).isoformat()}, "pinned_until"),
        ({"pinned_until": shanghai_date(400).isoformat()}, "pinned_until"),
        ({"audience": "street"}, "audience"),
        ({"audience": "unit", "unit": "1/2"}, "unit"),
    ]
    for body, field in cases:
        response = publish(client, world, **body)
        assert response.status_code == 400, body
        assert field in str(response.get_json()), (body, response.get_json())
    missing = publish(client, world, audience="unit")
    assert missing.status_code == 400
    assert missing.get_json()["code"] == "unit_required"
    no_such = publish(client, world, audience="building", building=9)
    assert no_such.status_code == 404
    assert no_such.get_json()["message"] == "本小区没有 9 号楼"


def test_a_pinned_notice_is_pinned_through_its_day(client, world):
    notice = published(client, world, pinned_until=shanghai_date(3).isoformat())
    assert notice["pinned"] is True
    assert notice["pinned_until"].startswith(shanghai_date(4).isoformat())
    assert notice["pinned_until"].endswith("T00:00:00+08:00")


def test_another_compound_gets_404(client, world):
    other = build_world("ax")
    notice = published(client, world)
    for url in (
        f"/api/v1/announcements/{notice['id']}",
        f"/api/v1/announcements/{notice['id']}/unread-households",
        f"/api/v1/compounds/{CODE}/announcements",
    ):
        response = client.get(url, headers=other.headers("committee"))
        assert response.status_code == 404, url
    response = publish(client, other)
    assert response.status_code == 404
    assert response.get_json()["code"] == "compound_not_found"
    withdrawn = client.post(
        f"/api/v1/announcements/{notice['id']}/withdraw", headers=other.headers("committee")
    )
    assert withdrawn.status_code == 404
