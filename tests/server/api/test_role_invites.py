"""Appointing people by role invite: the street office invites a new compound's first
committee member, who then appoints everyone else; a code works once."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from server.extensions import db
from server.models import Membership, OutboxMessage, RoleInvite
from tests.factories import add_person, build_world
from tests.helpers import inbox, together
from tests.steps import reported_id
from tests.timing import day, shanghai_date


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    add_person(world, "admin", "admin", None)
    add_person(world, "newcomer", None)
    add_person(world, "newcomer_2", None)
    return world


def invite(client, world, who="committee", code="aa", **body):
    return client.post(
        f"/api/v1/compounds/{code}/role-invites", json=body, headers=world.fresh_headers(who)
    )


def invited(client, world, who="committee", **body) -> dict:
    response = invite(client, world, who, **body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def redeem(client, world, code, who="newcomer"):
    return client.post(
        "/api/v1/role-invites/redeem", json={"code": code}, headers=world.fresh_headers(who)
    )


def roles_of(world, who) -> set[tuple[str, str]]:
    rows = db.session.execute(
        select(Membership.role, Membership.scope_key).where(
            Membership.user_id == world.user_ids[who]
        )
    )
    return {tuple(row) for row in rows}


def test_the_street_office_appoints_a_first_committee_who_appoints_a_liaison(client, world):
    first = invited(client, world, "admin", role="committee", name="赵主任")
    assert first["role_label"] == "业委会委员"
    assert first["scope_label"] == "小区"
    assert first["qr"].startswith("data:image/png;base64,")
    assert base64.b64decode(first["qr"].split(",", 1)[1])[:4] == b"\x89PNG"
    stored = db.session.scalars(select(RoleInvite.code_hash)).all()
    assert first["code"] not in stored  # only the HMAC is kept

    taken = redeem(client, world, first["code"].lower().replace("-", " "))  # as typed
    assert taken.status_code == 200, taken.get_json()
    assert taken.get_json() == {
        "role": "committee",
        "role_label": "业委会委员",
        "scope_label": "小区",
        "title": "业委会委员",
        "compound": {"code": "aa", "name": "aa小区"},
    }
    member = db.session.scalars(
        select(Membership).where(
            Membership.user_id == world.user_ids["newcomer"], Membership.role == "committee"
        )
    ).one()
    assert member.name == "赵主任"
    assert member.granted_by_id == world.user_ids["admin"]
    assert member.term_start == shanghai_date(0)
    five_years = (member.term_end.year - member.term_start.year, member.term_end.month)
    assert five_years == (5, member.term_start.month)  # the owners' committee's term
    told = inbox(world.user_ids["admin"])
    assert [n.title for n in told] == ["赵主任 已接受任命：业委会委员"]

    # The new committee member appoints a liaison for 1-2 from their phone.
    second = invited(client, world, "newcomer", role="liaison", unit="1-2", name="钱师傅")
    assert (second["scope_label"], second["title"]) == ("1号楼2单元", "1号楼2单元联络人")
    assert redeem(client, world, second["code"], who="newcomer_2").status_code == 200
    assert inbox(world.user_ids["newcomer"])[-1].title == "钱师傅 已接受任命：1号楼2单元联络人"

    # ... who is pushed the unit's next issue.
    issue_id = reported_id(
        client, world, "resident_1_2", household_id=world.household_ids["1-2-101"]
    )
    pushed = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.user_id == world.user_ids["newcomer_2"],
            OutboxMessage.template == "new_issue",
        )
    ).all()
    assert len(pushed) == 1
    assert any(n.issue_id == issue_id for n in inbox(world.user_ids["newcomer_2"]))


def test_scopes_are_checked(client, world):
    cases = [
        ({"role": "mayor"}, 400, "unknown_role"),
        ({"role": "resident"}, 400, "unknown_role"),
        ({"role": "liaison"}, 400, "role_scope_mismatch"),
        ({"role": "liaison", "building": 1}, 400, "role_scope_mismatch"),
        ({"role": "committee", "unit": "1-1"}, 400, "role_scope_mismatch"),
        ({"role": "building_lead"}, 400, "role_scope_mismatch"),
        ({"role": "liaison", "unit": "1-9"}, 400, "unit_not_found"),
        ({"role": "building_lead", "building": 7}, 400, "building_not_found"),
        ({"role": "supervisor", "term_end": shanghai_date(30).isoformat()}, 400, "no_term"),
        ({"role": "committee", "term_end": shanghai_date(0).isoformat()}, 400, None),
    ]
    for body, status, code in cases:
        response = invite(client, world, **body)
        assert response.status_code == status, (body, response.get_json())
        if code:
            assert response.get_json()["code"] == code, body
        assert response.get_json()["message"]
    lead = invited(client, world, role="building_lead", building=1)
    assert lead["title"] == "1号楼楼栋长"
    chair = invited(client, world, role="committee", term_end=shanghai_date(400).isoformat())
    assert chair["term_end"] == shanghai_date(400).isoformat()
    assert db.session.scalar(select(RoleInvite.term_end).where(RoleInvite.id == chair["id"]))


def test_nobody_redeems_their_own_invite(client, world):
    code = invited(client, world, role="supervisor")["code"]
    refused = redeem(client, world, code, who="committee")
    assert refused.status_code == 403
    assert refused.get_json()["code"] == "own_invite"
    assert ("supervisor", f"c:{world.compound.id}") not in roles_of(world, "committee")


def test_a_code_works_once_and_not_for_a_role_already_held(client, world):
    code = invited(client, world, role="liaison", unit="1-1")["code"]
    assert redeem(client, world, code).status_code == 200
    again = redeem(client, world, code, who="newcomer_2")
    assert (again.status_code, again.get_json()["code"]) == (409, "invite_used")
    held = invited(client, world, role="liaison", unit="1-1")["code"]
    refused = redeem(client, world, held)
    assert (refused.status_code, refused.get_json()["code"]) == (409, "role_held")
    assert refused.get_json()["message"] == "您已经担任这个职务了"
    unknown = redeem(client, world, "ABCD-EFGH")
    assert (unknown.status_code, unknown.get_json()["code"]) == (404, "invite_not_found")


def test_expired_and_revoked_codes(client, world):
    with freeze_time(day(1)):
        old = invited(client, world, role="liaison", unit="1-1")["code"]
    with freeze_time(day(1) + timedelta(days=7, minutes=1)):
        expired = redeem(client, world, old)
        assert (expired.status_code, expired.get_json()["code"]) == (409, "invite_expired")
        assert "过期" in expired.get_json()["message"]

    with freeze_time(day(9)):  # the expired code is no longer listed
        made = invited(client, world, role="liaison", unit="1-1", name="孙阿姨")
        url = "/api/v1/compounds/aa/role-invites"
        listed = client.get(url, headers=world.fresh_headers("committee")).get_json()["items"]
        assert [(i["name"], i["title"]) for i in listed] == [("孙阿姨", "1号楼1单元联络人")]
        assert "code" not in listed[0]
        voided = client.post(
            f"{url}/{made['id']}/revoke", headers=world.fresh_headers("committee_2")
        )
        assert voided.status_code == 200
        refused = redeem(client, world, made["code"])
        assert (refused.status_code, refused.get_json()["code"]) == (409, "invite_revoked")
        listed = client.get(url, headers=world.fresh_headers("committee")).get_json()["items"]
        assert listed == []


def test_an_archived_compound_takes_no_invites(client, world):
    code = invited(client, world, role="liaison", unit="1-1")["code"]
    world.compound.archived_at = day(-1)
    db.session.flush()
    refused = invite(client, world, role="liaison", unit="1-1")
    assert (refused.status_code, refused.get_json()["code"]) == (409, "compound_archived")
    taken = redeem(client, world, code)
    assert (taken.status_code, taken.get_json()["code"]) == (409, "compound_archived")


@pytest.mark.parametrize("who", ["liaison_1_1", "supervisor", "resident_1_1", "lead_1"])
def test_only_the_committee_or_the_street_office_invites(client, world, who):
    refused = invite(client, world, who, role="liaison", unit="1-1")
    assert (refused.status_code, refused.get_json()["code"]) == (403, "committee_only")
    listed = client.get("/api/v1/compounds/aa/role-invites", headers=world.headers(who))
    assert listed.status_code == 403


def test_another_compounds_committee_sees_nothing(client, world):
    other = build_world("bb")
    made = invited(client, world, role="liaison", unit="1-1")
    headers = other.headers("committee")
    base = "/api/v1/compounds/aa/role-invites"
    for response in (
        client.post(base, json={"role": "liaison", "unit": "1-1"}, headers=headers),
        client.get(base, headers=headers),
        client.post(f"{base}/{made['id']}/revoke", headers=headers),
    ):
        assert (response.status_code, response.get_json()["code"]) == (404, "compound_not_found")
    # An invite of aa is not found under bb either.
    wrong_place = f"/api/v1/compounds/bb/role-invites/{made['id']}/revoke"
    response = client.post(wrong_place, headers=headers)
    assert (response.status_code, response.get_json()["code"]) == (404, "invite_not_found")


def test_two_people_redeeming_one_code_get_one_role(app, committed_db):
    world = build_world("aa")
    add_person(world, "newcomer", None)
    add_person(world, "newcomer_2", None)
    db.session.commit()
    made = app.test_client().post(
        "/api/v1/compounds/aa/role-invites",
        json={"role": "liaison", "unit": "1-2"},
        headers=world.headers("committee"),
    )
    code = made.get_json()["code"]

    def take(who):
        headers = world.headers(who)
        return lambda: app.test_client().post(
            "/api/v1/role-invites/redeem", json={"code": code}, headers=headers
        )

    responses, errors = together(app, [take("newcomer"), take("newcomer_2")])
    assert errors == []
    assert sorted(r.status_code for r in responses) == [200, 409]
    holders = db.session.scalars(
        select(Membership.user_id).where(
            Membership.role == "liaison",
            Membership.user_id.in_([world.user_ids["newcomer"], world.user_ids["newcomer_2"]]),
        )
    ).all()
    assert len(holders) == 1


def test_guessing_codes_is_limited_per_person(app, client, world, monkeypatch):
    from server.extensions import limiter

    monkeypatch.setitem(app.config, "INVITE_RATE", "2/minute")
    limiter.reset()
    try:
        statuses = [redeem(client, world, "WRONG-CODE").status_code for _ in range(3)]
        assert statuses == [404, 404, 429]
        assert redeem(client, world, "WRONG-CODE", who="newcomer_2").status_code == 404
    finally:
        limiter.reset()


def test_an_invite_goes_with_its_makers_committee_role(client, world):
    made = invited(client, world, "committee_2", role="committee", name="老同事")
    street = invited(client, world, "admin", role="liaison", unit="1-1")  # stays good
    mid = db.session.scalar(
        select(Membership.id).where(
            Membership.user_id == world.user_ids["committee_2"], Membership.role == "committee"
        )
    )
    revoked = client.post(
        f"/api/v1/compounds/aa/memberships/{mid}/revoke",
        json={"reason": "换届"},
        headers=world.fresh_headers("committee"),
    )
    assert revoked.status_code == 200, revoked.get_json()

    listed = client.get(
        "/api/v1/compounds/aa/role-invites", headers=world.fresh_headers("committee")
    )
    assert [item["id"] for item in listed.get_json()["items"]] == [street["id"]]
    taken = redeem(client, world, made["code"])
    assert (taken.status_code, taken.get_json()["code"]) == (409, "invite_revoked")
    assert "不再担任" in taken.get_json()["message"]
    assert ("committee", f"c:{world.compound.id}") not in roles_of(world, "newcomer")
    assert redeem(client, world, street["code"]).status_code == 200
