"""Binding a person to a household: asking, reviewing by the right people only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import AccessLog, BindingRequest
from tests.factories import build_world

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

    me = client.get("/api/v1/me", headers=world.headers("outsider")).get_json()
    assert [h["label"] for h in me["households"]] == ["1-1-102"]
    assert me["households"][0]["relation"] == "owner"
    mine = client.get("/api/v1/me/bindings", headers=world.headers("outsider")).get_json()
    assert mine["items"][0]["status"] == "approved"


def test_the_committee_may_approve_too(client, world):
    request_id = ask(client, world).get_json()["id"]
    response = client.post(
        f"/api/v1/bindings/{request_id}/approve", headers=world.headers("committee")
    )
    assert response.status_code == 200


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
