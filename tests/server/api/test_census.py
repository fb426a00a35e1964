"""The census record of a household: who sees it (phones in full or masked, tags or
not), the log of every read by someone other than the household, adding members with
consent, correcting them, tags making and cancelling care visits, confirming, moving
out, the volunteers' lists and coverage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.clock import utcnow
from server.extensions import db
from server.models import (
    AccessLog,
    CareVisit,
    Compound,
    ConsentRecord,
    HouseholdCensus,
    HouseholdMember,
)
from tests.factories import build_world

CODE = "cs"
FLAT = "1-1-101"
PHONE = "13800001234"


@pytest.fixture
def world(db_session):
    return build_world(CODE)


def url(world, label=FLAT, tail="census") -> str:
    return f"/api/v1/households/{world.household_ids[label]}/{tail}"


def add(client, world, who="liaison_1_1", label=FLAT, **body):
    member = {
        "name": "王秀兰",
        "relation": "owner",
        "age_band": "70_79",
        "phone": PHONE,
        "uses_wechat": False,
        "consent": True,
        **body,
    }
    return client.post(url(world, label, "members"), json=member, headers=world.headers(who))


def added(client, world, **body) -> dict:
    response = add(client, world, **body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def tag(client, world, tags, who="liaison_1_1", label=FLAT):
    return client.put(url(world, label, "tags"), json={"tags": tags}, headers=world.headers(who))


def view(client, world, who, label=FLAT, query=""):
    return client.get(url(world, label) + query, headers=world.headers(who))


def logs(action=None) -> list[AccessLog]:
    query = select(AccessLog).order_by(AccessLog.id)
    if action:
        query = query.where(AccessLog.action == action)
    return list(db.session.scalars(query))


def open_visit(world, label=FLAT) -> CareVisit | None:
    return db.session.scalars(
        select(CareVisit).where(CareVisit.open_key == world.household_ids[label])
    ).first()


# ----- who sees what -----


@pytest.mark.parametrize(
    ("who", "phone", "sees_tags"),
    [
        ("resident_1_1", PHONE, True),
        ("liaison_1_1", PHONE, True),
        ("committee", PHONE, True),
        ("lead_1", "138****1234", True),
    ],
)
def test_each_role_sees_the_record_as_allowed(client, world, who, phone, sees_tags):
    added(client, world)
    assert tag(client, world, ["elderly_alone"]).status_code == 200
    response = view(client, world, who)
    assert response.status_code == 200, response.get_json()
    shown = response.get_json()
    assert shown["household"] == {"id": world.household_ids[FLAT], "label": FLAT}
    [member] = shown["members"]
    assert member["phone"] == phone
    assert member["phone_masked"] == "138****1234"
    assert member["name"] == "王秀兰"
    assert member["bound"] is False
    assert shown["tags"] == ["elderly_alone"]
    assert shown["may"]["see_phone"] is (phone == PHONE)
    assert shown["may"]["move_out"] is (who in ("liaison_1_1", "committee"))
    assert shown["consent"]["kind"] == "census"
    assert "住户登记" in shown["consent"]["title"]
    assert shown["occupancy"] == "lives_here"
    assert shown["confirmed_at"] is None
    assert shown["stale"] is True


@pytest.mark.parametrize("who", ["resident_1_2", "liaison_1_2", "supervisor"])
def test_others_of_the_compound_are_refused(client, world, who):
    response = view(client, world, who)
    assert response.status_code == 403
    assert response.get_json()["code"] == "census_forbidden"
    assert add(client, world, who=who).status_code == 403
    assert logs() == []


def test_another_compound_is_not_found(client, world):
    other = build_world("cz")
    for who in ("committee", "liaison_1_1", "outsider"):
        response = client.get(url(world), headers=other.headers(who))
        assert response.status_code == 404
        assert response.get_json()["code"] == "household_not_found"
    assert client.get(url(world), headers=world.headers("outsider")).status_code == 404


def test_the_household_itself_is_not_logged(client, world):
    added(client, world, who="resident_1_1")
    assert tag(client, world, ["hardship"]).status_code == 200
    assert view(client, world, "resident_1_1").status_code == 200
    assert logs() == []


def test_a_volunteers_read_of_phones_and_tags_is_logged_with_the_reason(client, world):
    member = added(client, world)
    added(client, world, name="王小明", relation="family", age_band="18_59", phone=None)
    assert tag(client, world, ["elderly_alone", "party_centre"]).status_code == 200
    assert view(client, world, "committee", query="?reason=上门走访前核对").status_code == 200
    [phone] = logs("view_phone")
    assert (phone.subject_type, phone.subject_id) == ("household_member", member["id"])
    assert phone.household_id == world.household_ids[FLAT]
    assert phone.reason == "上门走访前核对"
    assert phone.actor_id == world.user_ids["committee"]
    [tags] = logs("view_tags")  # party_centre is not sensitive
    assert tags.subject_type == "care_tag"


def test_the_building_lead_sees_masked_phones_so_only_tags_are_logged(client, world):
    added(client, world)
    assert tag(client, world, ["disability"]).status_code == 200
    assert view(client, world, "lead_1").status_code == 200
    assert logs("view_phone") == []
    [read] = logs("view_tags")
    assert read.reason == "查看住户登记"


def test_a_household_without_a_record_lives_here_unconfirmed(client, world):
    shown = view(client, world, "liaison_1_1").get_json()
    assert shown["members"] == []
    assert shown["tags"] == []
    assert shown["occupancy"] == "lives_here"
    assert shown["confirmed_by"] is None
    assert shown["moved_out_at"] is None
    assert shown["may"] == {
        "edit_members": True,
        "edit_tags": True,
        "see_phone": True,
        "move_out": True,
    }
    own = view(client, world, "resident_1_1").get_json()
    assert own["may"]["edit_tags"] is False


# ----- members -----


def test_consent_is_required_and_recorded(client, world):
    refused = add(client, world, consent=False)
    assert refused.status_code == 400
    assert refused.get_json()["code"] == "consent_required"
    missing = add(client, world, consent=None)
    assert missing.status_code == 400
    member = added(client, world)
    own = added(client, world, who="resident_1_1", name="王小明", relation="family")
    doorstep, app = db.session.scalars(select(ConsentRecord).order_by(ConsentRecord.id)).all()
    assert (doorstep.kind, doorstep.method, doorstep.member_id) == (
        "census",
        "doorstep",
        member["id"],
    )
    assert doorstep.recorded_by_id == world.user_ids["liaison_1_1"]
    assert (app.method, app.user_id, app.member_id) == (
        "app",
        world.user_ids["resident_1_1"],
        own["id"],
    )
    assert app.recorded_by_id is None


def test_a_resident_adding_themself_is_shown_as_using_the_app(client, world):
    me = added(client, world, who="resident_1_1", name="王秀兰")
    assert me["bound"] is True
    other = added(client, world, who="resident_1_1", name="王小明", relation="family")
    assert other["bound"] is False


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"phone": "12345"}, "bad_phone"),
        ({"phone": "1380000123a"}, "bad_phone"),
        ({"name": ""}, "validation_error"),
        ({"name": "王" * 33}, "validation_error"),
        ({"relation": "friend"}, "validation_error"),
        ({"age_band": "90_plus"}, "validation_error"),
    ],
)
def test_member_validation(client, world, body, code):
    response = add(client, world, **body)
    assert response.status_code == 400
    assert response.get_json()["code"] == code
    assert db.session.scalars(select(HouseholdMember)).all() == []


def test_a_phone_is_stored_encrypted(client, world):
    added(client, world, phone="138 0000 1234")
    member = db.session.scalars(select(HouseholdMember)).one()
    assert PHONE not in (member.phone_cipher or "")
    assert member.phone_masked == "138****1234"
    assert member.source == "liaison"


def test_a_member_is_corrected_and_moved_out(client, world):
    member = added(client, world)
    patched = client.patch(
        url(world, tail=f"members/{member['id']}"),
        json={"age_band": "80_plus", "phone": None, "uses_wechat": True},
        headers=world.headers("resident_1_1"),
    )
    assert patched.status_code == 200, patched.get_json()
    body = patched.get_json()
    assert (body["age_band"], body["phone"], body["uses_wechat"]) == ("80_plus", None, True)
    bad = client.patch(
        url(world, tail=f"members/{member['id']}"),
        json={"phone": "123"},
        headers=world.headers("liaison_1_1"),
    )
    assert bad.get_json()["code"] == "bad_phone"
    gone = client.delete(
        url(world, tail=f"members/{member['id']}"), headers=world.headers("liaison_1_1")
    )
    assert gone.status_code == 200
    assert view(client, world, "liaison_1_1").get_json()["members"] == []
    again = client.delete(
        url(world, tail=f"members/{member['id']}"), headers=world.headers("liaison_1_1")
    )
    assert (again.status_code, again.get_json()["code"]) == (404, "member_not_found")


def test_a_member_of_another_household_is_not_found_through_this_one(client, world):
    member = added(client, world, label="1-1-102")
    response = client.patch(
        url(world, tail=f"members/{member['id']}"),
        json={"name": "李四"},
        headers=world.headers("liaison_1_1"),
    )
    assert (response.status_code, response.get_json()["code"]) == (404, "member_not_found")


# ----- tags and care visits -----


def test_tags_make_a_care_visit_and_removing_them_cancels_it(client, world):
    response = tag(client, world, ["elderly_alone", "party_centre"])
    assert response.status_code == 200
    assert response.get_json() == {"tags": ["elderly_alone", "party_centre"]}
    visit = open_visit(world)
    assert visit is not None
    assert visit.status == "due"
    assert visit.tag == "elderly_alone"
    assert visit.assignee_id == world.user_ids["liaison_1_1"]
    assert tag(client, world, ["party_centre"]).get_json() == {"tags": ["party_centre"]}
    assert open_visit(world) is None
    assert db.session.get(CareVisit, visit.id).status == "cancelled"


@pytest.mark.parametrize(
    ("who", "code"), [("resident_1_1", "tags_forbidden"), ("liaison_1_2", "census_forbidden")]
)
def test_only_volunteers_set_tags(client, world, who, code):
    response = tag(client, world, ["hardship"], who=who)
    assert (response.status_code, response.get_json()["code"]) == (403, code)
    assert open_visit(world) is None


def test_an_unknown_tag_is_refused(client, world):
    response = tag(client, world, ["rich"])
    assert response.status_code == 400


# ----- confirm and move out -----


def test_confirming_the_record(client, world):
    response = client.post(
        url(world, tail="confirm"),
        json={"occupancy": "away"},
        headers=world.headers("resident_1_1"),
    )
    assert response.status_code == 200, response.get_json()
    shown = response.get_json()
    assert shown["occupancy"] == "away"
    assert shown["stale"] is False
    assert shown["confirmed_by"] == "王秀兰"
    assert shown["confirmed_at"] is not None
    bad = client.post(
        url(world, tail="confirm"), json={"occupancy": "gone"}, headers=world.headers("liaison_1_1")
    )
    assert bad.status_code == 400


def test_moving_out_clears_the_household_and_cancels_its_visit(client, world):
    added(client, world)
    tag(client, world, ["elderly_alone"])
    refused = client.post(url(world, tail="move-out"), headers=world.headers("lead_1"))
    assert (refused.status_code, refused.get_json()["code"]) == (403, "move_out_forbidden")
    own = client.post(url(world, tail="move-out"), headers=world.headers("resident_1_1"))
    assert own.status_code == 403
    response = client.post(url(world, tail="move-out"), headers=world.headers("liaison_1_1"))
    assert response.status_code == 200, response.get_json()
    shown = response.get_json()
    assert shown["members"] == []
    assert shown["tags"] == []
    assert shown["moved_out_at"] is not None
    assert shown["occupancy"] == "vacant"
    assert open_visit(world) is None
    member = db.session.scalars(select(HouseholdMember)).one()
    assert member.moved_out_at is not None
    assert member.name == "王秀兰"
    # Someone new registered: the flat is lived in again.
    added(client, world, name="赵六")
    again = view(client, world, "liaison_1_1").get_json()
    assert again["moved_out_at"] is None
    assert again["occupancy"] == "lives_here"


# ----- lists and coverage -----


def confirm_at(world, label, when):
    row = HouseholdCensus(
        compound_id=world.compound.id,
        household_id=world.household_ids[label],
        unit_id=world.household(label).unit_id,
        residence="lives_here",
        confirmed_at=when,
        confirmed_by_id=world.user_ids["committee"],
    )
    db.session.add(row)
    db.session.flush()


def listing(client, world, who, query=""):
    return client.get(
        f"/api/v1/compounds/{CODE}/census/households{query}", headers=world.headers(who)
    )


def test_the_to_visit_list_and_coverage(client, world):
    confirm_at(world, "1-1-101", utcnow() - timedelta(days=30))
    confirm_at(world, "1-1-102", utcnow() - timedelta(days=400))
    confirm_at(world, "1-2-101", utcnow() - timedelta(days=1))
    added(client, world)
    tag(client, world, ["elderly_alone"])
    mine = listing(client, world, "liaison_1_1").get_json()
    assert [i["label"] for i in mine["items"]] == ["1-1-101", "1-1-102", "1-1-201"]
    assert mine["coverage"] == {"households": 3, "confirmed": 1, "stale": 2}
    first = mine["items"][0]
    assert first["members"] == 1
    assert first["tags"] == ["elderly_alone"]
    assert not first["stale"]
    to_visit = listing(client, world, "liaison_1_1", "?filter=to_visit").get_json()
    assert [i["label"] for i in to_visit["items"]] == ["1-1-102", "1-1-201"]
    everyone = listing(client, world, "committee").get_json()
    assert everyone["coverage"] == {"households": 6, "confirmed": 2, "stale": 4}
    unit = listing(client, world, "lead_1", "?unit=1-2").get_json()
    assert [i["label"] for i in unit["items"]] == ["1-2-101", "1-2-102", "1-2-201"]
    other_unit = listing(client, world, "liaison_1_2", "?unit=1-1")
    assert other_unit.status_code == 403
    assert listing(client, world, "committee", "?unit=9-9").status_code == 404
    # The tags listed were read: logged for the one household that has a sensitive tag.
    reads = logs("view_tags")
    assert {r.household_id for r in reads} == {world.household_ids["1-1-101"]}
    assert {r.actor_id for r in reads} == {
        world.user_ids["liaison_1_1"],
        world.user_ids["committee"],
    }


@pytest.mark.parametrize("who", ["resident_1_1", "supervisor"])
def test_residents_and_the_supervisor_have_no_list(client, world, who):
    for tail in ("households", "coverage", "export"):
        response = client.get(f"/api/v1/compounds/{CODE}/census/{tail}", headers=world.headers(who))
        assert (response.status_code, response.get_json()["code"]) == (403, "volunteers_only")


def test_coverage_per_building_and_unit(client, world):
    confirm_at(world, "1-1-101", utcnow() - timedelta(days=10))
    confirm_at(world, "1-2-102", utcnow() - timedelta(days=500))
    whole = client.get(
        f"/api/v1/compounds/{CODE}/census/coverage", headers=world.headers("committee")
    )
    assert whole.status_code == 200
    body = whole.get_json()
    assert body["totals"] == {"households": 6, "confirmed": 1, "stale": 5}
    [building] = body["buildings"]
    assert building["building"] == 1
    assert [
        (u["unit"], u["households"], u["confirmed"], u["stale"]) for u in building["units"]
    ] == [
        ("1-1", 3, 1, 2),
        ("1-2", 3, 0, 3),
    ]
    assert building["units"][0]["unit_id"] == world.units[0].id
    mine = client.get(
        f"/api/v1/compounds/{CODE}/census/coverage", headers=world.headers("liaison_1_2")
    )
    assert [u["unit"] for u in mine.get_json()["buildings"][0]["units"]] == ["1-2"]
    assert mine.get_json()["totals"]["households"] == 3


# ----- archived -----


def test_an_archived_compound_refuses_writes_but_shows_the_record(client, world):
    member = added(client, world)
    db.session.get(Compound, world.compound.id).archived_at = utcnow()
    db.session.flush()
    writes = [
        add(client, world),
        client.patch(
            url(world, tail=f"members/{member['id']}"),
            json={"name": "李四"},
            headers=world.headers("liaison_1_1"),
        ),
        client.delete(
            url(world, tail=f"members/{member['id']}"), headers=world.headers("liaison_1_1")
        ),
        tag(client, world, ["hardship"]),
        client.post(url(world, tail="confirm"), json={}, headers=world.headers("liaison_1_1")),
        client.post(url(world, tail="move-out"), headers=world.headers("liaison_1_1")),
    ]
    for response in writes:
        assert (response.status_code, response.get_json()["code"]) == (409, "compound_archived")
    assert view(client, world, "liaison_1_1").status_code == 200


def test_an_empty_reason_is_the_default_one(client, world):
    added(client, world)
    assert view(client, world, "committee", query="?reason=").status_code == 200
    [read] = logs("view_phone")
    assert read.reason == "查看住户登记"
