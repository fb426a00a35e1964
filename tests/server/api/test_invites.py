"""Census-day invite codes: issued by the committee, one door each, used once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import delete, select

from server.extensions import db
from server.models import ConsentRecord, HouseholdInvite, Membership, Notification
from server.services.people import roles
from tests.factories import build_world
from tests.steps import homes
from tests.timing import day


@pytest.fixture
def world(db_session):
    return build_world("aa")


def issue(client, world, who="committee", **body):
    return client.post(
        "/api/v1/invites", json={"compound": "aa", **body}, headers=world.headers(who)
    )


def redeem(client, world, code, who="outsider", name="周师傅", relation="tenant"):
    return client.post(
        "/api/v1/invites/redeem",
        json={"code": code, "name": name, "relation": relation},
        headers=world.headers(who),
    )


def test_committee_issues_one_code_per_door_and_stores_only_hashes(client, world):
    response = issue(client, world, unit="1-2")
    assert response.status_code == 201
    items = response.get_json()["items"]
    assert [i["label"] for i in items] == ["1-2-101", "1-2-102", "1-2-201"]
    codes = {i["code"] for i in items}
    assert len(codes) == 3
    stored = db.session.scalars(select(HouseholdInvite.code_hash)).all()
    assert not codes & set(stored)


def test_a_code_binds_its_door_once(client, world):
    code = issue(client, world, unit="1-1").get_json()["items"][1]["code"]  # 1-1-102
    response = redeem(client, world, code.lower().replace("-", " "))  # as typed off paper
    assert response.status_code == 200
    body = response.get_json()
    assert body["household"]["label"] == "1-1-102"
    assert [h["label"] for h in body["user"]["households"]] == ["1-1-102"]
    assert body["user"]["households"][0]["relation"] == "tenant"

    again = redeem(client, world, code, who="resident_1_2")
    assert again.status_code == 409
    assert again.get_json()["code"] == "invite_used"


def test_reissuing_revokes_the_old_slip(client, world):
    old = issue(client, world, unit="1-1").get_json()["items"][0]["code"]
    new = issue(client, world, unit="1-1").get_json()["items"][0]["code"]
    assert redeem(client, world, old).get_json()["code"] == "invite_expired"
    assert redeem(client, world, new).status_code == 200


def test_expired_and_unknown_codes(client, world):
    with freeze_time(day(1)):
        issued = client.post(
            "/api/v1/invites",
            json={"compound": "aa", "unit": "1-1"},
            headers=world.fresh_headers("committee"),
        )
        code = issued.get_json()["items"][0]["code"]
    with freeze_time(day(64)):  # past the 60 days a slip lasts
        response = client.post(
            "/api/v1/invites/redeem",
            json={"code": code, "name": "周师傅", "relation": "tenant"},
            headers=world.fresh_headers("outsider"),
        )
        assert response.get_json()["code"] == "invite_expired"
    response = redeem(client, world, "ABCD-EFGH")
    assert response.status_code == 404
    assert response.get_json()["code"] == "invite_invalid"


@pytest.mark.parametrize("who", ["resident_1_1", "liaison_1_1", "supervisor"])
def test_only_the_committee_issues_codes(client, world, who):
    response = issue(client, world, who=who)
    assert response.status_code == 403
    assert response.get_json()["code"] == "committee_only"


def test_an_outsider_does_not_learn_the_compound_exists(client, world):
    assert issue(client, world, who="outsider").get_json()["code"] == "compound_not_found"


def test_issue_validates_its_scope(client, world):
    assert issue(client, world, unit="1").status_code == 400
    assert issue(client, world, unit="1-9").get_json()["code"] == "unit_not_found"
    assert issue(client, world, building=7).get_json()["code"] == "building_not_found"


def test_redeeming_is_limited_per_person_not_per_token_or_address(app, client, world, monkeypatch):
    from server.extensions import limiter

    monkeypatch.setitem(app.config, "INVITE_RATE", "2/minute")
    limiter.reset()
    try:
        statuses = [redeem(client, world, "WRONG-CODE").status_code for _ in range(2)]
        assert statuses == [404, 404]
        # A fresh token (a new login) does not buy more guesses...
        with freeze_time(timedelta(seconds=1), tick=True):
            third = redeem(client, world, "WRONG-CODE")
        assert third.status_code == 429
        # ...but a neighbour on the same network is still let through.
        assert redeem(client, world, "WRONG-CODE", who="resident_1_2").status_code == 404
    finally:
        limiter.reset()


def test_a_code_typed_in_full_width_still_works(client, world):
    code = issue(client, world, unit="1-1").get_json()["items"][1]["code"]
    full_width = "".join(chr(ord(ch) + 0xFEE0) if ch.isalnum() else ch for ch in code)
    assert redeem(client, world, full_width).status_code == 200
    assert homes(client, world, "outsider") == [("1-1-102", "tenant")]


def test_issuing_for_a_building_and_a_unit_at_once_is_refused(client, world):
    response = issue(client, world, building=1, unit="1-1")
    assert response.status_code == 400
    assert response.get_json()["code"] == "too_many_scopes"


# ----- nobody binds themself with their own codes; the household hears of newcomers -----


def test_a_committee_member_cannot_redeem_a_code_they_issued(client, world):
    code = issue(client, world, unit="1-1").get_json()["items"][1]["code"]  # 1-1-102
    response = redeem(client, world, code, who="committee")
    assert response.status_code == 403
    body = response.get_json()
    assert body["code"] == "own_invite"
    assert body["message"].startswith("不能使用自己生成的邀请码")
    assert redeem(client, world, code).status_code == 200  # the slip still works for the door


def test_nor_with_another_account_of_the_same_wechat_user(client, world):
    world.people["committee"].unionid = "union-of-one-person"
    world.people["outsider"].unionid = "union-of-one-person"
    db.session.flush()
    code = issue(client, world, unit="1-1").get_json()["items"][1]["code"]
    assert redeem(client, world, code).get_json()["code"] == "own_invite"


def test_a_code_another_member_issued_is_fine(client, world):
    code = issue(client, world, unit="1-1").get_json()["items"][1]["code"]  # 1-1-102
    assert homes(client, world, "committee_2") == []
    assert redeem(client, world, code, who="committee_2").status_code == 200
    assert homes(client, world, "committee_2") == [("1-1-102", "tenant")]
    flat = world.household("1-1-102")
    (slip,) = db.session.scalars(
        select(HouseholdInvite).where(HouseholdInvite.household_id == flat.id)
    ).all()
    assert slip.used_at is not None
    assert slip.used_by_id == world.people["committee_2"].id
    (membership,) = db.session.scalars(
        select(Membership).where(
            Membership.user_id == world.people["committee_2"].id, Membership.role == "resident"
        )
    ).all()
    assert (membership.household_id, membership.relation) == (flat.id, "tenant")


def test_the_household_hears_who_came_in_with_a_code(client, world):
    code = issue(client, world, unit="1-1").get_json()["items"][0]["code"]  # 1-1-101
    assert redeem(client, world, code).status_code == 200
    (line,) = db.session.scalars(
        select(Notification).where(Notification.user_id == world.people["resident_1_1"].id)
    ).all()
    assert line.title == "1-1-101 有新成员：周师傅"
    assert line.body.startswith("周师傅（租户）凭业委会发放的邀请码加入，成为 1-1-101 的成员。")
    newcomer = db.session.scalars(
        select(Notification).where(Notification.user_id == world.people["outsider"].id)
    ).all()
    assert newcomer == []  # they just saw it happen


def test_a_liaisons_code_redeemed_by_their_other_account_tells_the_committee(client, world):
    # the committee member is also the unit's only liaison; their second WeChat account
    # (no unionid to tell it apart) redeems one of their codes for an empty flat
    roles.grant(world.people["committee"].id, "liaison", world.units[0])
    db.session.execute(
        delete(Membership).where(Membership.user_id == world.people["liaison_1_1"].id)
    )
    code = issue(client, world, unit="1-1").get_json()["items"][1]["code"]  # 1-1-102
    assert redeem(client, world, code).status_code == 200
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "household_joined")
    ).all()
    assert told == [world.people["committee_2"].id]
    (line,) = db.session.scalars(
        select(Notification).where(Notification.user_id == world.people["committee_2"].id)
    ).all()
    assert line.title == "1-1-102 有人绑定：周师傅"
    assert "凭业委会发放的邀请码加入" in line.body


def test_a_code_keeps_the_consent_to_the_binding_notice_read(client, world):
    code = issue(client, world, unit="1-1").get_json()["items"][1]["code"]  # 1-1-102
    refused = client.post(
        "/api/v1/invites/redeem",
        json={"code": code, "name": "周师傅", "relation": "tenant", "consent_version": 7},
        headers=world.headers("outsider"),
    )
    assert (refused.status_code, refused.get_json()["code"]) == (400, "bad_consent_version")
    assert db.session.scalars(select(ConsentRecord)).all() == []
    assert redeem(client, world, code).status_code == 200  # the code was not used up
    (record,) = db.session.scalars(select(ConsentRecord).where(ConsentRecord.kind == "binding"))
    assert (record.user_id, record.household_id) == (
        world.user_ids["outsider"],
        world.household_ids["1-1-102"],
    )
    assert (record.version, record.method) == (1, "app")
