"""The compound's audit log (任免记录): every invite, appointment, revocation and term,
newest first, as the committee and the supervisor read it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import AccessLog, AuditEvent, Membership
from tests.factories import add_person, build_world
from tests.timing import shanghai_date


@pytest.fixture
def world(db_session):
    world = build_world("aa")
    add_person(world, "admin", "admin", None)
    add_person(world, "newcomer", None)
    return world


def log(client, world, who="supervisor", query=""):
    return client.get(f"/api/v1/compounds/aa/audit-log{query}", headers=world.fresh_headers(who))


def post(client, world, who, path, body=None):
    response = client.post(
        f"/api/v1/compounds/aa/{path}", json=body or {}, headers=world.fresh_headers(who)
    )
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def test_the_supervisor_reads_every_appointment_and_revocation(client, world):
    made = post(client, world, "committee", "role-invites", {"role": "liaison", "unit": "1-2"})
    taken = client.post(
        "/api/v1/role-invites/redeem",
        json={"code": made["code"]},
        headers=world.fresh_headers("newcomer"),
    )
    assert taken.status_code == 200
    voided = post(client, world, "admin", "role-invites", {"role": "supervisor", "name": "周会计"})
    post(client, world, "committee_2", f"role-invites/{voided['id']}/revoke")
    lead = db.session.scalar(
        select(Membership.id).where(Membership.user_id == world.user_ids["lead_1"])
    )
    post(client, world, "committee", f"memberships/{lead}/revoke", {"reason": "长期外出"})
    chair = db.session.scalar(
        select(Membership.id).where(Membership.user_id == world.user_ids["committee_2"])
    )
    term = {"term_start": shanghai_date(0).isoformat(), "term_end": shanghai_date(900).isoformat()}
    response = client.patch(
        f"/api/v1/compounds/aa/memberships/{chair}/term",
        json=term,
        headers=world.fresh_headers("committee"),
    )
    assert response.status_code == 200

    page = log(client, world)
    assert page.status_code == 200, page.get_json()
    items = page.get_json()["items"]
    committee = world.people["committee"].nickname
    assert [i["action_label"] for i in items] == [
        "设定任期",
        "免去",
        "作废任命邀请",
        "发出任命邀请",
        "任命",
        "发出任命邀请",
    ]
    assert items[1]["actor"] == committee
    assert items[1]["summary"] == (
        f"{committee} 免去 {world.people['lead_1'].nickname} 的1号楼楼栋长职务，理由：长期外出"
    )
    assert items[3]["summary"].endswith("发出任命邀请：财务监督（给 周会计）")
    assert items[4]["action"] == "appointed"
    assert items[4]["summary"] == (
        f"{world.people['newcomer'].nickname} 凭邀请码就任1号楼2单元联络人（邀请人：{committee}）"
    )
    assert items[0]["at"].endswith("+08:00")
    assert page.get_json()["next_cursor"] is None


def test_pages_follow_each_other(client, world):
    for _ in range(5):
        post(client, world, "committee", "role-invites", {"role": "committee"})
    first = log(client, world, "committee", "?limit=3").get_json()
    assert len(first["items"]) == 3
    rest = log(client, world, "admin", f"?limit=3&cursor={first['next_cursor']}").get_json()
    assert len(rest["items"]) == 2
    assert rest["next_cursor"] is None
    ids = [i["id"] for i in first["items"] + rest["items"]]
    assert ids == sorted(ids, reverse=True)
    # Who was appointed or removed, and why, is personal data: each read is logged.
    seen = db.session.execute(
        select(AccessLog.actor_id, AccessLog.subject_id).where(
            AccessLog.subject_type == "audit_event"
        )
    ).all()
    expected = [(world.user_ids["committee"], i) for i in ids[:3]]
    assert sorted(seen) == sorted(expected + [(world.user_ids["admin"], i) for i in ids[3:]])
    bad = log(client, world, query="?cursor=nonsense!")
    assert (bad.status_code, bad.get_json()["code"]) == (400, "bad_cursor")


@pytest.mark.parametrize("who", ["liaison_1_1", "resident_1_1", "outsider"])
def test_others_do_not_read_it(client, world, who):
    refused = log(client, world, who)
    expected = (404, "compound_not_found") if who == "outsider" else (403, "committee_only")
    assert (refused.status_code, refused.get_json()["code"]) == expected


def test_the_operators_grant_is_logged_too(app, client, world):
    result = app.test_cli_runner().invoke(
        args=["grant-role", "cli-openid", "liaison", "--compound", "aa", "--unit", "1-2"]
    )
    assert result.exit_code == 0, result.output
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.actor_id) == ("appointed", None)
    assert event.summary == "由管理员命令行任命：1号楼2单元联络人"
    line = log(client, world).get_json()["items"][0]
    assert line["actor"] == "管理员（命令行）"


def test_the_operators_revoke_is_logged_too(app, client, world):
    args = ["revoke-role", world.openid("liaison_1_2"), "liaison", "--compound", "aa"]
    result = app.test_cli_runner().invoke(args=[*args, "--unit", "1-2"])
    assert result.exit_code == 0, result.output
    line = log(client, world).get_json()["items"][0]
    assert (line["action"], line["actor"]) == ("revoked", "管理员（命令行）")
    assert line["summary"] == "由管理员命令行免去：1号楼2单元联络人"
