"""The personal-data audit of the census (issue 13): what reaches those who may not see
a household's care tags or phones (other units' liaisons through the issue list, the
finance supervisor through the access log), whose reads are logged, and what erasure
and retention clear everywhere the data was copied."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from server.clock import utcnow
from server.extensions import db
from server.models import (
    AccessLog,
    CampaignResult,
    CareVisit,
    HouseholdMember,
    Issue,
)
from server.services.census import consent, crypto
from server.services.people import roles
from server.services.privacy.retention import anonymise_moved_out
from tests.factories import add_person, build_world, care_tagged, make_issue
from tests.timing import shanghai_date

CODE = "pa"
PHONE = "13812345678"


@pytest.fixture
def world(db_session):
    return build_world(CODE)


def tag(world, label: str = "1-1-101", care_tag: str = "elderly_alone") -> int:
    """Tag the household as the census does; its open visit's id."""
    _household, visit = care_tagged(world, label, care_tag)
    db.session.commit()
    return visit.id


def member(world, label: str, name: str, phone: str | None = PHONE) -> HouseholdMember:
    home = world.household(label)
    row = HouseholdMember(
        compound_id=home.compound_id,
        household_id=home.id,
        name=name,
        relation="owner",
        age_band="80_plus",
        **crypto.sealed(phone),
    )
    db.session.add(row)
    db.session.commit()
    return row


def seen_by(client, world, who: str, issue_id: int) -> str:
    """Everything `who` reads of the issue: the list and the detail, as one text."""
    listed = client.get(f"/api/v1/issues?compound={CODE}", headers=world.headers(who))
    assert listed.status_code == 200, listed.get_json()
    detail = client.get(f"/api/v1/issues/{issue_id}", headers=world.headers(who))
    assert detail.status_code == 200, detail.get_json()
    return json.dumps([listed.get_json(), detail.get_json()], ensure_ascii=False)


# ----- issues other volunteers read -----


def test_a_vulnerable_sweeps_finding_tells_other_units_liaisons_nothing_of_the_household(
    client, world
):
    started = client.post(
        f"/api/v1/compounds/{CODE}/campaigns",
        json={
            "type": "vulnerable",
            "title": "独居老人逐户排查",
            "scope": {"buildings": [1]},
            "due_on": shanghai_date(7).isoformat(),
        },
        headers=world.headers("committee"),
    )
    assert started.status_code == 201, started.get_json()
    done = client.post(
        f"/api/v1/campaigns/{started.get_json()['id']}/results",
        json={
            "household_id": world.household_ids["1-1-101"],
            "items": [
                {"item": "是否独居", "ok": False, "note": "独居，儿子在外地"},
                {"item": "用药与就医", "ok": False, "note": "降压药快吃完了"},
            ],
            "needs_action": True,
            "note": "腿脚不便",
        },
        headers=world.headers("liaison_1_1"),
    )
    assert done.status_code == 201, done.get_json()
    issue_id = done.get_json()["issue_id"]
    issue = db.session.get(Issue, issue_id)
    assert (issue.category, issue.title) == ("care", "1-1-101需要帮助")

    # Another unit's liaison sees the issue in the compound's list: not what was found.
    seen = seen_by(client, world, "liaison_1_2", issue_id)
    assert "1-1-101需要帮助" in seen
    for secret in ("独居", "儿子", "降压药", "用药", "腿脚", "老人"):
        assert secret not in seen, secret


def test_a_care_visits_issue_does_not_say_the_household_is_visited_for_a_tag(client, world):
    visit_id = tag(world)
    done = client.post(
        f"/api/v1/visits/{visit_id}/record",
        json={"how": "fair", "open_issue": True, "note": "需要有人送午饭"},
        headers=world.headers("liaison_1_1"),
    )
    assert done.status_code == 200, done.get_json()
    issue_id = done.get_json()["issue_id"]

    seen = seen_by(client, world, "liaison_1_2", issue_id)
    assert "1-1-101需要帮助" in seen
    assert "需要有人送午饭" in seen  # the need itself is what the issue is about
    for secret in ("走访", "独居", "关爱"):
        assert secret not in seen, secret


