"""Liaison handover: a unit's liaison steps down and the successor takes the unit over,
with the issues they handled, their in-person return visits and the unit's reviews."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.clock import utcnow
from server.extensions import db
from server.models import AccessLog, AuditEvent, Issue, Membership, ReturnVisit
from server.services.governance import duties
from server.services.issues import deadlines, return_visits
from server.services.people import roles
from tests.factories import add_person, build_world
from tests.helpers import inbox
from tests.steps import acted, reported_id
from tests.timing import shanghai_date


@pytest.fixture
def world(db_session):
    return build_world("ho")


def hand_over(client, world, who="committee", code="ho", **body):
    body.setdefault("unit", "1-1")
    return client.post(f"/api/v1/compounds/{code}/handovers", json=body, headers=world.headers(who))


def preview(client, world, who="committee", unit="1-1", code="ho"):
    return client.get(
        f"/api/v1/compounds/{code}/handovers/preview?unit={unit}", headers=world.headers(who)
    )


def error(response) -> tuple[int, str]:
    return response.status_code, response.get_json()["code"]


def care_visit(client, world) -> tuple[int, int]:
    """A care issue of 1-1 closed, its in-person visit waiting for liaison_1_1."""
    issue_id = reported_id(client, world, category="care", title="独居老人需要送餐")
    acted(client, world, issue_id, "liaison_1_1", "accept")
    acted(client, world, issue_id, "liaison_1_1", "resolve", note="已联系社区送餐")
    acted(client, world, issue_id, "resident_1_1", "confirm", rating=5)
    visit = db.session.scalars(select(ReturnVisit).where(ReturnVisit.issue_id == issue_id)).one()
    assert (visit.kind, visit.assignee_id) == ("in_person", world.user_ids["liaison_1_1"])
    return issue_id, visit.id


def ask_binding(client, world, who="outsider", room="102") -> int:
    body = {"compound": "ho", "building": 1, "unit": 1, "room": room}
    response = client.post(
        "/api/v1/bindings",
        json={**body, "name": "赵大妈", "relation": "owner"},
        headers=world.headers(who),
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_the_successor_takes_the_units_work_over(client, world):
    open_id = reported_id(client, world)
    acted(client, world, open_id, "liaison_1_1", "accept")
    acted(
        client,
        world,
        open_id,
        "liaison_1_1",
        "refer",
        referral_body="供电局",
        follow_up_on=shanghai_date(0).isoformat(),
    )
    care_id, visit_id = care_visit(client, world)
    request_id = ask_binding(client, world)

    response = hand_over(client, world, to_user_id=world.user_ids["resident_1_1"])

    assert response.status_code == 201, response.get_json()
    record = response.get_json()
    assert record["unit"] == "1-1"
    assert record["unit_label"] == "1号楼1单元"
    assert record["from_user_id"] == world.user_ids["liaison_1_1"]
    assert record["to_name"] == "王秀兰"
    assert (record["issues"], record["return_visits"]) == ([open_id], [visit_id])
    assert record["binding_requests"] == 1
    # The successor is pushed the summary; the predecessor is told.
    (news,) = [n for n in inbox(world.user_ids["resident_1_1"]) if n.kind == "handover"]
    assert news.body.startswith(
        "您已接任1号楼1单元联络人：在办事项 1 件，待上门回访 1 次，待审核绑定 1 条"
    )
    (told,) = [n for n in inbox(world.user_ids["liaison_1_1"]) if n.kind == "handover"]
    assert "已交接给王秀兰" in told.title
    # The successor handles the issue and sees it; the predecessor sees none of it.
    mine = client.get("/api/v1/issues?handled=true", headers=world.fresh_headers("resident_1_1"))
    assert open_id in [i["id"] for i in mine.get_json()["items"]]
    assert db.session.get(Issue, open_id).handler_id == world.user_ids["resident_1_1"]
    gone = client.get(f"/api/v1/issues/{open_id}", headers=world.fresh_headers("liaison_1_1"))
    assert gone.status_code == 404
    roles_left = client.get("/api/v1/me", headers=world.fresh_headers("liaison_1_1"))
    assert roles_left.get_json()["roles"] == []
    # The next follow-up reminder goes to the successor.
    assert deadlines.remind_referrals() == 1
    reminded = [n.kind for n in inbox(world.user_ids["resident_1_1"])]
    assert "follow_up" in reminded
    assert "follow_up" not in [n.kind for n in inbox(world.user_ids["liaison_1_1"])]
    # The in-person visit is the successor's task once it comes due.
    assert return_visits.send_due(now=utcnow() + timedelta(days=8)) >= 1
    tasks = client.get("/api/v1/me/tasks", headers=world.fresh_headers("resident_1_1"))
    assert [t["issue_id"] for t in tasks.get_json()["items"]] == [care_id]
    old_tasks = client.get("/api/v1/me/tasks", headers=world.fresh_headers("liaison_1_1"))
    assert old_tasks.get_json()["items"] == []
    # The unit's binding requests are now the successor's to decide.
    refused = client.post(
        f"/api/v1/bindings/{request_id}/approve", headers=world.fresh_headers("liaison_1_1")
    )
    assert refused.status_code in (403, 404)
    approved = client.post(
        f"/api/v1/bindings/{request_id}/approve", headers=world.fresh_headers("resident_1_1")
    )
    assert approved.status_code == 200, approved.get_json()
    # One audit line says what happened.
    (line,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "handover")).all()
    assert line.subject_user_id == world.user_ids["resident_1_1"]
    assert "1号楼1单元" in line.summary


def test_a_liaison_steps_down_themself(client, world):
    response = hand_over(client, world, who="liaison_1_1", to_user_id=world.user_ids["lead_1"])
    assert response.status_code == 201, response.get_json()
    holders = db.session.scalars(
        select(Membership.user_id).where(
            Membership.role == "liaison", Membership.unit_id == world.units[0].id
        )
    ).all()
    assert holders == [world.user_ids["lead_1"]]
    # The liaison chose their successor: the committee hears who, to check it.
    (heard,) = [n for n in inbox(world.user_ids["committee"]) if n.kind == "handover"]
    assert heard.title.startswith("1号楼1单元联络人")
    assert "现在是本单元联络人" in heard.body


def test_a_committee_handover_is_not_told_back_to_the_committee(client, world):
    response = hand_over(client, world, to_user_id=world.user_ids["lead_1"])
    assert response.status_code == 201, response.get_json()
    assert [n for n in inbox(world.user_ids["committee"]) if n.kind == "handover"] == []


def test_the_platform_admin_may_hand_over(client, world):
    add_person(world, "admin", "admin")
    response = hand_over(client, world, who="admin", to_user_id=world.user_ids["lead_1"])
    assert response.status_code == 201, response.get_json()


def test_the_successor_who_already_serves_the_unit_keeps_one_role(client, world):
    add_person(world, "liaison_b", "liaison", world.units[0], name="周阿姨")
    response = hand_over(
        client,
        world,
        to_user_id=world.user_ids["liaison_b"],
        from_user_id=world.user_ids["liaison_1_1"],
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["to_name"] == "周阿姨"
    holders = db.session.scalars(
        select(Membership.user_id).where(
            Membership.role == "liaison", Membership.unit_id == world.units[0].id
        )
    ).all()
    assert holders == [world.user_ids["liaison_b"]]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"unit": None}, (400, "unit_required")),
        ({"unit": ""}, (400, "unit_required")),
        ({"unit": "1"}, (400, "bad_unit")),
        ({"unit": "一单元"}, (400, "bad_unit")),
        ({"unit": "1-9"}, (404, "unit_not_found")),
        ({"to": "outsider"}, (404, "person_not_found")),
        ({"to": "liaison_1_1"}, (400, "same_person")),
        ({"from": "committee_2"}, (409, "no_liaison")),
    ],
)
def test_what_is_refused(client, world, body, expected):
    to = world.user_ids[body.pop("to", "resident_1_1")]
    if "from" in body:
        body["from_user_id"] = world.user_ids[body.pop("from")]
    response = hand_over(client, world, to_user_id=to, **body)
    assert error(response) == expected
    assert response.get_json()["message"]


def test_a_person_of_another_compound_is_nobody_here(client, world):
    other = build_world("hx")
    response = hand_over(client, world, to_user_id=other.user_ids["resident_1_1"])
    assert error(response) == (404, "person_not_found")


def test_no_liaison_left_to_hand_over(client, world):
    first = hand_over(client, world, to_user_id=world.user_ids["lead_1"])
    assert first.status_code == 201
    again = hand_over(
        client,
        world,
        to_user_id=world.user_ids["resident_1_1"],
        from_user_id=world.user_ids["liaison_1_1"],
    )
    assert error(again) == (409, "no_liaison")
    roles.revoke(world.user_ids["lead_1"], "liaison", world.units[0])
    empty = hand_over(client, world, to_user_id=world.user_ids["resident_1_1"])
    assert error(empty) == (409, "no_liaison")


def test_several_liaisons_need_the_one_stepping_down_named(client, world):
    add_person(world, "liaison_b", "liaison", world.units[0])
    unnamed = hand_over(client, world, to_user_id=world.user_ids["resident_1_1"])
    assert error(unnamed) == (400, "from_required")
    named = hand_over(
        client,
        world,
        to_user_id=world.user_ids["resident_1_1"],
        from_user_id=world.user_ids["liaison_b"],
    )
    assert named.status_code == 201


@pytest.mark.parametrize(
    ("who", "unit", "from_key"),
    [
        ("resident_1_1", "1-1", None),
        ("supervisor", "1-1", None),
        ("lead_1", "1-1", None),
        ("liaison_1_2", "1-1", None),  # another unit's liaison
        ("liaison_1_1", "1-1", "liaison_b"),  # a liaison hands over only themself
    ],
)
def test_only_the_committee_or_the_liaison_themself(client, world, who, unit, from_key):
    add_person(world, "liaison_b", "liaison", world.units[0])
    body = {"unit": unit, "to_user_id": world.user_ids["resident_1_1"]}
    if from_key:
        body["from_user_id"] = world.user_ids[from_key]
    assert error(hand_over(client, world, who=who, **body)) == (403, "committee_only")
    if from_key is None:
        assert error(preview(client, world, who=who)) == (403, "committee_only")


def test_another_compounds_committee_learns_nothing(client, world):
    other = build_world("hy")
    for response in (
        client.post(
            "/api/v1/compounds/ho/handovers",
            json={"unit": "1-1", "to_user_id": world.user_ids["resident_1_1"]},
            headers=other.headers("committee"),
        ),
        client.get(
            "/api/v1/compounds/ho/handovers/preview?unit=1-1", headers=other.headers("committee")
        ),
        client.get("/api/v1/compounds/ho/handovers", headers=other.headers("committee")),
        client.get("/api/v1/compounds/nowhere/handovers", headers=world.headers("committee")),
    ):
        assert error(response) == (404, "compound_not_found")


def test_an_archived_compound_hands_nothing_over(client, world):
    world.compound.archived_at = utcnow()
    db.session.flush()
    response = hand_over(client, world, to_user_id=world.user_ids["resident_1_1"])
    assert error(response) == (409, "compound_archived")


def test_the_preview_shows_what_would_move_and_who_could_take_over(client, world):
    open_id = reported_id(client, world)
    acted(client, world, open_id, "liaison_1_1", "accept")
    care_visit(client, world)
    ask_binding(client, world)
    world.people["liaison_1_1"].shared_phone = "13812345678"
    db.session.flush()

    response = preview(client, world)

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["unit_label"] == "1号楼1单元"
    (liaison,) = body["liaisons"]
    assert liaison["user_id"] == world.user_ids["liaison_1_1"]
    assert (liaison["issues"], liaison["return_visits"]) == (1, 1)
    assert body["binding_requests"] == 1
    people = {c["user_id"]: c for c in body["candidates"]}
    assert people[world.user_ids["resident_1_1"]]["name"] == "王秀兰"
    assert people[world.user_ids["resident_1_1"]]["roles"] == [
        {"role": "resident", "label": "1-1-101"}
    ]
    assert world.user_ids["lead_1"] in people
    assert world.user_ids["resident_1_2"] not in people  # another unit's resident
    assert "13812345678" not in response.get_data(as_text=True)
    assert "phone" not in response.get_data(as_text=True)
    logged = db.session.scalars(
        select(AccessLog.subject_id).where(AccessLog.action == "handover_preview")
    ).all()
    assert set(logged) == set(people)


def test_the_liaison_previews_their_own_unit(client, world):
    assert preview(client, world, who="liaison_1_1").status_code == 200
    assert error(preview(client, world, who="liaison_1_1", unit="1-2")) == (
        403,
        "committee_only",
    )
    assert error(preview(client, world, unit="x")) == (400, "bad_unit")
    assert error(preview(client, world, unit="")) == (400, "unit_required")


def test_the_list_of_handovers_newest_first(client, world):
    first = hand_over(client, world, to_user_id=world.user_ids["lead_1"]).get_json()
    second = hand_over(
        client, world, unit="1-2", to_user_id=world.user_ids["resident_1_2"]
    ).get_json()
    for who in ("committee", "supervisor"):
        page = client.get(
            "/api/v1/compounds/ho/handovers?limit=1", headers=world.fresh_headers(who)
        )
        assert page.status_code == 200
        body = page.get_json()
        assert [h["id"] for h in body["items"]] == [second["id"]]
        assert body["items"][0]["to_name"] == "李建国"
        rest = client.get(
            f"/api/v1/compounds/ho/handovers?before={body['next_before']}",
            headers=world.fresh_headers(who),
        ).get_json()
        assert [h["id"] for h in rest["items"]] == [first["id"]]
        assert rest["next_before"] is None
        seen = db.session.scalars(
            select(AccessLog.subject_id).where(
                AccessLog.subject_type == "handover", AccessLog.actor_id == world.user_ids[who]
            )
        ).all()
        assert sorted(seen) == sorted([first["id"], second["id"]])  # the read is logged
    for who in ("lead_1", "resident_1_1"):
        response = client.get("/api/v1/compounds/ho/handovers", headers=world.fresh_headers(who))
        assert error(response) == (403, "committee_only")


def test_a_visit_left_without_a_visitor_is_seen_by_the_committee(client, world):
    care_id, visit_id = care_visit(client, world)
    # Revoked without a successor, and no other liaison in the unit.
    duties.move(world.user_ids["liaison_1_1"], world.units[0].id, None)
    roles.revoke(world.user_ids["liaison_1_1"], "liaison", world.units[0])
    assert db.session.get(ReturnVisit, visit_id).assignee_id is None
    assert return_visits.send_due(now=utcnow() + timedelta(days=8)) >= 1
    assert "visit_task" in [n.kind for n in inbox(world.user_ids["committee"])]
    tasks = client.get("/api/v1/me/tasks", headers=world.fresh_headers("committee"))
    assert [t["issue_id"] for t in tasks.get_json()["items"]] == [care_id]
    # A liaison appointed later sees it instead of the committee.
    add_person(world, "liaison_new", "liaison", world.units[0])
    tasks = client.get("/api/v1/me/tasks", headers=world.fresh_headers("liaison_new"))
    assert [t["issue_id"] for t in tasks.get_json()["items"]] == [care_id]
    committee = client.get("/api/v1/me/tasks", headers=world.fresh_headers("committee"))
    assert committee.get_json()["items"] == []
    other_unit = client.get("/api/v1/me/tasks", headers=world.fresh_headers("liaison_1_2"))
    assert other_unit.get_json()["items"] == []
