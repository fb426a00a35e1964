"""Binding a person to a household: asking, reviewing by the right people only."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from server.extensions import db, limiter
from server.models import AccessLog, BindingRequest, Membership, Notification, OutboxMessage
from server.services.people import roles
from tests.factories import UserFactory, build_world, second_account
from tests.helpers import inbox
from tests.steps import homes

REQUEST = {
    "compound": "aa",
    "building": 1,
    "unit": 1,
    "room": "102",
    "name": "赵大妈",
    "relation": "owner",
}


@pytest.fixture
def world(db_session):
    return build_world("aa")


def ask(client, world, who="outsider", **changes):
    return client.post("/api/v1/bindings", json={**REQUEST, **changes}, headers=world.headers(who))


def test_a_newcomer_asks_and_the_units_liaison_approves(client, world):
    asked = ask(client, world)
    assert asked.status_code == 201
    request = asked.get_json()
    assert request["status"] == "pending"
    assert request["household"]["label"] == "1-1-102"

    queue = client.get("/api/v1/bindings", headers=world.headers("liaison_1_1")).get_json()
    assert [item["id"] for item in queue["items"]] == [request["id"]]
    assert queue["items"][0]["name"] == "赵大妈"

    approved = client.post(
        f"/api/v1/bindings/{request['id']}/approve", headers=world.headers("liaison_1_1")
    )
    assert approved.status_code == 200
    assert approved.get_json()["status"] == "approved"

    assert homes(client, world, "outsider") == [("1-1-102", "owner")]
    mine = client.get("/api/v1/me/bindings", headers=world.headers("outsider")).get_json()
    assert mine["items"][0]["status"] == "approved"


def test_the_committee_may_approve_too(client, world):
    request_id = ask(client, world).get_json()["id"]
    assert homes(client, world, "outsider") == []
    response = client.post(
        f"/api/v1/bindings/{request_id}/approve", headers=world.headers("committee")
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "approved"
    assert homes(client, world, "outsider") == [("1-1-102", "owner")]
    mine = client.get("/api/v1/me/bindings", headers=world.headers("outsider")).get_json()
    assert [item["status"] for item in mine["items"]] == ["approved"]
    queue = client.get("/api/v1/bindings", headers=world.headers("liaison_1_1")).get_json()
    assert queue["items"] == []  # nothing left for the unit's liaison to decide


@pytest.mark.parametrize("who", ["liaison_1_2", "resident_1_1", "supervisor"])
def test_people_who_do_not_review_that_unit_get_403(client, world, who):
    request_id = ask(client, world).get_json()["id"]
    response = client.post(f"/api/v1/bindings/{request_id}/approve", headers=world.headers(who))
    assert response.status_code == 403
    assert response.get_json()["code"] == "not_reviewer_of_unit"
    assert db.session.get(BindingRequest, request_id).status == "pending"


def test_the_liaison_of_another_unit_does_not_see_the_request(client, world):
    ask(client, world)
    queue = client.get("/api/v1/bindings", headers=world.headers("liaison_1_2")).get_json()
    assert queue["items"] == []


def test_a_resident_cannot_list_requests_for_review(client, world):
    response = client.get("/api/v1/bindings", headers=world.headers("resident_1_1"))
    assert response.status_code == 403


def test_nobody_approves_their_own_request(client, world):
    request_id = ask(client, world, who="liaison_1_1").get_json()["id"]
    response = client.post(
        f"/api/v1/bindings/{request_id}/approve", headers=world.headers("liaison_1_1")
    )
    assert response.status_code == 403
    assert response.get_json()["code"] == "own_request"


def test_a_decided_request_cannot_be_decided_again(client, world):
    request_id = ask(client, world).get_json()["id"]
    headers = world.headers("liaison_1_1")
    rejected = client.post(
        f"/api/v1/bindings/{request_id}/reject", json={"reason": "查无此人"}, headers=headers
    )
    assert rejected.status_code == 200
    assert rejected.get_json()["reason"] == "查无此人"
    again = client.post(f"/api/v1/bindings/{request_id}/approve", headers=headers)
    assert again.status_code == 409
    assert again.get_json()["code"] == "binding_decided"
    assert "已拒绝" in again.get_json()["message"]


def test_reject_needs_a_reason(client, world):
    request_id = ask(client, world).get_json()["id"]
    response = client.post(
        f"/api/v1/bindings/{request_id}/reject",
        json={"reason": "  "},
        headers=world.headers("committee"),
    )
    assert response.status_code == 400
    assert response.get_json()["details"]["fields"]["reason"]


def test_one_open_request_per_household(client, world):
    assert ask(client, world).status_code == 201
    second = ask(client, world)
    assert second.status_code == 409
    assert second.get_json()["code"] == "binding_pending"


def test_asking_for_a_household_one_already_has(client, world):
    response = ask(client, world, who="resident_1_1", room="101")
    assert response.status_code == 409
    assert response.get_json()["code"] == "already_bound"


def test_the_requester_may_withdraw_but_nobody_else(client, world):
    request_id = ask(client, world).get_json()["id"]
    other = client.post(
        f"/api/v1/bindings/{request_id}/cancel", headers=world.headers("resident_1_1")
    )
    assert other.status_code == 404
    mine = client.post(f"/api/v1/bindings/{request_id}/cancel", headers=world.headers("outsider"))
    assert mine.status_code == 200
    assert mine.get_json()["status"] == "cancelled"
    assert ask(client, world).status_code == 201  # may ask again


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"room": "999"}, "household_not_found"),
        ({"unit": 9}, "household_not_found"),
        ({"compound": "nowhere"}, "compound_not_found"),
    ],
)
def test_asking_for_a_room_that_does_not_exist(client, world, changes, code):
    response = ask(client, world, **changes)
    assert response.status_code == 404
    assert response.get_json()["code"] == code


@pytest.mark.parametrize(
    "changes",
    [
        {"relation": "landlord"},
        {"room": "12a"},
        {"name": ""},
        {"name": "x" * 33},
        {"name": "张三\n李四"},
        {"building": 0},
        {"building": "one"},
        {"building": 1.5},
        {"building": "1"},
        {"room": "1O1"},
        {"name": "王\u202e秀兰"},
        {"name": "张三\u2028李四"},
        {"compound": "aa\n"},
    ],
)
def test_malformed_requests_get_400_naming_the_field(client, world, changes):
    response = ask(client, world, **changes)
    assert response.status_code == 400
    body = response.get_json()
    assert body["code"] == "validation_error"
    assert set(body["details"]["fields"]) == set(changes)


def test_listing_requests_writes_the_access_log(client, world):
    request_id = ask(client, world).get_json()["id"]
    client.get("/api/v1/bindings", headers=world.headers("committee"))
    logged = db.session.scalars(
        select(AccessLog).where(AccessLog.subject_type == "binding_request")
    ).all()
    assert [(e.actor_id, e.subject_id) for e in logged] == [
        (world.people["committee"].id, request_id)
    ]


def test_full_width_room_digits_are_understood(client, world):
    response = ask(client, world, room="１０２")
    assert response.status_code == 201
    assert response.get_json()["household"]["label"] == "1-1-102"


# ----- floods: limits per person, per unit, per hour; a review list that pages -----


def test_a_person_waits_on_at_most_three_requests(client, world):
    rooms = [("1", "102"), ("1", "201"), ("2", "102")]
    ids = [ask(client, world, unit=int(u), room=r).get_json()["id"] for u, r in rooms]
    fourth = ask(client, world, unit=2, room="201")
    assert fourth.status_code == 409
    body = fourth.get_json()
    assert body["code"] == "too_many_pending"
    assert body["message"] == "您已有 3 条绑定申请在审核中，请等审核结果或撤回一条后再申请"
    client.post(f"/api/v1/bindings/{ids[0]}/cancel", headers=world.headers("outsider"))
    assert ask(client, world, unit=2, room="201").status_code == 201


def flood(world, count: int, *, unit: int = 1, room: str = "102") -> list[int]:
    """`count` pending requests for one room, each by a different new account."""
    household = world.household(f"1-{unit}-{room}")
    requests = []
    for _ in range(count):
        user = UserFactory()
        requests.append(
            BindingRequest(
                compound_id=world.compound.id,
                household_id=household.id,
                user_id=user.id,
                name="刷单",
                relation="tenant",
                open_key=f"{user.id}:{household.id}",
            )
        )
    db.session.add_all(requests)
    db.session.flush()
    return [r.id for r in requests]


def test_a_unit_holds_at_most_twenty_pending_requests(client, world):
    flood(world, 20, unit=1)
    response = ask(client, world, unit=1, room="201")
    assert response.status_code == 409
    assert response.get_json()["code"] == "unit_queue_full"
    assert "联系单元联络人" in response.get_json()["message"]
    assert ask(client, world, unit=2, room="201").status_code == 201  # other units go on


def test_asking_is_rate_limited_per_person(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "BINDING_RATE", "2/hour")
    limiter.reset()
    try:
        first = ask(client, world, room="102")
        second = ask(client, world, room="102")  # 409: already waiting, still counted
        third = ask(client, world, room="201")
        assert (first.status_code, second.status_code, third.status_code) == (201, 409, 429)
        assert third.get_json()["code"] == "too_many_requests"
        assert int(third.headers["Retry-After"]) > 0
        assert ask(client, world, who="resident_1_2", room="201").status_code == 201
    finally:
        limiter.reset()


def test_the_review_list_pages_oldest_first_and_reaches_every_request(client, world):
    flooded = flood(world, 205)
    real = ask(client, world, unit=2, room="201").get_json()["id"]
    seen, cursor, pages = [], None, 0
    while True:
        query = "?limit=100" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"/api/v1/bindings{query}", headers=world.headers("committee"))
        assert page.status_code == 200
        body = page.get_json()
        assert body["total"] == 206
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [*flooded, real]
    assert pages == 3


def test_the_first_page_keeps_its_old_shape(client, world):
    request_id = ask(client, world).get_json()["id"]
    body = client.get("/api/v1/bindings", headers=world.headers("liaison_1_1")).get_json()
    assert [item["id"] for item in body["items"]] == [request_id]
    assert (body["next_cursor"], body["total"]) == (None, 1)


@pytest.mark.parametrize("cursor", ["not-a-cursor", "MA", "%E7%8E%8B"])
def test_a_cursor_not_handed_out_is_a_400(client, world, cursor):
    response = client.get(f"/api/v1/bindings?cursor={cursor}", headers=world.headers("committee"))
    assert response.status_code == 400
    assert response.get_json()["code"] == "bad_cursor"


# ----- who hears of a newcomer -----


def test_the_household_hears_who_joined_and_who_approved(client, world):
    world.people["liaison_1_1"].nickname = "老周"  # no name as a resident: the nickname
    db.session.flush()
    request_id = ask(client, world, room="101").get_json()["id"]  # 王秀兰's flat
    client.post(f"/api/v1/bindings/{request_id}/approve", headers=world.headers("liaison_1_1"))
    (line,) = inbox(world.people["resident_1_1"].id)
    assert line.kind == "household_joined"
    assert line.title == "1-1-101 有新成员：赵大妈"
    assert line.body == (
        "赵大妈（业主）经单元联络人 老周 审核通过，成为 1-1-101 的成员。"
        "如果您不认识此人，请尽快联系单元联络人或业委会。"
    )
    pushes = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == world.people["resident_1_1"].id)
    ).all()
    (push,) = pushes
    assert push.template == "reminder"
    assert push.payload["data"]["thing2"] == "赵大妈经单元联络人 老周 审核通过"
    assert inbox(world.people["liaison_1_1"].id) == []  # the approver knows


def test_the_approvers_name_is_given_when_known(client, world):
    roles.grant(
        world.people["committee"].id,
        "resident",
        world.household("1-2-201"),
        relation="owner",
        name="刘主任",
    )
    request_id = ask(client, world, room="101").get_json()["id"]
    client.post(f"/api/v1/bindings/{request_id}/approve", headers=world.headers("committee"))
    (line,) = inbox(world.people["resident_1_1"].id)
    assert "赵大妈（业主）经业委会成员 刘主任 审核通过" in line.body


def test_the_newcomer_hears_which_flat_is_theirs(client, world):
    request_id = ask(client, world, room="101").get_json()["id"]
    client.post(f"/api/v1/bindings/{request_id}/approve", headers=world.headers("liaison_1_1"))
    (line,) = inbox(world.people["outsider"].id)
    assert (line.kind, line.title) == ("binding_approved", "绑定申请已通过：1-1-101")
    assert line.body == "您已绑定到 aa小区 1-1-101（业主），现在可以报事、缴费了。"
    assert line.page == "pages/index/index"
    push = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == world.people["outsider"].id)
    ).one()
    assert push.payload["data"] == {
        "thing1": "aa小区 1-1-101",
        "thing2": "绑定申请已通过",
        "time3": push.payload["data"]["time3"],
    }


def test_a_rejected_requester_hears_why(client, world):
    request_id = ask(client, world).get_json()["id"]
    client.post(
        f"/api/v1/bindings/{request_id}/reject",
        json={"reason": "本户没有这位住户"},
        headers=world.headers("liaison_1_1"),
    )
    (line,) = inbox(world.people["outsider"].id)
    assert line.kind == "binding_rejected"
    assert "理由：本户没有这位住户" in line.body
    assert line.page == "pages/bind/index"


def test_a_vacant_flat_with_a_newcomer_is_occupied_and_its_liaison_hears(client, world):
    flat = world.household("1-1-102")
    flat.occupancy = "vacant"
    db.session.flush()
    request_id = ask(client, world).get_json()["id"]
    approved = client.post(
        f"/api/v1/bindings/{request_id}/approve", headers=world.headers("committee")
    )
    assert approved.status_code == 200
    db.session.refresh(flat)
    assert flat.occupancy == "occupied"
    me = client.get("/api/v1/me", headers=world.headers("outsider")).get_json()
    assert me["households"][0]["occupancy"] == "occupied"
    (line,) = inbox(world.people["liaison_1_1"].id)
    assert line.title == "1-1-102 有人绑定：赵大妈"
    assert "此前没有人绑定" in line.body
    assert "原登记为空置，现已改为有人居住" in line.body
    assert inbox(world.people["liaison_1_2"].id) == []  # another unit's liaison


def test_an_empty_flat_of_a_unit_without_liaison_tells_the_committee(client, world):
    db.session.execute(delete(Membership).where(Membership.role == "liaison"))
    request_id = ask(client, world).get_json()["id"]
    client.post(f"/api/v1/bindings/{request_id}/approve", headers=world.headers("committee"))
    assert inbox(world.people["committee"].id) == []  # the approver
    (line,) = inbox(world.people["committee_2"].id)
    assert line.kind == "household_joined"


def test_the_same_wechat_user_cannot_approve_their_other_account(client, world):
    world.people["liaison_1_1"].unionid = "union-of-one-person"
    world.people["outsider"].unionid = "union-of-one-person"
    db.session.flush()
    request_id = ask(client, world).get_json()["id"]
    response = client.post(
        f"/api/v1/bindings/{request_id}/approve", headers=world.headers("liaison_1_1")
    )
    assert response.status_code == 403
    assert response.get_json()["code"] == "own_request"
    assert homes(client, world, "outsider") == []
    other = client.post(
        f"/api/v1/bindings/{request_id}/approve", headers=world.headers("committee")
    )
    assert other.status_code == 200
    assert homes(client, world, "outsider") == [("1-1-102", "owner")]


def joined_told() -> list[int]:
    return list(
        db.session.scalars(
            select(Notification.user_id).where(Notification.kind == "household_joined")
        )
    )


def test_sole_liaison_approving_into_an_empty_flat_tells_someone(client, world):
    # the liaison may be approving their own second WeChat account (no unionid to tell)
    rid = ask(client, world).get_json()["id"]
    approved = client.post(f"/api/v1/bindings/{rid}/approve", headers=world.headers("liaison_1_1"))
    assert approved.status_code == 200
    told = joined_told()
    assert sorted(told) == sorted([world.people["committee"].id, world.people["committee_2"].id])
    (line,) = inbox(world.people["committee"].id)
    assert line.title == "1-1-102 有人绑定：赵大妈"
    assert "经单元联络人" in line.body
    assert "此前没有人绑定" in line.body


def test_a_committee_liaison_approving_an_empty_flat_tells_the_other_members(client, world):
    roles.grant(world.people["committee"].id, "liaison", world.units[0])
    db.session.execute(
        delete(Membership).where(Membership.user_id == world.people["liaison_1_1"].id)
    )
    rid = ask(client, world).get_json()["id"]
    client.post(f"/api/v1/bindings/{rid}/approve", headers=world.headers("committee"))
    assert joined_told() == [world.people["committee_2"].id]


def test_the_approvers_other_account_is_not_the_one_told(client, world):
    # the unit's liaison 2 is the approving liaison's other account (one WeChat user)
    other = second_account(world, "liaison_1_1", "liaison", world.units[0])
    rid = ask(client, world).get_json()["id"]
    client.post(f"/api/v1/bindings/{rid}/approve", headers=world.headers("liaison_1_1"))
    told = joined_told()
    assert world.people[other].id not in told
    assert world.people["committee"].id in told


def test_the_approvers_name_is_the_one_given_in_this_compound(client, world):
    elsewhere = build_world("bb")
    roles.grant(
        world.people["liaison_1_1"].id,
        "resident",
        elsewhere.household("1-1-102"),
        relation="owner",
        name="别处的名字",
    )
    world.people["liaison_1_1"].nickname = "老周"
    db.session.flush()
    rid = ask(client, world, room="101").get_json()["id"]
    client.post(f"/api/v1/bindings/{rid}/approve", headers=world.headers("liaison_1_1"))
    (line,) = inbox(world.people["resident_1_1"].id)
    assert "经单元联络人 老周 审核通过" in line.body