# ----- the access log the finance supervisor reads -----


def access_log(client, world, who: str, **query) -> list[dict]:
    response = client.get(
        f"/api/v1/compounds/{CODE}/access-log", query_string=query, headers=world.headers(who)
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_the_supervisor_reads_who_read_care_tags_but_not_which_flat_has_them(client, world):
    member(world, "1-1-101", "王秀兰")
    tag(world)
    home = world.household_ids["1-1-101"]
    read = client.get(
        f"/api/v1/households/{home}/census",
        query_string={"reason": "上门核对"},
        headers=world.headers("liaison_1_1"),
    )
    assert read.status_code == 200
    client.get("/api/v1/me/tasks", headers=world.headers("liaison_1_1"))

    committee = access_log(client, world, "committee")
    tags = [line for line in committee if line["action"] == "view_tags"]
    assert [line["household"] for line in tags] == ["1-1-101", "1-1-101"]

    supervised = access_log(client, world, "supervisor")
    tags = [line for line in supervised if line["action"] == "view_tags"]
    assert len(tags) == 2  # who read tags, and when, still shows
    assert {(line["household"], line["reason"]) for line in tags} == {(None, None)}
    phones = [line for line in supervised if line["action"] == "view_phone"]
    assert [line["household"] for line in phones] == ["1-1-101"]
    # Filtering on the flat does not tell either.
    of_flat = access_log(client, world, "supervisor", household_id=home)
    assert [line["action"] for line in of_flat] == ["view_phone"]


# ----- the household's own download -----


def download(client, world, who: str, label: str = "1-1-101") -> dict:
    response = client.get(
        "/api/v1/me/household-data",
        query_string={"household_id": world.household_ids[label]},
        headers=world.headers(who),
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_family_moving_in_does_not_download_the_family_that_left(client, world):
    member(world, "1-1-101", "王秀兰")
    home = world.household_ids["1-1-101"]
    moved = client.post(f"/api/v1/households/{home}/move-out", headers=world.headers("liaison_1_1"))
    assert moved.status_code == 200, moved.get_json()
    # The one still bound lived with her: she is in their download until anonymised.
    assert [m["name"] for m in download(client, world, "resident_1_1")["members"]] == ["王秀兰"]

    with time_machine.travel(utcnow() + timedelta(days=30), tick=False):
        add_person(world, "newcomer", "resident", world.household("1-1-101"), relation="owner")
        db.session.commit()
        mine = download(client, world, "newcomer")
    assert mine["members"] == []
    assert PHONE not in json.dumps(mine)


def test_the_family_moving_in_sees_none_of_the_past_of_the_family_that_left(client, world):
    """Visits, sweep results, who read the record and consents of the household that
    left are theirs: the family moving in downloads and sees only its own."""
    copies_of_a_name(client, world)
    home = world.household_ids["1-1-101"]
    read = client.get(
        f"/api/v1/households/{home}/census?reason=上门走访", headers=world.headers("committee")
    )
    assert read.status_code == 200
    consent.record("census", world.compound.id, household_id=home, method="doorstep")
    db.session.commit()
    before = download(client, world, "resident_1_1")
    assert before["visits"]
    assert before["campaign_results"]
    assert before["viewed_by"]
    assert before["consents"]
    moved = client.post(f"/api/v1/households/{home}/move-out", headers=world.headers("liaison_1_1"))
    assert moved.status_code == 200, moved.get_json()

    with time_machine.travel(utcnow() + timedelta(days=30), tick=False):
        add_person(world, "newcomer", "resident", world.household("1-1-101"), relation="owner")
        db.session.commit()
        mine = download(client, world, "newcomer")
        views = client.get(
            f"/api/v1/me/household-views?household_id={home}", headers=world.headers("newcomer")
        )
    assert (mine["visits"], mine["campaign_results"], mine["consents"]) == ([], [], [])
    assert mine["viewed_by"] == []
    # Only the newcomer's own download: none of the readings of the family that left.
    assert [item["action"] for item in views.get_json()["items"]] == ["download"]


# ----- erasure and retention: the copies of a name -----


def copies_of_a_name(client, world) -> dict:
    """What volunteers wrote about 1-1-101 naming 王秀兰: a visit note, a sweep's notes,
    an issue filed for her. Returns the ids."""
    member(world, "1-1-101", "王秀兰")
    visit_id = tag(world)
    recorded = client.post(
        f"/api/v1/visits/{visit_id}/record",
        json={"how": "fair", "note": "王秀兰腿脚不便"},
        headers=world.headers("liaison_1_1"),
    )
    assert recorded.status_code == 200, recorded.get_json()
    started = client.post(
        f"/api/v1/compounds/{CODE}/campaigns",
        json={
            "type": "safety",
            "title": "消防排查",
            "scope": {"buildings": [1]},
            "due_on": shanghai_date(7).isoformat(),
        },
        headers=world.headers("committee"),
    )
    assert started.status_code == 201, started.get_json()
    result = client.post(
        f"/api/v1/campaigns/{started.get_json()['id']}/results",
        json={
            "household_id": world.household_ids["1-1-101"],
            "items": [{"item": "楼道杂物", "ok": False, "note": "王秀兰家门口纸箱"}],
            "note": "王秀兰说儿子周末来搬",
        },
        headers=world.headers("liaison_1_1"),
    )
    assert result.status_code == 201, result.get_json()
    issue = make_issue(
        world.user_ids["liaison_1_1"],
        world.household_ids["1-1-101"],
        on_behalf_name="王秀兰",
    )
    db.session.commit()
    return {"visit": visit_id, "result": result.get_json()["result"]["id"], "issue": issue.id}


def assert_name_gone(ids: dict) -> None:
    db.session.expire_all()
    assert db.session.get(CareVisit, ids["visit"]).note is None
    result = db.session.get(CampaignResult, ids["result"])
    assert result.note is None
    assert result.items == [{"item": "楼道杂物", "ok": False, "note": None}]  # ✗ kept
    assert db.session.get(Issue, ids["issue"]).on_behalf_name == "1-1-101住户"


def test_erasure_clears_the_name_wherever_volunteers_wrote_it(client, world):
    ids = copies_of_a_name(client, world)
    erased = client.post(
        "/api/v1/me/household-data/erasure",
        json={"household_id": world.household_ids["1-1-101"], "confirm": True},
        headers=world.headers("resident_1_1"),
    )
    assert erased.status_code == 200, erased.get_json()
    assert_name_gone(ids)


def test_retention_clears_the_notes_of_a_household_moved_out_that_long(client, world):
    ids = copies_of_a_name(client, world)
    home = world.household_ids["1-1-101"]
    moved = client.post(f"/api/v1/households/{home}/move-out", headers=world.headers("committee"))
    assert moved.status_code == 200, moved.get_json()
    anonymise_moved_out(utcnow() + timedelta(days=181))
    assert_name_gone(ids)


# ----- whose reads are logged -----


def test_a_liaison_reading_the_flat_they_live_in_is_not_logged_as_a_third_party(client, world):
    own = world.household("1-1-102")
    roles.grant(world.user_ids["liaison_1_1"], "resident", own, relation="owner", name="张桂芳")
    member(world, "1-1-102", "张桂芳")
    member(world, "1-1-101", "王秀兰", "13900001111")
    tag(world, "1-1-102")
    tag(world, "1-1-101")
    headers = world.headers("liaison_1_1")

    assert client.get(f"/api/v1/households/{own.id}/census", headers=headers).status_code == 200
    listed = client.get(f"/api/v1/compounds/{CODE}/census/households", headers=headers)
    assert listed.status_code == 200
    assert client.get("/api/v1/me/tasks", headers=headers).status_code == 200
    exported = client.get(
        f"/api/v1/compounds/{CODE}/census/export",
        query_string={"include_sensitive": "true"},
        headers=headers,
    )
    assert exported.status_code == 200

    logged = db.session.scalars(
        select(AccessLog.household_id).where(AccessLog.actor_id == world.user_ids["liaison_1_1"])
    ).all()
    assert own.id not in logged
    assert world.household_ids["1-1-101"] in logged  # the neighbour's record is logged


def test_correcting_a_member_shows_the_phone_in_full_and_that_read_is_logged(client, world):
    member_id = member(world, "1-1-101", "王秀兰").id
    home = world.household_ids["1-1-101"]
    patched = client.patch(
        f"/api/v1/households/{home}/members/{member_id}",
        json={"age_band": "70_79"},
        headers=world.headers("committee"),
    )
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["phone"] == PHONE
    reads = db.session.scalars(
        select(AccessLog).where(
            AccessLog.actor_id == world.user_ids["committee"], AccessLog.action == "view_phone"
        )
    ).all()
    assert [(r.household_id, r.subject_id) for r in reads] == [(home, member_id)]
    # The household correcting its own member reads its own data: not logged.
    own = client.patch(
        f"/api/v1/households/{home}/members/{member_id}",
        json={"age_band": "80_plus"},
        headers=world.headers("resident_1_1"),
    )
    assert own.get_json()["phone"] == PHONE
    assert (
        db.session.scalar(
            select(AccessLog.id).where(AccessLog.actor_id == world.user_ids["resident_1_1"])
        )
        is None
    )


# ----- an old spreadsheet does not bring them back -----


def import_census(client, world, rows: str, dry_run: bool = True):
    text = "楼号,单元,房号,姓名,关系,年龄段,电话,使用微信\n" + rows
    return client.post(
        f"/api/v1/compounds/{CODE}/census/import?dry_run={'true' if dry_run else 'false'}",
        data={"file": (io.BytesIO(text.encode("utf-8-sig")), "census.csv")},
        content_type="multipart/form-data",
        headers=world.headers("committee"),
    )


def test_an_import_does_not_bring_back_an_erased_household_nor_one_who_moved_out(client, world):
    member(world, "1-1-101", "王秀兰")
    erased = client.post(
        "/api/v1/me/household-data/erasure",
        json={"household_id": world.household_ids["1-1-101"], "confirm": True},
        headers=world.headers("resident_1_1"),
    )
    assert erased.status_code == 200, erased.get_json()
    gone = member(world, "1-2-101", "李建国")
    left = client.delete(
        f"/api/v1/households/{world.household_ids['1-2-101']}/members/{gone.id}",
        headers=world.headers("liaison_1_2"),
    )
    assert left.status_code == 200, left.get_json()
    old_sheet = (
        f"1,1,101,王秀兰,业主,80岁及以上,{PHONE},否\n"
        "1,2,101,李建国,业主,,,否\n"
        "1,1,102,赵大妈,业主,,,否\n"
    )

    report = import_census(client, world, old_sheet).get_json()
    assert [e["row"] for e in report["errors"]] == [2, 3]
    assert "申请删除" in report["errors"][0]["message"]
    assert "搬离" in report["errors"][1]["message"]
    refused = import_census(client, world, old_sheet, dry_run=False)
    assert refused.status_code == 400
    assert (
        db.session.scalar(select(HouseholdMember.id).where(HouseholdMember.name == "王秀兰"))
        is None
    )
    living = db.session.scalars(
        select(HouseholdMember.name).where(HouseholdMember.moved_out_at.is_(None))
    ).all()
    assert living == []
